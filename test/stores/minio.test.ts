// The store lane on minio: test/stores/suite.ts, held to test/stores/providers/minio.json.
import { storeSuite } from './suite.js';

await storeSuite('minio');

// The store lane on s3s-fs: test/stores/suite.ts, held to test/stores/providers/s3s-fs.json.
import { storeSuite } from './suite.js';

await storeSuite('s3s-fs');

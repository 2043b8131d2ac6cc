// The store lane on s3proxy: test/stores/suite.ts, held to test/stores/providers/s3proxy.json.
import { storeSuite } from './suite.js';

await storeSuite('s3proxy');

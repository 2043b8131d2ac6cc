// The store lane on seaweedfs: test/stores/suite.ts, held to test/stores/providers/seaweedfs.json.
import { storeSuite } from './suite.js';

await storeSuite('seaweedfs');

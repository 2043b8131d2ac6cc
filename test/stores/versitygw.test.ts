// The store lane on versitygw: test/stores/suite.ts, held to test/stores/providers/versitygw.json.
import { storeSuite } from './suite.js';

await storeSuite('versitygw');

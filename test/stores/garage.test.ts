// The store lane on garage: test/stores/suite.ts, held to test/stores/providers/garage.json.
import { storeSuite } from './suite.js';

await storeSuite('garage');

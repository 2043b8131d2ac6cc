// The module an Activepieces engine loads (`await import(...)`; it takes the Piece among the
// exports): the piece of this package's manifest.
import { loadConnector } from '../runtime/connector.js';
import { createS3Piece } from './activepieces.js';

export const awsS3 = createS3Piece(await loadConnector());

// The module an Activepieces engine loads (`await import(...)`; it takes the Piece among the
// exports): the piece of this package's manifest, its file store under S3_CONNECTOR_FILES_ROOT
// when set (the connector's default store otherwise).
import { LocalFileStore } from '../io/files.js';
import { loadConnector } from '../runtime/connector.js';
import { createS3Piece } from './activepieces.js';

const files = new LocalFileStore(process.env.S3_CONNECTOR_FILES_ROOT || undefined);

export const awsS3 = createS3Piece(await loadConnector({ files }), { files });

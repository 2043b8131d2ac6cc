// Requests a connection's store cannot honour are refused before they are sent: a store that
// ignores a condition or a version would otherwise overwrite or delete what it should not.
import { ConnectorError } from './errors.js';
import type { S3Connection } from './generated/types.js';
import type { ManifestOperation } from './manifest.js';

function usesVersions(input: Record<string, unknown>): boolean {
  if (typeof input.versionId === 'string') return true;
  const objects = input.objects;
  return Array.isArray(objects) && objects.some((o) => typeof (o as { versionId?: unknown })?.versionId === 'string');
}

export function checkCapabilities(connection: S3Connection, op: ManifestOperation, input: Record<string, unknown>): void {
  const can = connection.capabilities ?? {};
  const refuse = (what: string, flag: string) => {
    throw new ConnectorError({
      type: 'unsupported',
      code: 'StoreCapability',
      message: `This connection's store cannot ${what} (capabilities.${flag} is off), so ${op.name} was not sent. Remove the option, or use a store that supports it.`,
    });
  };
  if (can.conditionalWrites === false && !op.annotations.readOnly && (input.ifMatch !== undefined || input.ifNoneMatch !== undefined)) {
    refuse('make a write conditional (ifMatch / ifNoneMatch)', 'conditionalWrites');
  }
  if (can.versioning === false && usesVersions(input)) refuse('address object versions (versionId)', 'versioning');
}

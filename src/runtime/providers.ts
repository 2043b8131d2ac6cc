// Provider presets: what is known about a kind of store, as data, one file per provider in
// src/providers/ (as rclone keeps its provider quirks). A connection's `provider` is resolved once,
// when the connection is checked: the preset fills in what the connection leaves unset (endpoint,
// path style, the capabilities the store is known to lack) and checks the region against the
// provider's names; a field the connection sets always wins. The client then takes its checksum
// mode from the preset (src/runtime/clients.ts).
import type { S3Connection } from '../generated/types.js';
import type { Capability } from '../probes/capabilities.js';
import aws from '../providers/aws.json' with { type: 'json' };
import backblaze from '../providers/backblaze.json' with { type: 'json' };
import ceph from '../providers/ceph.json' with { type: 'json' };
import digitalocean from '../providers/digitalocean.json' with { type: 'json' };
import gcs from '../providers/gcs.json' with { type: 'json' };
import minio from '../providers/minio.json' with { type: 'json' };
import other from '../providers/other.json' with { type: 'json' };
import r2 from '../providers/r2.json' with { type: 'json' };
import wasabi from '../providers/wasabi.json' with { type: 'json' };
import { ConnectorError } from './errors.js';

export type ProviderName = NonNullable<S3Connection['provider']>;

/** One provider file. */
export interface ProviderPreset {
  name: ProviderName;
  title: string;
  /** Where the facts come from. */
  docs: string[];
  /** The endpoint, with `{region}` and `{accountId}` filled in from the connection; none: the AWS SDK's. */
  endpoint?: string;
  /** The store is the user's own (MinIO, Ceph): the connection must name its endpoint. */
  endpointRequired?: boolean;
  forcePathStyle: boolean;
  /** The region names the store takes: a list, or a pattern; `hint` says what they look like. */
  region?: { allowed?: string[]; pattern?: string; hint: string };
  /** How the SDK sends request checksums (see README, "Connections"). */
  checksums: 'WHEN_SUPPORTED' | 'WHEN_REQUIRED';
  /** Capabilities the store is known to lack: declared off, so no probe asks. */
  lacks: Capability[];
}

/** Every preset by name, in the schema's order. */
export const PROVIDERS: Readonly<Record<ProviderName, ProviderPreset>> = Object.fromEntries(
  [aws, r2, minio, backblaze, wasabi, digitalocean, gcs, ceph, other].map((p) => [p.name, p as ProviderPreset]),
) as Record<ProviderName, ProviderPreset>;

/** The connection's preset, if it names one. */
export function presetOf(connection: Pick<S3Connection, 'provider'>): ProviderPreset | undefined {
  return connection.provider ? PROVIDERS[connection.provider] : undefined;
}

/** How request checksums are sent: the preset's, else only where required on a custom endpoint. */
export function checksumModeOf(connection: S3Connection): ProviderPreset['checksums'] | undefined {
  return presetOf(connection)?.checksums ?? (connection.endpoint !== undefined ? 'WHEN_REQUIRED' : undefined);
}

interface Problem {
  field: string;
  rule: string;
  message: string;
}

function invalid(preset: ProviderPreset, problems: Problem[]): ConnectorError {
  const [first] = problems;
  return new ConnectorError({
    type: 'user_input',
    code: 'InvalidConnection',
    message: `Invalid connection for ${preset.title}: ${first?.message}${problems.length > 1 ? ` (and ${problems.length - 1} more problem)` : ''}.`,
    details: { provider: preset.name, problems },
  });
}

/**
 * The connection with its preset applied (a new object; the same one without a provider).
 * Throws a user_input ConnectorError when the preset cannot be applied: a region the provider
 * does not have, or an endpoint it needs but cannot make.
 */
export function resolveProvider(connection: S3Connection): S3Connection {
  const preset = presetOf(connection);
  if (!preset) return connection;
  const problems: Problem[] = [];
  const rule = preset.region;
  const { region } = connection;
  const regionFits =
    (rule?.allowed?.includes(region) ?? true) && (!rule?.pattern || new RegExp(rule.pattern).test(region));
  if (rule && !regionFits)
    problems.push({
      field: 'region',
      rule: 'providerRegion',
      message: `region "${region}" does not fit: ${rule.hint}`,
    });
  let endpoint = connection.endpoint;
  if (endpoint === undefined && preset.endpoint) {
    const values: Record<string, string | undefined> = { region, accountId: connection.accountId };
    const missing: string[] = [];
    endpoint = preset.endpoint.replace(/\{(\w+)\}/g, (_, name: string) => {
      const value = values[name];
      if (value === undefined) missing.push(name);
      return value ?? '';
    });
    for (const name of missing)
      problems.push({
        field: name,
        rule: 'required',
        message: `${name} is required: the endpoint is made from it (${preset.endpoint}), or set the endpoint yourself`,
      });
  }
  if (endpoint === undefined && preset.endpointRequired)
    problems.push({
      field: 'endpoint',
      rule: 'required',
      message: `endpoint is required: ${preset.title} runs where you run it, so its URL cannot be known (e.g. http://127.0.0.1:9000)`,
    });
  if (problems.length) throw invalid(preset, problems);
  const lacking = Object.fromEntries(preset.lacks.map((c) => [c, false]));
  const capabilities = { ...lacking, ...connection.capabilities };
  return {
    ...connection,
    ...(endpoint !== undefined ? { endpoint } : {}),
    forcePathStyle: connection.forcePathStyle ?? preset.forcePathStyle,
    ...(Object.keys(capabilities).length ? { capabilities } : {}),
  };
}

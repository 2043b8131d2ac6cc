// Region names checked before any request: a typo must not become a network error.
//
// Without a custom endpoint the region must be one the installed AWS SDK lists in its partition
// data (the `partitions.json` that @aws-sdk/core ships and the S3 client's endpoint rules read),
// and match its partition's `regionRegex`. A well-formed name the data does not list yet (a
// region opened after this SDK release) is refused like a typo, since the two cannot be told
// apart offline; the message says to update the SDK or to set the endpoint, which lets any
// region through. With an `endpoint`, any region is the store's business.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { S3Connection } from '../generated/types.js';
import { ConnectorError } from './errors.js';

/** Where @aws-sdk/core keeps the partition data, relative to its package.json. */
const PARTITIONS_FILE = 'dist-es/submodules/client/util-endpoints/lib/aws/partitions.js';
/** At most this many equally near regions are named in the message. */
const MAX_SUGGESTIONS = 3;

export interface AwsPartition {
  id: string;
  /** Host suffix of its endpoints (amazonaws.com, amazonaws.com.cn, …). */
  dnsSuffix: string;
  regionRegex: RegExp;
  /** The regions the data lists that match regionRegex (pseudo-regions such as aws-global left out). */
  regions: string[];
}

export interface AwsRegionData {
  /** The @aws-sdk/core version the data comes from. */
  sdkVersion: string;
  partitions: AwsPartition[];
}

interface RawPartitions {
  partitions: { id: string; regionRegex: string; regions: Record<string, unknown>; outputs?: { dnsSuffix?: string } }[];
}

let loaded: AwsRegionData | null | undefined;

/**
 * The AWS SDK's own region list, read once from the copy of @aws-sdk/core that the S3 client
 * uses. `null` when it cannot be read (a future SDK keeping it elsewhere): regions then pass
 * unchecked, as before this check existed.
 */
export function awsRegionData(): AwsRegionData | null {
  if (loaded !== undefined) return loaded;
  try {
    const fromHere = createRequire(import.meta.url);
    const fromS3 = createRequire(fromHere.resolve('@aws-sdk/client-s3'));
    const pkgPath = fromS3.resolve('@aws-sdk/core/package.json');
    const sdkVersion = (JSON.parse(readFileSync(pkgPath, 'utf8')) as { version: string }).version;
    // An ES module holding one object literal in JSON syntax: `export const partitionsInfo = {…};`
    const text = readFileSync(join(dirname(pkgPath), PARTITIONS_FILE), 'utf8');
    const raw = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as RawPartitions;
    const partitions = raw.partitions.map((p) => {
      const regionRegex = new RegExp(p.regionRegex);
      return {
        id: p.id,
        dnsSuffix: p.outputs?.dnsSuffix ?? 'amazonaws.com',
        regionRegex,
        regions: Object.keys(p.regions).filter((r) => regionRegex.test(r)),
      };
    });
    loaded = partitions.some((p) => p.regions.length) ? { sdkVersion, partitions } : null;
  } catch {
    loaded = null;
  }
  return loaded;
}

/** Throws a user_input ConnectorError when the connection's region cannot be right. */
export function checkRegion(connection: S3Connection): void {
  if (connection.endpoint !== undefined) return;
  const data = awsRegionData();
  if (!data) return;
  const { region } = connection;
  if (data.partitions.some((p) => p.regions.includes(region))) return;

  const suggestions = nearestRegions(
    region,
    data.partitions.flatMap((p) => p.regions),
  );
  const partition = data.partitions.find((p) => p.regionRegex.test(region));
  // Not even shaped like an AWS region (auto, a store's own name): that needs the store's endpoint.
  const problem = partition
    ? `region "${region}" is not an AWS region${suggestions.length ? ` (did you mean ${orList(suggestions)}?)` : ''}`
    : `region "${region}" is not an AWS region: \`auto\` and other store-specific names need a custom endpoint`;
  const next = partition
    ? ` If it is a region AWS opened after the installed AWS SDK was released (@aws-sdk/core ${data.sdkVersion}), update the AWS SDK packages, or set the connection's endpoint to https://s3.${region}.${partition.dnsSuffix}.`
    : '';
  throw new ConnectorError({
    type: 'user_input',
    code: 'UnknownRegion',
    message: `Invalid connection: ${problem}.${next} For a store other than Amazon S3, set its endpoint.`,
    details: { region, suggestions, problems: [{ field: 'region', rule: 'awsRegion', message: problem }] },
  });
}

/** The known regions nearest to `name` by edit distance (ties kept, in the data's order). */
export function nearestRegions(name: string, regions: readonly string[]): string[] {
  let best = Infinity;
  let found: string[] = [];
  for (const r of regions) {
    const d = editDistance(name, r);
    if (d < best) [best, found] = [d, [r]];
    else if (d === best) found.push(r);
  }
  return found.slice(0, MAX_SUGGESTIONS);
}

/** Levenshtein distance: insertions, deletions and substitutions of one character. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length]!;
}

function orList(items: string[]): string {
  return items.length > 1 ? `${items.slice(0, -1).join(', ')} or ${items.at(-1)}` : items[0]!;
}

// What each store of the lane is expected to do, kept as data (test/stores/providers/<store>.json,
// one small file per store, in the manner of rclone's provider files). A case a provider file
// does not name must pass as on Amazon S3 (`ok`): what the store has is byte-exact. The
// entries say otherwise, each with its reason:
// - `unsupported`: the connector refuses or the store declines, as `unsupported`, and nothing in
//   the bucket changed (the case's bucket is listed before and after, keys and ETags);
// - `error`: the call ends in this error (type and code), e.g. an object written without the
//   tags the store drops (`details` are matched too);
// - `ignored`: the store accepts the request but ignores the option (the call succeeds);
// - `store-bug`: the store gets it wrong in a way the connector cannot repair; the case must
//   fail the way `error` / `match` says, so a fixed store shows up as a failing test;
// - `skip`: not run on this store (`why` says why), e.g. SQS operations on a plain S3 server.
// The file also lists the `operations` whose examples have been run on the store and held to
// it: an operation added to the manifest since is `new` there (skipped, reported as not run
// yet) until a run of the lane on the store adds it, with its expectations, to the file.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { StoreName } from './servers.js';

export type CaseResult = 'ok' | 'unsupported' | 'error' | 'ignored' | 'store-bug' | 'skip' | 'new';

export interface Expectation {
  result: CaseResult;
  /** The error's type and code, for `unsupported`, `error` and `store-bug` (code optional). */
  type?: string;
  code?: string;
  /** Fields the error's details must have. */
  details?: Record<string, unknown>;
  /** A pattern the error's message must match (for `store-bug`, the failure's, instead of an error type). */
  match?: string;
  why?: string;
}

export interface Provider {
  store: StoreName;
  title: string;
  /** Where it comes from and under which licence, for COMPATIBILITY.md. */
  source: string;
  license: string;
  /** What `testConnection` with a bucket must report as `capabilities` (probed). */
  capabilities: Record<string, boolean | null>;
  /** What a user declares in the connection for this store (COMPATIBILITY.md prints it). */
  declare: Record<string, unknown>;
  /** The operations whose examples have been run on this store and are held to this file. */
  operations: string[];
  /** Case id (see cases.ts) → what is expected instead of `ok`. */
  cases: Record<string, Expectation>;
  /** Provider notes for COMPATIBILITY.md: path style, region names, quirks. */
  notes: string[];
}

const HERE = dirname(fileURLToPath(import.meta.url));

export function provider(name: StoreName): Provider {
  return JSON.parse(readFileSync(join(HERE, 'providers', `${name}.json`), 'utf8')) as Provider;
}

/** The operation an example case (`<operation>#<n>`) comes from; undefined for a hand-picked check. */
export function operationOf(caseId: string): string | undefined {
  return /^([a-z0-9_]+)#\d+$/.exec(caseId)?.[1];
}

export function expectation(p: Provider, caseId: string): Expectation {
  const known = p.cases[caseId];
  if (known) return known;
  const operation = operationOf(caseId);
  if (operation && !p.operations.includes(operation))
    return {
      result: 'new',
      why: `${operation} is not run on ${p.title} yet: run the lane on it, then add the operation (and what differs) to test/stores/providers/${p.store}.json`,
    };
  return { result: 'ok' };
}

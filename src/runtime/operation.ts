// What a handler receives and how it is declared. A handler maps its typed input to SDK calls
// and the result to its typed output; validation, clients and errors are the runtime's job.
import type { S3Client } from '@aws-sdk/client-s3';
import type { StoreSupport } from '../probes/capabilities.js';
import type { FileStore } from '../io/files.js';
import type { S3Connection } from '../generated/types.js';
import type { ConnectorErrorInfo } from './errors.js';
import type { KeyMapping } from './keyPrefix.js';

export interface Progress {
  /** Bytes moved so far. */
  loaded: number;
  /** Total bytes, when known. */
  total?: number;
}

export interface OperationContext {
  /** The cached client for the invoke's connection. */
  s3: S3Client;
  connection: S3Connection;
  /**
   * The connection's key prefix. Requests through `s3` and `clientFor` apply it themselves;
   * this is for keys met elsewhere (an event's key, a notification filter).
   */
  keys: KeyMapping;
  /** The operation being run: its name, and the IAM actions this input needs. */
  operation: { name: string; permissions: readonly string[] };
  /** An error as the call would report it (to keep per-item failures in the error model). */
  describeError(err: unknown): ConnectorErrorInfo;
  /** What the store was found to lack among what this input relies on (e.g. tagsOnPut: false). */
  capabilities: StoreSupport;
  /** Aborted when the caller cancels or the invoke's deadline passes: pass it to every send. */
  signal: AbortSignal;
  /** A client for the same connection in another region (e.g. to find a bucket's region). */
  clientFor(region: string): S3Client;
  /** Where file references are read from and downloads are written to. */
  files: FileStore;
  /** Hosts that https:// file references may come from. */
  allowedHttpsHosts: readonly string[];
  /** Whether those hosts may resolve to loopback, link-local or private addresses. */
  allowPrivateNetworks: boolean;
  onProgress?: (progress: Progress) => void;
}

export type Handler<I, O> = (input: I, ctx: OperationContext) => Promise<O>;

/** Declares a handler with its generated input and output types. */
export function defineOperation<I, O>(handler: Handler<I, O>): Handler<I, O> {
  return handler;
}

/** An SDK Date as the ISO 8601 string the schemas use. */
export function isoDate(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** Drops undefined fields so outputs only carry what the store answered. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// The page's calls to the playground server. The connection travels with every call; the
// server keeps nothing.
// The shapes are the runtime's own types (type imports only: nothing of the runtime is bundled).
import type { FileReference } from '../../../io/files.js';
import type { ConnectorErrorInfo } from '../../../runtime/errors.js';
import type { ManifestOperation } from '../../../runtime/manifest.js';
import type { Schema } from './schema.js';

export type { FileReference };

/** An operation as the server hands it to the page: its schemas bundled for the form library. */
export interface OperationInfo extends ManifestOperation {
  inputSchema: Schema;
  outputSchema: Schema;
}

export interface Manifest {
  name: string;
  title: string;
  version: string;
  description: string;
  connection: {
    schema: Schema;
    initial: Record<string, unknown>;
    /** The form of testConnection's options (an optional bucket, fed by the bucket lookup). */
    test: { schema: Schema };
  };
  operations: OperationInfo[];
}

export type ErrorInfo = ConnectorErrorInfo;

export type Result = { ok: true; output: Record<string, any> } | { ok: false; error: ErrorInfo };

async function answer<T>(res: Response): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`The playground server answered HTTP ${res.status} without JSON.`);
  }
}

/** Network failures become results too, so the page shows every outcome the same way. */
async function post(path: string, body: unknown, signal?: AbortSignal): Promise<Result> {
  try {
    const res = await fetch(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
    return await answer<Result>(res);
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    return {
      ok: false,
      error: {
        type: 'network',
        code: 'PlaygroundUnreachable',
        message: `The playground server did not answer: ${(err as Error).message}. Is npm start still running?`,
        retryable: true,
      },
    };
  }
}

export const getManifest = async (): Promise<Manifest> => answer<Manifest>(await fetch('/api/manifest'));

export const invoke = (operation: string, input: unknown, connection: unknown, signal?: AbortSignal): Promise<Result> =>
  post('/api/invoke', { operation, input, connection }, signal);

/** One poll of a trigger (the watch panel): the server refuses anything but a trigger. */
export const poll = (operation: string, input: unknown, connection: unknown, signal: AbortSignal): Promise<Result> =>
  post('/api/poll', { operation, input, connection }, signal);

/** With a bucket, the answer also says which operations the connection can run there (output.permissions). */
export const testConnection = (connection: unknown, bucket?: string): Promise<Result> =>
  post('/api/test-connection', { connection, ...(bucket ? { bucket } : {}) });

/** Streams a chosen file into the server's file store; resolves to its file reference. */
export async function uploadFile(file: File): Promise<FileReference> {
  const res = await fetch(`/api/files?name=${encodeURIComponent(file.name)}`, {
    method: 'POST',
    headers: { 'content-type': file.type || 'application/octet-stream' },
    body: file,
  });
  const body = await answer<FileReference | { ok: false; error: ErrorInfo }>(res);
  if (!res.ok || 'error' in body)
    throw new Error('error' in body ? body.error.message : `Upload failed: HTTP ${res.status}`);
  return body;
}

export const downloadUrl = (ref: FileReference): string => `/api/files?url=${encodeURIComponent(ref.url)}`;

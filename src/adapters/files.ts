// Bytes between a runtime and the connector's file store, for runtimes whose flows carry file
// contents (a Node-RED Buffer, an Activepieces ApFile) rather than references: bytes in are
// written to the store for one call and removed afterwards; a file reference out is read back
// into bytes (up to a limit) and its stored copy removed.
import { rm } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import type { Readable } from 'node:stream';
import type { FileReference, LocalFileStore } from '../io/files.js';

/** Writes bytes into the store as a new file and gives its reference. */
export async function storeBytes(
  files: LocalFileStore,
  data: Uint8Array,
  meta: { name: string; mimeType?: string },
): Promise<FileReference> {
  const draft = await files.create(meta.name);
  try {
    await new Promise<void>((resolve, reject) => {
      draft.stream.once('error', reject);
      draft.stream.end(data, () => resolve());
    });
  } catch (err) {
    await draft.abort();
    throw err;
  }
  return draft.commit({ mimeType: meta.mimeType || 'application/octet-stream', size: data.length });
}

/** Removes a stored file (and the folder the store made for it); one already gone is no error. */
export async function removeStored(files: LocalFileStore, url: string): Promise<void> {
  try {
    const real = await files.resolve(url);
    const folder = dirname(real);
    // Each stored file has a folder of its own inside the store's root.
    if (basename(folder) !== basename(files.root)) await rm(folder, { recursive: true, force: true });
    else await rm(real, { force: true });
  } catch {
    // gone already
  }
}

/** A stream read whole, or undefined once it passes `limit` bytes (the stream is then destroyed). */
export async function readAll(stream: Readable, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      stream.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export type LoadedFile = { data: Buffer; tooLarge?: undefined } | { data?: undefined; tooLarge: number };

/** A file reference read into a Buffer of at most `maxBytes`; the stored copy is removed either way. */
export async function loadStored(files: LocalFileStore, ref: FileReference, maxBytes: number): Promise<LoadedFile> {
  try {
    const opened = await files.open(ref.url);
    if (opened.size !== undefined && opened.size > maxBytes) {
      opened.stream.destroy();
      return { tooLarge: opened.size };
    }
    const data = await readAll(opened.stream, maxBytes);
    return data ? { data } : { tooLarge: ref.size };
  } finally {
    await removeStored(files, ref.url);
  }
}

// How content that is too big to travel inline moves between flow steps: as a file reference
// { url, name, mimeType, size } into a file store the runtime supplies. The default store is a
// local folder whose file:// URLs are confined to its root.
import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, realpath, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, sep } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ConnectorError } from '../runtime/errors.js';

export interface FileReference {
  url: string;
  name: string;
  mimeType: string;
  size: number;
}

export interface OpenedFile {
  stream: Readable;
  size?: number;
}

/** A file being written: `commit` publishes it once complete, `abort` leaves nothing behind. */
export interface FileDraft {
  stream: Writable;
  commit(meta: { mimeType: string; size: number }): Promise<FileReference>;
  abort(): Promise<void>;
}

export interface FileStore {
  /** Opens a reference this store can serve; throws a user_input ConnectorError otherwise. */
  open(url: string): Promise<OpenedFile>;
  /** Starts a new file named `name` (a suggestion; the store makes it safe and unique). */
  create(name: string): Promise<FileDraft>;
}

/** Default root of the local file store. */
export const DEFAULT_FILES_ROOT = join(tmpdir(), 's3-connector-files');

function refused(message: string): ConnectorError {
  return new ConnectorError({ type: 'user_input', code: 'FileNotAllowed', message });
}

/** A safe file name from an object key: its last segment, without path or control characters. */
export function safeFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const cleaned = basename(name.replace(/\\/g, '/')).replace(/[\u0000-\u001f<>:"|?*]/g, '_').replace(/^\.+/, '');
  return cleaned.slice(-200) || 'file';
}

/**
 * Files under one folder. References are file:// URLs; any that resolve outside the root
 * (`..`, absolute paths elsewhere, symlinks pointing out) are refused.
 */
export class LocalFileStore implements FileStore {
  constructor(readonly root: string = DEFAULT_FILES_ROOT) {}

  private async realRoot(): Promise<string> {
    await mkdir(this.root, { recursive: true });
    return realpath(this.root);
  }

  /** The real path of a file:// URL, if it lies inside the root. */
  async resolve(url: string): Promise<string> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refused(`${JSON.stringify(url)} is not a URL.`);
    }
    if (parsed.protocol !== 'file:') throw refused(`The file store serves file:// URLs, not ${parsed.protocol}`);
    const root = await this.realRoot();
    let real: string;
    try {
      real = await realpath(fileURLToPath(parsed));
    } catch {
      throw new ConnectorError({ type: 'not_found', code: 'FileNotFound', message: `No file at ${url} in the file store.` });
    }
    if (!real.startsWith(root + sep)) throw refused(`${url} is outside the file store (${pathToFileURL(root).href}).`);
    return real;
  }

  async open(url: string): Promise<OpenedFile> {
    const path = await this.resolve(url);
    const info = await stat(path);
    if (!info.isFile()) throw refused(`${url} is not a file.`);
    return { stream: createReadStream(path, { highWaterMark: 1024 * 1024 }), size: info.size };
  }

  async create(name: string): Promise<FileDraft> {
    const root = await this.realRoot();
    const fileName = safeFileName(name);
    const dir = join(root, randomUUID());
    const temp = join(root, `.partial-${randomUUID()}`);
    const stream = createWriteStream(temp, { highWaterMark: 1024 * 1024 });
    return {
      stream,
      async commit({ mimeType, size }) {
        await mkdir(dir);
        const final = join(dir, fileName);
        await rename(temp, final);
        return { url: pathToFileURL(final).href, name: fileName, mimeType, size };
      },
      async abort() {
        stream.destroy();
        await rm(temp, { force: true });
      },
    };
  }
}

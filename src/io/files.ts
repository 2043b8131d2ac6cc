// How content that is too big to travel inline moves between flow steps: as a file reference
// { url, name, mimeType, size } into a file store the runtime supplies. The default store is a
// local folder, private to the user, whose file:// URLs are confined to its root.
import { randomUUID } from 'node:crypto';
import { constants, createWriteStream, type Stats } from 'node:fs';
import {
  chmod,
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  realpath,
  rename,
  rm,
  stat,
  type FileHandle,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve as resolvePath, sep } from 'node:path';
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
  /** The file's name in the store, when the store knows it (a download's suggested name). */
  name?: string;
  /**
   * Reads into `buffer` from `position` of the same open file, without moving `stream` (optional:
   * an upload of a file that has it reads each part straight into a reused buffer). Fills the
   * buffer unless the file ends first; answers the bytes read. `stream` still owns the file:
   * destroying it closes both.
   */
  read?: PositionedRead;
}

export type PositionedRead = (buffer: Uint8Array, position: number) => Promise<number>;

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

const uid = typeof process.getuid === 'function' ? process.getuid() : undefined;

/**
 * Default root of the local file store: one folder per user under the OS temp folder
 * (`s3-connector-files-<uid>`), created 0700 and checked before every use. Not under
 * XDG_RUNTIME_DIR: that is a small RAM-backed file system, and downloads can be gigabytes.
 */
export const DEFAULT_FILES_ROOT = join(tmpdir(), `s3-connector-files-${uid ?? 'user'}`);

/** How long the default store keeps a file: 24 hours after it was written. */
export const DEFAULT_RETENTION_MS = 24 * 60 * 60 * 1000;
/** At most one sweep for old files per store every 10 minutes (made when a file is created). */
export const DEFAULT_SWEEP_INTERVAL_MS = 10 * 60 * 1000;
/** File names are cut to this many bytes of UTF-8 (NAME_MAX of ext4, xfs, btrfs, tmpfs, APFS). */
export const MAX_FILE_NAME_BYTES = 255;

const DIR_MODE = 0o700;
const FILE_MODE = 0o600;
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);
const DRAFT_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0);
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
const FILE_FOLDER = new RegExp(`^${UUID}$`);
const DRAFT = new RegExp(`^\\.partial-${UUID}$`);

export interface LocalFileStoreOptions {
  /**
   * Check the root before every use: not a symbolic link, a folder, owned by this process's
   * user, no permissions for group or others. Default: on for the default root, off for a root
   * you name (your folder, your choice; it is still created 0700 when missing).
   */
  private?: boolean;
  /**
   * Files (and their folders) older than this many milliseconds are removed. Default
   * DEFAULT_RETENTION_MS (24 h) for the default root; for a root you name, kept forever
   * (`Infinity`). Unfinished drafts (`.partial-*`) older than 24 h are removed in any root.
   */
  retentionMs?: number;
  /** At most one sweep every this many milliseconds. Default DEFAULT_SWEEP_INTERVAL_MS (10 min). */
  sweepIntervalMs?: number;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : 'UNKNOWN';
}

function refused(message: string): ConnectorError {
  return new ConnectorError({ type: 'user_input', code: 'FileNotAllowed', message });
}

/** The one answer for anything outside the store, whether it exists or not. */
function outside(): ConnectorError {
  return refused(
    'The file reference points outside the file store: only files inside the store can be read (no "..", other folders or links out of it).',
  );
}

function notFound(): ConnectorError {
  return new ConnectorError({
    type: 'not_found',
    code: 'FileNotFound',
    message: 'There is no such file in the file store (it may have been removed after its retention time).',
  });
}

function unsafe(problem: string): ConnectorError {
  return new ConnectorError({
    type: 'internal',
    code: 'FileStoreUnsafe',
    message:
      `The file store's folder ${problem}: another local user may have put it there, or could read or replace its files, so nothing was read or written. ` +
      'Remove that folder (or make it a folder of your own with mode 700), or give the store another root.',
  });
}

/** A failure of the local file system, said without the store's local paths. */
function storeFailure(what: string, err: unknown): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const code = errorCode(err);
  return new ConnectorError({
    type: 'internal',
    code: 'FileStoreFailed',
    message: `The file store could not ${what} (${code}). Check the free space and permissions of its folder, then try again.`,
    details: { cause: code },
  });
}

// Controls that change the order text is displayed in: '\u202Egnp.exe' shows as 'exe.png'.
const BIDI_CONTROLS = /[\u202A-\u202E\u2066-\u2069\u200E\u200F\u061C]/g;
// eslint-disable-next-line no-control-regex
const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f<>:"|?*]/g;
// Made on first use: creating it loads ICU's break data, several milliseconds of start-up.
let segmenter: Intl.Segmenter | null | undefined;
const graphemes = () =>
  (segmenter ??=
    typeof Intl !== 'undefined' && 'Segmenter' in Intl
      ? new Intl.Segmenter(undefined, { granularity: 'grapheme' })
      : null);

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes, cut between characters. */
function cutToBytes(text: string, maxBytes: number): string {
  let out = '';
  let bytes = 0;
  const split = graphemes();
  const pieces = split ? Array.from(split.segment(text), (s) => s.segment) : Array.from(text);
  for (const piece of pieces) {
    const size = Buffer.byteLength(piece);
    if (bytes + size > maxBytes) break;
    out += piece;
    bytes += size;
  }
  return out;
}

/**
 * A safe file name from an object key: its last segment, without path, control or
 * bidirectional-override characters, at most `maxBytes` bytes of UTF-8 (the extension kept).
 */
export function safeFileName(name: string, maxBytes = MAX_FILE_NAME_BYTES): string {
  const cleaned = basename(name.replace(/\\/g, '/'))
    .replace(BIDI_CONTROLS, '')
    .replace(UNSAFE_CHARS, '_')
    .replace(/^\.+/, '');
  if (!cleaned) return 'file';
  if (Buffer.byteLength(cleaned) <= maxBytes) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  let ext = dot > 0 ? cleaned.slice(dot) : '';
  if (Buffer.byteLength(ext) > 32) ext = ''; // not an extension, just a long name with a dot
  return cutToBytes(cleaned.slice(0, cleaned.length - ext.length), maxBytes - Buffer.byteLength(ext)) + ext || 'file';
}

function inside(path: string, root: string): boolean {
  return path.startsWith(root + sep);
}

/** Whether a link lies on the way from `base` down to `path` (a dangling or outward link). */
async function linkOnTheWay(base: string, path: string): Promise<boolean> {
  let current = base;
  for (const part of relative(base, path).split(sep)) {
    current = join(current, part);
    try {
      if ((await lstat(current)).isSymbolicLink()) return true;
    } catch {
      return false;
    }
  }
  return false;
}

/**
 * Files under one folder. References are file:// URLs; any that resolve outside the root
 * (`..`, absolute paths elsewhere, symlinks pointing out) are refused, with the same answer
 * whether the outside path exists or not. Files are opened once, without following a final
 * symlink, and the opened descriptor is checked to be a regular file inside the root, so a
 * link swapped in during a call cannot lead out. Folders are 0700, files 0600.
 */
export class LocalFileStore implements FileStore {
  readonly root: string;
  private readonly checkRoot: boolean;
  private readonly retentionMs: number;
  private readonly sweepIntervalMs: number;
  private lastSweep = -Infinity;

  constructor(root?: string, options: LocalFileStoreOptions = {}) {
    const isDefault = root === undefined;
    this.root = root ?? DEFAULT_FILES_ROOT;
    this.checkRoot = options.private ?? isDefault;
    this.retentionMs = options.retentionMs ?? (isDefault ? DEFAULT_RETENTION_MS : Infinity);
    this.sweepIntervalMs = options.sweepIntervalMs ?? DEFAULT_SWEEP_INTERVAL_MS;
  }

  /** The root's real path, created 0700 if missing and (for a private store) verified. */
  private async realRoot(): Promise<string> {
    const root = resolvePath(this.root);
    try {
      const created = await mkdir(root, { recursive: true, mode: DIR_MODE });
      if (created !== undefined) await chmod(root, DIR_MODE); // whatever the umask
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw storeFailure('create its folder', err);
    }
    let info: Stats;
    try {
      info = await lstat(root);
    } catch (err) {
      throw storeFailure('check its folder', err);
    }
    if (this.checkRoot) {
      if (info.isSymbolicLink()) throw unsafe(`(${basename(root)}) is a symbolic link`);
      if (!info.isDirectory()) throw unsafe(`(${basename(root)}) is not a folder`);
      if (uid !== undefined && info.uid !== uid)
        throw unsafe(`(${basename(root)}) belongs to another user (uid ${info.uid})`);
      if (uid !== undefined && (info.mode & 0o077) !== 0) {
        throw unsafe(
          `(${basename(root)}) has permissions for group or others (mode ${(info.mode & 0o777).toString(8)})`,
        );
      }
    }
    try {
      const real = await realpath(root);
      if (!this.checkRoot && !(await stat(real)).isDirectory()) throw unsafe(`(${basename(root)}) is not a folder`);
      return real;
    } catch (err) {
      throw storeFailure('check its folder', err);
    }
  }

  private async locate(url: string): Promise<{ root: string; real: string }> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw refused('The file reference is not a URL.');
    }
    if (parsed.protocol !== 'file:') throw refused(`The file store serves file:// URLs, not ${parsed.protocol}`);
    let lexical: string;
    try {
      lexical = resolvePath(fileURLToPath(parsed));
    } catch {
      throw outside();
    }
    if (lexical.includes('\0')) throw outside();
    const root = await this.realRoot();
    // Decided on the path alone first: outside the root, nothing is looked at.
    const base = [root, resolvePath(this.root)].find((b) => inside(lexical, b));
    if (base === undefined) throw outside();
    let real: string;
    try {
      real = await realpath(lexical);
    } catch {
      // A link on the way leads to somewhere missing: possibly outside, so the same answer.
      if (await linkOnTheWay(base, lexical)) throw outside();
      throw notFound();
    }
    if (!inside(real, root)) throw outside();
    return { root, real };
  }

  /** The real path of a file:// URL, if it lies inside the root. */
  async resolve(url: string): Promise<string> {
    return (await this.locate(url)).real;
  }

  async open(url: string): Promise<OpenedFile> {
    const { root, real } = await this.locate(url);
    let handle: FileHandle;
    try {
      handle = await open(real, READ_FLAGS);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'ENOENT' || code === 'ENOTDIR') throw notFound();
      if (code === 'ELOOP' || code === 'EMLINK') throw outside(); // a link was swapped in
      throw storeFailure('open the file', err);
    }
    try {
      const info = await handle.stat();
      if (!info.isFile()) throw refused('The file reference is not a regular file of the file store.');
      // The descriptor must be the file the path leads to inside the root, now: a folder or
      // link swapped in between resolving and opening would give another file.
      const again = await realpath(real).catch(() => undefined);
      const now = again !== undefined && inside(again, root) ? await stat(again).catch(() => undefined) : undefined;
      if (!now || now.dev !== info.dev || now.ino !== info.ino) throw outside();
      // Where the kernel says the descriptor is (Linux): inside the root.
      const opened = await readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
      if (typeof opened === 'string' && opened.startsWith('/') && !inside(opened, root)) throw outside();
      const file = handle;
      const read: PositionedRead = async (buffer, position) => {
        let filled = 0;
        while (filled < buffer.length) {
          const { bytesRead } = await file.read(buffer, filled, buffer.length - filled, position + filled);
          if (bytesRead === 0) break; // the end of the file
          filled += bytesRead;
        }
        return filled;
      };
      return {
        stream: handle.createReadStream({ highWaterMark: 1024 * 1024 }),
        size: info.size,
        name: basename(real),
        read,
      };
    } catch (err) {
      await handle.close().catch(() => undefined);
      throw storeFailure('read the file', err);
    }
  }

  /** Removes files past their retention and stale drafts; at most once per interval. */
  private async sweep(root: string): Promise<void> {
    const now = Date.now();
    if (now - this.lastSweep < this.sweepIntervalMs) return;
    this.lastSweep = now;
    const draftAge = Math.min(this.retentionMs, DEFAULT_RETENTION_MS);
    let names: string[];
    try {
      names = await readdir(root);
    } catch {
      return;
    }
    await Promise.all(
      names.map(async (name) => {
        const isFolder = FILE_FOLDER.test(name);
        if (!isFolder && !DRAFT.test(name)) return; // not the store's: left alone
        const path = join(root, name);
        try {
          const info = await lstat(path);
          const age = now - info.mtimeMs;
          if (isFolder && info.isDirectory() && age > this.retentionMs)
            await rm(path, { recursive: true, force: true });
          else if (!isFolder && info.isFile() && age > draftAge) await rm(path, { force: true });
        } catch {
          // gone already, or not ours to remove
        }
      }),
    );
  }

  async create(name: string): Promise<FileDraft> {
    const root = await this.realRoot();
    await this.sweep(root);
    const fileName = safeFileName(name);
    const temp = join(root, `.partial-${randomUUID()}`);
    let handle: FileHandle | undefined;
    try {
      handle = await open(temp, DRAFT_FLAGS, FILE_MODE);
      await handle.chmod(FILE_MODE); // whatever the umask
    } catch (err) {
      await handle?.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw storeFailure('start a file', err);
    }
    const stream = createWriteStream('', { fd: handle, highWaterMark: 1024 * 1024 });
    const closed = () =>
      new Promise<void>((done) => {
        if (stream.closed) done();
        else stream.once('close', () => done());
      });
    return {
      stream,
      async commit({ mimeType, size }) {
        const dir = join(root, randomUUID());
        try {
          if (stream.writableFinished) await closed();
          await mkdir(dir, { mode: DIR_MODE });
          await chmod(dir, DIR_MODE);
          const final = join(dir, fileName);
          await rename(temp, final);
          return { url: pathToFileURL(final).href, name: fileName, mimeType, size };
        } catch (err) {
          stream.destroy();
          await rm(dir, { recursive: true, force: true });
          await rm(temp, { force: true });
          throw storeFailure('save the file', err);
        }
      },
      async abort() {
        stream.destroy();
        await rm(temp, { force: true });
      },
    };
  }
}

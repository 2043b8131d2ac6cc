// The default local file store under hostile conditions: other local users, a root taken over
// before the connector creates it, links swapped in during a call, names built to mislead or
// to overflow the file system, and probes for whether a path outside the store exists.
import { spawn } from 'node:child_process';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FILES_ROOT, LocalFileStore, safeFileName, type FileReference } from '../../src/io/files.js';
import { startPlayground, type Playground } from '../../src/dev/playground/server.js';
import { ConnectorError } from '../../src/runtime/errors.js';
import { runProcess, type Run } from '../support/processes.js';
import { aws, motoConnection, testConnector, uniqueBucket } from '../support/helpers.js';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const CLI = join(repo, 'dist', 'src', 'cli', 'main.js');
const NOBODY = 65534;
const bucket = uniqueBucket('files');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'files-lane-'));
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
});

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

const mode = async (path: string) => (await lstat(path)).mode & 0o777;

async function fresh(name: string): Promise<string> {
  const dir = join(scratch, `${name}-${randomUUID().slice(0, 8)}`);
  await mkdir(dir, { mode: 0o700 });
  return dir;
}

/** The ConnectorError a promise rejects with (fails the test when it resolves or throws anything else). */
async function failure(p: Promise<unknown>): Promise<ConnectorError['info']> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof ConnectorError)) throw new Error(`expected a ConnectorError, got ${String(err)}`);
  return err.info;
}

async function put(store: LocalFileStore, name: string, content: string): Promise<FileReference> {
  const draft = await store.create(name);
  await new Promise<void>((done, fail) => draft.stream.end(content, () => done()).once('error', fail));
  return draft.commit({ mimeType: 'text/plain', size: Buffer.byteLength(content) });
}

async function readAll(store: LocalFileStore, url: string): Promise<string> {
  const opened = await store.open(url);
  const chunks: Buffer[] = [];
  for await (const chunk of opened.stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString();
}

function run(command: string, args: string[], env: Record<string, string>): Promise<Run> {
  return runProcess(command, args, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
  });
}

/**
 * Another process that swaps links in and out as fast as it can until a stop file appears:
 * `file` mode renames a link to `outside` over `target` and a regular file back over it;
 * `folder` mode moves the folder `target` away and puts a link to the folder `outside` in its
 * place, then moves it back. Resolves `ready` once it runs, `done` with its swap count.
 */
async function racer(how: 'file' | 'folder', target: string, outside: string) {
  const script = join(scratch, 'racer.cjs');
  await writeFile(
    script,
    `
const fs = require('fs');
const [how, target, outside, stop] = process.argv.slice(2);
const link = target + '.swap-link', file = target + '.swap-file', away = target + '.away';
let n = 0;
process.stdout.write('ready\\n');
while (!fs.existsSync(stop)) {
  if (how === 'file') {
    fs.symlinkSync(outside, link); fs.renameSync(link, target);
    fs.writeFileSync(file, 'inside'); fs.renameSync(file, target);
  } else {
    fs.renameSync(target, away); fs.symlinkSync(outside, target);
    fs.unlinkSync(target); fs.renameSync(away, target);
  }
  for (let i = 0; i < 4; i++) fs.statSync(target); // the stored file stays a while, as it mostly does
  n++;
}
process.stdout.write('swaps ' + n + '\\n');
`,
  );
  const stop = join(scratch, `stop-${randomUUID()}`);
  const child = spawn(process.execPath, [script, how, target, outside, stop], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  const ready = new Promise<void>((done, fail) => {
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      if (out.includes('ready\n')) done();
    });
    child.once('error', fail);
  });
  const done = new Promise<number>((ok, fail) =>
    child.once('close', (code) => {
      const m = /swaps (\d+)/.exec(out);
      if (code === 0 && m) ok(Number(m[1]));
      else fail(new Error(`racer exited ${code}: ${out}`));
    }),
  );
  return {
    ready,
    stop: async () => {
      await writeFile(stop, '');
      return done;
    },
  };
}

/** Opens `url` `count` times, `parallel` at a time, while the racer runs; tallies what came back. */
type Tally = { inside: number; outside: number; refused: number; notFound: number; other: string[] };

/**
 * Opens `count` times while the racer swaps, and goes on (up to 20 times as many) until `seen`
 * holds: on a busy machine the two may interleave rarely, and the verdict must not hang on that.
 */
async function hammer(
  read: () => Promise<string>,
  count: number,
  seen: (t: Tally) => boolean = () => true,
  parallel = 4,
) {
  const tally: Tally = { inside: 0, outside: 0, refused: 0, notFound: 0, other: [] };
  let started = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (started < count || (!seen(tally) && started < count * 20)) {
        started++;
        try {
          const text = await read();
          if (text === 'inside') tally.inside++;
          else if (text.startsWith('OUT'))
            tally.outside++; // all or part of the outside file
          else tally.other.push(`content ${JSON.stringify(text.slice(0, 40))}`);
        } catch (err) {
          const code = err instanceof ConnectorError ? err.info.code : String(err);
          if (code === 'FileNotAllowed') tally.refused++;
          else if (code === 'FileNotFound') tally.notFound++;
          else tally.other.push(String(code));
        }
      }
    }),
  );
  return tally;
}

describe('private files', () => {
  it('creates the root, each file folder 0700 and each file and draft 0600', async () => {
    const root = join(await fresh('modes'), 'new-root');
    const store = new LocalFileStore(root);
    const draft = await store.create('report.csv');
    const drafts = (await readdir(root)).filter((n) => n.startsWith('.partial-'));
    expect(drafts).toHaveLength(1);
    expect((await mode(join(root, drafts[0]!))).toString(8)).toBe('600');
    draft.stream.end('a,b\n');
    await new Promise((r) => draft.stream.once('finish', r));
    const ref = await draft.commit({ mimeType: 'text/csv', size: 4 });
    const path = fileURLToPath(ref.url);
    expect((await mode(root)).toString(8)).toBe('700');
    expect((await mode(dirname(path))).toString(8)).toBe('700');
    expect((await mode(path)).toString(8)).toBe('600');
    expect(await readFile(path, 'utf8')).toBe('a,b\n');
  });

  it('get_object downloads land 0600 in a 0700 folder', async () => {
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'private/data.txt',
      '--body',
      await (async () => {
        const p = join(scratch, 'data.txt');
        await writeFile(p, 'private bytes');
        return p;
      })(),
    ]);
    const root = await fresh('download');
    const c = await testConnector();
    const res = await c.invoke(
      'get_object',
      { bucket, key: 'private/data.txt' },
      { connection: motoConnection(), files: new LocalFileStore(root) },
    );
    if (!res.ok) throw new Error(res.error.message);
    const path = fileURLToPath((res.output.file as FileReference).url);
    expect([(await mode(dirname(path))).toString(8), (await mode(path)).toString(8)]).toEqual(['700', '600']);
    expect(await readFile(path, 'utf8')).toBe('private bytes');
  });

  it('the default root is one per user under the temp folder', () => {
    expect(DEFAULT_FILES_ROOT).toBe(join(tmpdir(), `s3-connector-files-${process.getuid!()}`));
  });
});

describe('a root another user could take over', () => {
  const cases: [string, (root: string, base: string) => Promise<void>, RegExp][] = [
    [
      'a symbolic link to a folder',
      async (root, base) => {
        await mkdir(join(base, 'theirs'), { mode: 0o700 });
        await symlink(join(base, 'theirs'), root);
      },
      /symbolic link/,
    ],
    [
      'a folder with mode 777',
      async (root) => {
        await mkdir(root);
        await chmod(root, 0o777);
      },
      /mode 777/,
    ],
    [
      'a folder with mode 750',
      async (root) => {
        await mkdir(root);
        await chmod(root, 0o750);
      },
      /mode 750/,
    ],
    [
      'a folder owned by nobody',
      async (root) => {
        await mkdir(root, { mode: 0o700 });
        await chown(root, NOBODY, NOBODY);
      },
      /another user \(uid 65534\)/,
    ],
    [
      'a regular file',
      async (root) => {
        await writeFile(root, '');
      },
      /not a folder/,
    ],
  ];
  for (const [what, prepare, says] of cases) {
    it(`refuses ${what} as the private root, reading and writing nothing`, async () => {
      const base = await fresh('takeover');
      const root = join(base, 's3-connector-files-0');
      await prepare(root, base);
      const store = new LocalFileStore(root, { private: true });
      // Each call made only when its turn comes: made together, the second could reject while the
      // first is awaited, before anything handles it (an unhandled rejection on a loaded machine).
      for (const attempt of [() => store.create('x.txt'), () => store.open(pathToFileURL(join(root, 'x.txt')).href)]) {
        const error = await failure(attempt());
        expect(error).toMatchObject({
          type: 'internal',
          code: 'FileStoreUnsafe',
          message: expect.stringMatching(says),
        });
        expect(error.message).toContain('Remove that folder');
        expect(error.message).not.toContain(base);
      }
      if (what.startsWith('a symbolic link')) expect(await readdir(join(base, 'theirs'))).toEqual([]);
    });
  }

  it('the CLI with the default root: created 0700 whatever the umask, files 0600, refused once taken over', async () => {
    expect(existsSync(CLI), 'npm run build first').toBe(true);
    const conn = JSON.stringify(motoConnection());
    const input = JSON.stringify({ bucket, key: 'private/data.txt' });
    // The object comes from the first suite's test; put it again so this one stands alone.
    await aws([
      's3api',
      'put-object',
      '--bucket',
      bucket,
      '--key',
      'private/data.txt',
      '--body',
      await (async () => {
        const p = join(scratch, 'data2.txt');
        await writeFile(p, 'private bytes');
        return p;
      })(),
    ]);
    const temp = await fresh('tmpdir');
    const ok = await run(
      'sh',
      ['-c', `umask 000; exec "${process.execPath}" "${CLI}" invoke get_object -c '${conn}' -i '${input}'`],
      { TMPDIR: temp },
    );
    expect(ok.code, ok.stderr).toBe(0);
    const path = fileURLToPath((JSON.parse(ok.stdout) as { output: { file: FileReference } }).output.file.url);
    const root = join(temp, `s3-connector-files-${process.getuid!()}`);
    expect(path.startsWith(root + '/')).toBe(true);
    expect([await mode(root), await mode(dirname(path)), await mode(path)].map((m) => m.toString(8))).toEqual([
      '700',
      '700',
      '600',
    ]);

    const hostile = await fresh('tmpdir');
    await mkdir(join(hostile, 'theirs'), { mode: 0o777 });
    await symlink(join(hostile, 'theirs'), join(hostile, `s3-connector-files-${process.getuid!()}`));
    const refused = await run(process.execPath, [CLI, 'invoke', 'get_object', '-c', conn, '-i', input], {
      TMPDIR: hostile,
    });
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout)).toMatchObject({
      ok: false,
      error: { type: 'internal', code: 'FileStoreUnsafe' },
    });
    expect(refused.stdout + refused.stderr).not.toContain(hostile);
    expect(await readdir(join(hostile, 'theirs'))).toEqual([]);
  });

  it('a root you name is yours: a 755 folder is accepted unless the store is made private', async () => {
    const root = await fresh('named');
    await chmod(root, 0o755);
    const ref = await put(new LocalFileStore(root), 'a.txt', 'mine');
    expect(await readAll(new LocalFileStore(root), ref.url)).toBe('mine');
    expect(await failure(new LocalFileStore(root, { private: true }).create('b.txt'))).toMatchObject({
      code: 'FileStoreUnsafe',
    });
  });
});

describe('retention', () => {
  const HOUR = 60 * 60 * 1000;
  const ago = (ms: number) => new Date(Date.now() - ms);

  it('removes files past their retention and stale drafts on create, at most once per interval, and nothing it did not write', async () => {
    const root = await fresh('retention');
    const setup = new LocalFileStore(root);
    const old = dirname(fileURLToPath((await put(setup, 'old.txt', 'old')).url));
    const young = dirname(fileURLToPath((await put(setup, 'young.txt', 'young')).url));
    const draft = join(root, `.partial-${randomUUID()}`);
    await writeFile(draft, 'cut off');
    const foreignFile = join(root, 'notes.txt');
    await writeFile(foreignFile, "not the store's");
    const foreignDir = join(root, 'keep-me');
    await mkdir(foreignDir);
    for (const p of [old, draft, foreignFile, foreignDir]) await utimes(p, ago(2 * HOUR), ago(2 * HOUR));

    const store = new LocalFileStore(root, { retentionMs: HOUR });
    await (await store.create('next.txt')).abort();
    expect(existsSync(old)).toBe(false);
    expect(existsSync(draft)).toBe(false);
    expect([existsSync(young), existsSync(foreignFile), existsSync(foreignDir)]).toEqual([true, true, true]);

    // Within the interval the same store does not look again.
    await utimes(young, ago(2 * HOUR), ago(2 * HOUR));
    await (await store.create('again.txt')).abort();
    expect(existsSync(young)).toBe(true);
    // A store that may sweep every time does.
    await (await new LocalFileStore(root, { retentionMs: HOUR, sweepIntervalMs: 0 }).create('x')).abort();
    expect(existsSync(young)).toBe(false);
    expect([existsSync(foreignFile), existsSync(foreignDir)]).toEqual([true, true]);
  });

  it('a root you name keeps files unless told (drafts older than 24 h still go)', async () => {
    const root = await fresh('keep');
    const kept = dirname(fileURLToPath((await put(new LocalFileStore(root), 'kept.txt', 'kept')).url));
    const draft = join(root, `.partial-${randomUUID()}`);
    await writeFile(draft, 'cut off');
    await utimes(kept, ago(30 * 24 * HOUR), ago(30 * 24 * HOUR));
    await utimes(draft, ago(25 * HOUR), ago(25 * HOUR));
    await (await new LocalFileStore(root).create('x')).abort();
    expect([existsSync(kept), existsSync(draft)]).toEqual([true, false]);
  });

  it('the default root keeps a file 24 hours (through the CLI)', async () => {
    const temp = await fresh('tmpdir');
    const root = join(temp, `s3-connector-files-${process.getuid!()}`);
    await mkdir(root, { mode: 0o700 });
    const stale = join(root, randomUUID());
    const recent = join(root, randomUUID());
    for (const [dir, age] of [
      [stale, 25 * HOUR],
      [recent, 23 * HOUR],
    ] as const) {
      await mkdir(dir, { mode: 0o700 });
      await writeFile(join(dir, 'f.txt'), 'x');
      await utimes(dir, ago(age), ago(age));
    }
    const got = await run(
      process.execPath,
      [
        CLI,
        'invoke',
        'get_object',
        '-c',
        JSON.stringify(motoConnection()),
        '-i',
        JSON.stringify({ bucket, key: 'private/data.txt' }),
      ],
      { TMPDIR: temp },
    );
    expect(got.code, got.stderr).toBe(0);
    expect([existsSync(stale), existsSync(recent)]).toEqual([false, true]);
  });
});

describe('links swapped in during a call', () => {
  const OPENS = 3000;

  async function setupRace(how: 'file' | 'folder') {
    const root = await fresh(`race-${how}`);
    const store = new LocalFileStore(root);
    const ref = await put(store, 'stored.txt', 'inside');
    const target = fileURLToPath(ref.url);
    const outsideDir = await fresh('outside');
    await writeFile(join(outsideDir, 'stored.txt'), 'OUTSIDE secret');
    const r = await racer(
      how,
      how === 'file' ? target : dirname(target),
      how === 'file' ? join(outsideDir, 'stored.txt') : outsideDir,
    );
    await r.ready;
    return { store, ref, r };
  }

  it(`a link renamed over a stored file: ${OPENS} opens, none reads the outside file`, async () => {
    const { store, ref, r } = await setupRace('file');
    const tally = await hammer(
      () => readAll(store, ref.url),
      OPENS,
      (t) => t.inside > 0 && t.refused > 0,
    );
    const swaps = await r.stop();
    console.log(`symlink swap race (file): ${OPENS} opens, ${swaps} swaps, ${JSON.stringify(tally)}`);
    expect(tally.outside).toBe(0);
    expect(tally.other).toEqual([]);
    expect(tally.inside).toBeGreaterThan(0);
    expect(tally.refused).toBeGreaterThan(0); // the race did happen
  });

  it(`a link to an outside folder swapped in for the file's folder: ${OPENS} opens, none reads the outside file`, async () => {
    const { store, ref, r } = await setupRace('folder');
    const tally = await hammer(
      () => readAll(store, ref.url),
      OPENS,
      (t) => t.inside > 0 && t.refused + t.notFound > 0,
    );
    const swaps = await r.stop();
    console.log(`symlink swap race (folder): ${OPENS} opens, ${swaps} swaps, ${JSON.stringify(tally)}`);
    expect(tally.outside).toBe(0);
    expect(tally.other).toEqual([]);
    expect(tally.inside).toBeGreaterThan(0);
    expect(tally.refused + tally.notFound).toBeGreaterThan(0);
  });

  it('a FIFO or a folder in the store is refused at once (the open does not wait for a writer)', async () => {
    const root = await fresh('fifo');
    const made = await run('mkfifo', [join(root, 'pipe')], {});
    expect(made.code).toBe(0);
    await mkdir(join(root, 'sub'));
    const store = new LocalFileStore(root);
    for (const name of ['pipe', 'sub']) {
      expect(await failure(store.open(pathToFileURL(join(root, name)).href))).toMatchObject({
        type: 'user_input',
        code: 'FileNotAllowed',
      });
    }
  });
});

describe('names', () => {
  let root: string;
  let c: Awaited<ReturnType<typeof testConnector>>;
  const get = (key: string) =>
    c.invoke('get_object', { bucket, key }, { connection: motoConnection(), files: new LocalFileStore(root) });

  beforeAll(async () => {
    root = await fresh('names');
    c = await testConnector();
  });

  it('a key of 200 × 中 (600 bytes) downloads under a name cut to 255 bytes, extension kept, nothing left over', async () => {
    const key = `names/${'中'.repeat(200)}.txt`;
    const putRes = await c.invoke(
      'put_object_text',
      { bucket, key, content: 'long name' },
      { connection: motoConnection() },
    );
    if (!putRes.ok) throw new Error(putRes.error.message);
    const res = await get(key);
    if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
    const file = res.output.file as FileReference;
    expect(file.name).toBe(`${'中'.repeat(83)}.txt`); // 249 + 4 bytes; an 84th would make 256
    expect(Buffer.byteLength(file.name)).toBeLessThanOrEqual(255);
    expect(await readFile(fileURLToPath(file.url), 'utf8')).toBe('long name');
    const entries = await readdir(root);
    expect(entries.filter((n) => n.startsWith('.partial-'))).toEqual([]);
    for (const entry of entries) expect(await readdir(join(root, entry))).toHaveLength(1);
  });

  it('bidirectional controls are stripped: "\\u202Egnp.exe" is saved as gnp.exe', async () => {
    const key = 'names/\u202Egnp.exe';
    const putRes = await c.invoke('put_object_text', { bucket, key, content: 'MZ' }, { connection: motoConnection() });
    if (!putRes.ok) throw new Error(putRes.error.message);
    const res = await get(key);
    if (!res.ok) throw new Error(res.error.message);
    const file = res.output.file as FileReference;
    expect(file.name).toBe('gnp.exe');
    expect(basename(fileURLToPath(file.url))).toBe('gnp.exe');
  });

  it('safeFileName: every bidi control, byte limits cut between characters, long extensions', () => {
    const controls = [
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
      '\u200E',
      '\u200F',
      '\u061C',
    ];
    expect(safeFileName(`a${controls.join('')}b.png`)).toBe('ab.png');
    const family = '👨‍👩‍👧'; // 18 bytes, one character on screen
    const cut = safeFileName(`${family.repeat(20)}.png`);
    expect(cut).toBe(`${family.repeat(13)}.png`); // 234 + 4 bytes; a 14th would make 256
    expect(safeFileName(`${'é'.repeat(300)}`)).toBe('é'.repeat(127));
    const longExt = safeFileName(`x.${'y'.repeat(400)}`);
    expect(Buffer.byteLength(longExt)).toBe(255);
    expect(safeFileName('../../\u202E')).toBe('file');
  });

  it('a draft that cannot be saved leaves no folder behind and no local path in the error', async () => {
    const failRoot = await fresh('savefail');
    const store = new LocalFileStore(failRoot);
    const draft = await store.create('lost.txt');
    draft.stream.end('bytes');
    await new Promise((r) => draft.stream.once('finish', r));
    for (const name of await readdir(failRoot)) await rm(join(failRoot, name)); // the draft vanished (a disk cleaner, say)
    const error = await failure(draft.commit({ mimeType: 'text/plain', size: 5 }));
    expect(error).toMatchObject({ type: 'internal', code: 'FileStoreFailed', details: { cause: 'ENOENT' } });
    expect(error.message).not.toContain(failRoot);
    expect(error.message).not.toContain(tmpdir());
    expect(await readdir(failRoot)).toEqual([]);
  });
});

describe('outside the store, existing or not, looks the same', () => {
  let root: string;
  let store: LocalFileStore;
  let outsideDir: string;
  let playground: Playground;

  beforeAll(async () => {
    root = await fresh('same');
    store = new LocalFileStore(root);
    outsideDir = await fresh('elsewhere');
    await writeFile(join(outsideDir, 'exists.txt'), 'OUTSIDE');
    await symlink(join(outsideDir, 'exists.txt'), join(root, 'to-existing'));
    await symlink(join(outsideDir, 'missing.txt'), join(root, 'to-missing'));
    await mkdir(join(root, 'dir'));
    await symlink(outsideDir, join(root, 'dir', 'out'));
    playground = await startPlayground({ connector: await testConnector(), files: store });
  });

  afterAll(async () => {
    await playground.close();
  });

  const pairs = (): [string, string, string][] => [
    [
      'an absolute path',
      pathToFileURL(join(outsideDir, 'exists.txt')).href,
      pathToFileURL(join(outsideDir, 'missing.txt')).href,
    ],
    [
      'a .. path',
      `${pathToFileURL(root).href}/../${outsideDir.split('/').pop()}/exists.txt`,
      `${pathToFileURL(root).href}/../${outsideDir.split('/').pop()}/missing.txt`,
    ],
    [
      'a link in the store',
      pathToFileURL(join(root, 'to-existing')).href,
      pathToFileURL(join(root, 'to-missing')).href,
    ],
    [
      'a folder link in the store',
      pathToFileURL(join(root, 'dir', 'out', 'exists.txt')).href,
      pathToFileURL(join(root, 'dir', 'out', 'missing.txt')).href,
    ],
    ['a system file', 'file:///etc/passwd', 'file:///etc/no-such-file-here'],
  ];

  it('store.open answers FileNotAllowed for both, FileNotFound only inside', async () => {
    for (const [what, existing, missing] of pairs()) {
      const a = await failure(store.open(existing));
      const b = await failure(store.open(missing));
      expect(a, what).toEqual(b);
      expect(a, what).toMatchObject({ type: 'user_input', code: 'FileNotAllowed' });
      expect(a.message).not.toContain(outsideDir);
    }
    expect(await failure(store.open(pathToFileURL(join(root, 'nope.txt')).href))).toMatchObject({
      type: 'not_found',
      code: 'FileNotFound',
    });
  });

  it('the playground download route answers the same for both', async () => {
    const download = (url: string) =>
      fetch(new URL(`/api/files?url=${encodeURIComponent(url)}`, playground.url)).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }));
    for (const [what, existing, missing] of pairs()) {
      const a = await download(existing);
      const b = await download(missing);
      expect(a, what).toEqual(b);
      expect(a.status, what).toBe(400);
      expect(a.body).not.toContain('OUTSIDE');
    }
    const ok = await download((await put(store, 'served.txt', 'served')).url);
    expect(ok).toEqual({ status: 200, body: 'served' });
  });

  it('the playground download route under a link swap race: 600 downloads, none serves the outside file', async () => {
    const ref = await put(store, 'raced.txt', 'inside');
    const outside = join(outsideDir, 'exists.txt');
    const r = await racer('file', fileURLToPath(ref.url), outside);
    await r.ready;
    const tally = await hammer(
      async () => {
        const res = await fetch(new URL(`/api/files?url=${encodeURIComponent(ref.url)}`, playground.url));
        const body = await res.text();
        if (res.status === 200) return body;
        throw new ConnectorError((JSON.parse(body) as { error: ConnectorError['info'] }).error);
      },
      600,
      (t) => t.inside > 0,
    );
    const swaps = await r.stop();
    console.log(`symlink swap race (playground): 600 downloads, ${swaps} swaps, ${JSON.stringify(tally)}`);
    expect(tally.outside).toBe(0);
    expect(tally.other).toEqual([]);
    expect(tally.inside).toBeGreaterThan(0);
  });
});

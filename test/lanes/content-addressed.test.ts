// contentAddressed: "sha256" on both puts, against moto, the aws cli (and sha256sum) reading back
// what was stored: the key is the SHA-256 of the bytes, the same bytes twice store one object
// and the second put uploads nothing, racing writers of the same bytes store one version, the
// store holds the SHA-256 as its checksum, file / data: / https:// sources, a key prefix, a store
// without conditional writes, and contradictory inputs refused with nothing written.
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, stat, writeFile } from 'node:fs/promises';
import { createServer, globalAgent } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { extensionOf, SPOOL_PREFIX } from '../../src/io/contentAddressed.js';
import { LocalFileStore, type FileStore } from '../../src/io/files.js';
import { loadConnector } from '../../src/index.js';
import {
  aws,
  awsJson,
  invoke,
  motoConnection,
  motoEndpoint,
  problemFields,
  uniqueBucket,
  until,
} from '../support/helpers.js';
import { interceptProxy, oneAtATime } from '../support/interceptProxy.js';
import { recordingProxy } from '../support/recordingProxy.js';
import { makeTestCa, type TestCa } from '../support/tlsEndpoints.js';

const run = promisify(execFile);
const bucket = uniqueBucket('cas');
let root: string;
let files: LocalFileStore;

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');
const sha256b64 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('base64');

async function keysUnder(prefix: string, b = bucket): Promise<string[]> {
  const out = await awsJson<{ Contents?: { Key: string }[] }>([
    's3api',
    'list-objects-v2',
    '--bucket',
    b,
    '--prefix',
    prefix,
  ]);
  return (out.Contents ?? []).map((o) => o.Key).sort();
}

/** The SHA-256 of an object as the aws cli downloads it, computed by coreutils' sha256sum. */
async function cliSha256(key: string, b = bucket): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'cas-get-'));
  const path = join(dir, 'object');
  await aws(['s3', 'cp', `s3://${b}/${key}`, path]);
  const { stdout } = await run('sha256sum', [path]);
  return stdout.split(' ')[0]!;
}

async function headChecksum(key: string, b = bucket) {
  return awsJson<{ ChecksumSHA256?: string; ChecksumType?: string; ContentLength: number; ContentType?: string }>([
    's3api',
    'head-object',
    '--bucket',
    b,
    '--key',
    key,
    '--checksum-mode',
    'ENABLED',
  ]);
}

async function storeFile(bytes: Buffer, name: string): Promise<string> {
  const path = join(root, name);
  await writeFile(path, bytes);
  return pathToFileURL(path).href;
}

/** Requests that uploaded bytes to a key (PutObject, UploadPart), or completed an upload. */
function uploadsTo(requests: { method: string; url: string }[], key: string): number {
  return requests.filter(
    (r) => (r.method === 'PUT' || (r.method === 'POST' && r.url.includes('uploadId'))) && r.url.includes(key),
  ).length;
}

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  root = await mkdtemp(join(tmpdir(), 'cas-store-'));
  files = new LocalFileStore(root);
});

describe('the hashed name', () => {
  it('keeps an extension only when it is one: the last, and the one before a compression suffix', () => {
    expect(extensionOf('report.pdf')).toBe('.pdf');
    expect(extensionOf('a/b/archive.tar.gz')).toBe('.tar.gz');
    expect(extensionOf('photo.JPEG')).toBe('.JPEG');
    expect(extensionOf('notes v2.final.txt')).toBe('.txt');
    expect(extensionOf('README')).toBe('');
    expect(extensionOf('.env')).toBe('');
    expect(extensionOf('dir/')).toBe('');
    expect(extensionOf('weird.ext with space')).toBe('');
    expect(extensionOf('x.abcdefghijklmnopq')).toBe(''); // 17 characters: not an extension
  });
});

describe('contentAddressed on put_object_text', () => {
  it('names the object by the SHA-256 of its bytes, stored with that SHA-256 as its checksum', async () => {
    const content = `hello content ${randomBytes(4).toString('hex')}\n`;
    const res = await invoke('put_object_text', {
      bucket,
      key: 'att/',
      content,
      contentAddressed: 'sha256',
    });
    if (!res.ok) throw new Error(res.error.message);
    const hex = sha256(content);
    expect(res.output).toMatchObject({
      key: `att/${hex}`,
      deduplicated: false,
      size: Buffer.byteLength(content),
      contentAddress: { algorithm: 'sha256', digest: hex, conditional: true, storeChecksum: 'object' },
    });
    expect(await cliSha256(`att/${hex}`)).toBe(hex);
    const head = await headChecksum(`att/${hex}`);
    expect(head.ChecksumSHA256).toBe(sha256b64(content));
    expect(res.output.checksum?.sha256).toBe(sha256b64(content));
  });

  it('stores the bytes as they are when the connection gzips their type (gzipContentTypes does not apply)', async () => {
    const content = `plain text ${randomBytes(4).toString('hex')}\n`;
    const connection = motoConnection({ defaults: { gzipContentTypes: ['text/*'] } });
    const res = await invoke(
      'put_object_text',
      { bucket, key: 'gz/', content, contentAddressed: 'sha256' },
      { connection },
    );
    if (!res.ok) throw new Error(res.error.message);
    const hex = sha256(content);
    expect(res.output.key).toBe(`gz/${hex}`);
    expect(res.output.contentEncoding).toBeUndefined();
    const head = JSON.parse(await aws(['s3api', 'head-object', '--bucket', bucket, '--key', `gz/${hex}`])) as {
      ContentEncoding?: string;
    };
    expect(head.ContentEncoding).toBeUndefined();
    expect(await cliSha256(`gz/${hex}`)).toBe(hex);
  });

  it('the same bytes twice store one object, and the second put uploads nothing', async () => {
    const rec = await recordingProxy();
    try {
      const connection = motoConnection({ endpoint: rec.endpoint });
      const input = { bucket, key: 'twice/', content: 'same bytes', contentAddressed: 'sha256' };
      const first = await invoke('put_object_text', input, { connection });
      if (!first.ok) throw new Error(first.error.message);
      const hex = sha256('same bytes');
      const before = uploadsTo(rec.requests, hex);
      expect(before).toBe(1);
      const second = await invoke('put_object_text', input, { connection });
      if (!second.ok) throw new Error(second.error.message);
      expect(second.output).toMatchObject({ key: `twice/${hex}`, deduplicated: true, etag: first.output.etag });
      expect(second.output.contentAddress).toMatchObject({ digest: hex, storeChecksum: 'object' });
      expect(uploadsTo(rec.requests, hex)).toBe(before);
      expect(rec.requests.filter((r) => r.method === 'HEAD' && r.url.includes(hex))).toHaveLength(2);
      expect(await keysUnder('twice/')).toEqual([`twice/${hex}`]);
    } finally {
      await rec.close();
    }
  });

  it('different bytes store different objects', async () => {
    const input = { bucket, key: 'diff/', contentAddressed: 'sha256' };
    const a = await invoke('put_object_text', { ...input, content: 'alpha' });
    const b = await invoke('put_object_text', { ...input, content: 'beta' });
    if (!a.ok || !b.ok) throw new Error('a put failed');
    expect(await keysUnder('diff/')).toEqual([`diff/${sha256('alpha')}`, `diff/${sha256('beta')}`].sort());
    expect(await cliSha256(b.output.key)).toBe(sha256('beta'));
  });

  it('keepExtension ends the name with the key name’s extension; a key without / names the bucket root', async () => {
    const content = `ext ${randomBytes(4).toString('hex')}`;
    const hex = sha256(content);
    const kept = await invoke('put_object_text', {
      bucket,
      key: 'ext/report.tar.gz',
      content,
      contentAddressed: 'sha256',
      keepExtension: true,
    });
    if (!kept.ok) throw new Error(kept.error.message);
    expect(kept.output.key).toBe(`ext/${hex}.tar.gz`);
    const rootLevel = await invoke('put_object_text', {
      bucket,
      key: 'notes.json',
      content,
      contentAddressed: 'sha256',
    });
    if (!rootLevel.ok) throw new Error(rootLevel.error.message);
    expect(rootLevel.output).toMatchObject({ key: hex, contentType: 'application/json; charset=utf-8' });
    expect((await headChecksum(hex)).ContentType).toBe('application/json; charset=utf-8');
    expect(await cliSha256(`ext/${hex}.tar.gz`)).toBe(hex);
  });

  it('racing writers of the same bytes store one version: one writes, the others are deduplicated', async () => {
    // moto 5.2.5's If-None-Match is not atomic (1 round in 50 of four free-running writers stored
    // two versions when measured): oneAtATime holds every writer's PUT until all four have been
    // sent (each after its HEAD found nothing), then lets them reach moto one at a time.
    const versioned = uniqueBucket('casv');
    await aws(['s3api', 'create-bucket', '--bucket', versioned]);
    await aws([
      's3api',
      'put-bucket-versioning',
      '--bucket',
      versioned,
      '--versioning-configuration',
      'Status=Enabled',
    ]);
    const writers = 4;
    for (let round = 0; round < 4; round++) {
      const content = `race ${round} ${randomBytes(8).toString('hex')}`;
      const hex = sha256(content);
      const gate = oneAtATime(writers, (req) => req.method === 'PUT' && req.url.pathname.endsWith(hex));
      const proxy = await interceptProxy(motoEndpoint(), gate.hook, gate.answered);
      try {
        const connection = motoConnection({ endpoint: proxy.endpoint, capabilities: { conditionalWrites: true } });
        const results = await Promise.all(
          Array.from({ length: writers }, () =>
            invoke(
              'put_object_text',
              { bucket: versioned, key: 'r/', content, contentAddressed: 'sha256' },
              { connection },
            ),
          ),
        );
        const outputs = results.map((r) => {
          if (!r.ok) throw new Error(r.error.message);
          return r.output;
        });
        const puts = proxy.seen.filter((r) => r.method === 'PUT');
        expect(
          puts.map((r) => r.headers['if-none-match']),
          `round ${round}`,
        ).toEqual(Array(writers).fill('*'));
        expect(
          outputs.filter((o) => o.deduplicated === false),
          `round ${round}`,
        ).toHaveLength(1);
        const versions = await awsJson<{ Versions?: { Key: string }[] }>([
          's3api',
          'list-object-versions',
          '--bucket',
          versioned,
          '--prefix',
          `r/${hex}`,
        ]);
        expect(versions.Versions ?? [], `round ${round}`).toHaveLength(1);
        expect(new Set(outputs.map((o) => o.versionId)).size).toBe(1);
      } finally {
        await proxy.close();
      }
    }
  });

  it('under a connection key prefix, the key is relative to it and the object stored under it', async () => {
    const connection = motoConnection({ defaults: { keyPrefix: 'tenants/9' } });
    const res = await invoke(
      'put_object_text',
      { bucket, key: 'files/', content: 'prefixed', contentAddressed: 'sha256' },
      { connection },
    );
    if (!res.ok) throw new Error(res.error.message);
    const hex = sha256('prefixed');
    expect(res.output).toMatchObject({ key: `files/${hex}`, storedKey: `tenants/9/files/${hex}` });
    expect(await cliSha256(`tenants/9/files/${hex}`)).toBe(hex);
    const again = await invoke(
      'put_object_text',
      { bucket, key: 'files/', content: 'prefixed', contentAddressed: 'sha256' },
      { connection },
    );
    expect(again.ok && again.output.deduplicated).toBe(true);
    // Outside the prefix the same name is free: a connection without it writes it anew.
    const plain = await invoke('put_object_text', {
      bucket,
      key: 'files/',
      content: 'prefixed',
      contentAddressed: 'sha256',
    });
    expect(plain.ok && plain.output.deduplicated).toBe(false);
  });

  it('on a store without conditional writes: HEAD then a plain put, said in the output', async () => {
    const seen = await interceptProxy(motoEndpoint());
    try {
      const connection = motoConnection({ endpoint: seen.endpoint, capabilities: { conditionalWrites: false } });
      const input = { bucket, key: 'nocond/', content: 'no conditions', contentAddressed: 'sha256' };
      const first = await invoke('put_object_text', input, { connection });
      if (!first.ok) throw new Error(first.error.message);
      expect(first.output).toMatchObject({ deduplicated: false, contentAddress: { conditional: false } });
      const puts = seen.seen.filter((r) => r.method === 'PUT');
      expect(puts).toHaveLength(1);
      expect(puts[0]!.headers['if-none-match']).toBeUndefined();
      expect(puts[0]!.headers['x-amz-checksum-sha256']).toBe(sha256b64('no conditions'));
      const second = await invoke('put_object_text', input, { connection });
      expect(second.ok && second.output.deduplicated).toBe(true);
      expect(seen.seen.filter((r) => r.method === 'PUT')).toHaveLength(1);
    } finally {
      await seen.close();
    }
  });

  it('sends If-None-Match: * where the store has conditional writes', async () => {
    const seen = await interceptProxy(motoEndpoint());
    try {
      const connection = motoConnection({ endpoint: seen.endpoint, capabilities: { conditionalWrites: true } });
      const res = await invoke(
        'put_object_text',
        { bucket, key: 'cond/', content: 'conditional', contentAddressed: 'sha256' },
        { connection },
      );
      if (!res.ok) throw new Error(res.error.message);
      const puts = seen.seen.filter((r) => r.method === 'PUT');
      expect(puts.map((r) => r.headers['if-none-match'])).toEqual(['*']);
    } finally {
      await seen.close();
    }
  });

  it('an object of other bytes already at the name is a conflict, and is left as it was', async () => {
    const hex = sha256('expected bytes');
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', `taken/${hex}`]);
    const res = await invoke('put_object_text', {
      bucket,
      key: 'taken/',
      content: 'expected bytes',
      contentAddressed: 'sha256',
    });
    expect(res.ok ? 'written' : [res.error.type, res.error.code]).toEqual(['conflict', 'ContentAddressTaken']);
    expect((await headChecksum(`taken/${hex}`)).ContentLength).toBe(0);
  });

  it('refuses contradictory inputs, naming each field, with nothing written', async () => {
    const base = { bucket, key: 'bad/', content: 'never stored', contentAddressed: 'sha256' };
    const cases: [Record<string, unknown>, string[]][] = [
      [{ onConflict: 'rename' }, ['onConflict']],
      [{ onConflict: 'fail' }, ['onConflict']],
      [{ ifMatch: '"abc"' }, ['ifMatch']],
      [{ ifNoneMatch: '*' }, ['ifNoneMatch']],
      [{ checksumAlgorithm: 'CRC32' }, ['checksumAlgorithm']],
      [{ gzip: true }, ['gzip']],
      [{ onConflict: 'rename', checksumAlgorithm: 'SHA1' }, ['onConflict', 'checksumAlgorithm']],
    ];
    for (const [extra, fields] of cases) {
      const res = await invoke('put_object_text', { ...base, ...extra });
      expect(res.ok ? 'written' : res.error.type, JSON.stringify(extra)).toBe('user_input');
      expect(problemFields(res)).toEqual(fields);
    }
    const alone = await invoke('put_object_text', { bucket, key: 'bad/x.txt', content: 'x', keepExtension: true });
    expect(problemFields(alone)).toEqual(['keepExtension']);
    const unknown = await invoke('put_object_text', { ...base, contentAddressed: 'md5' });
    expect(unknown.ok ? 'written' : unknown.error.type).toBe('user_input');
    expect(await keysUnder('bad/')).toEqual([]);
    // checksumAlgorithm SHA256 is what it sends anyway: accepted.
    const sha = await invoke('put_object_text', { ...base, checksumAlgorithm: 'SHA256' });
    expect(sha.ok && sha.output.key).toBe(`bad/${sha256('never stored')}`);
  });
});

describe('contentAddressed on put_object_file', () => {
  it('a file of the file store, multipart: hashed before the upload, each part checked by the store', async () => {
    const big = randomBytes(11 * 1024 * 1024);
    const hex = sha256(big);
    const url = await storeFile(big, 'big.bin');
    const seen = await interceptProxy(motoEndpoint());
    try {
      const connection = motoConnection({ endpoint: seen.endpoint });
      const input = {
        bucket,
        key: 'mp/',
        file: { url, name: 'big.bin' },
        partSizeMb: 5,
        contentAddressed: 'sha256',
        keepExtension: true,
      };
      const first = await invoke('put_object_file', input, { files, connection });
      if (!first.ok) throw new Error(first.error.message);
      expect(first.output).toMatchObject({
        key: `mp/${hex}.bin`,
        parts: 3,
        size: big.length,
        deduplicated: false,
        contentAddress: { digest: hex, storeChecksum: 'parts' },
      });
      // Each part went up with its own SHA-256 for the store to check.
      const parts = seen.seen.filter((r) => r.method === 'PUT' && r.url.searchParams.has('partNumber'));
      expect(parts.map((r) => r.headers['x-amz-checksum-sha256'])).toEqual(parts.map((r) => sha256b64(r.body)));
      expect(parts.map((r) => r.body.length).sort((a, b) => a - b)).toEqual([1, 5, 5].map((n) => n * 1024 * 1024));
      expect(await cliSha256(`mp/${hex}.bin`)).toBe(hex);
      // The store keeps the checksum of the parts' checksums (S3's COMPOSITE), computed here independently.
      const composite = createHash('sha256')
        .update(
          Buffer.concat(
            [0, 1, 2].map((i) =>
              createHash('sha256')
                .update(big.subarray(i * 5 * 1024 * 1024, (i + 1) * 5 * 1024 * 1024))
                .digest(),
            ),
          ),
        )
        .digest('base64');
      const head = await headChecksum(`mp/${hex}.bin`);
      expect(head.ChecksumSHA256?.replace(/-3$/, '')).toBe(composite);

      const sent = seen.seen.length;
      const again = await invoke('put_object_file', input, { files, connection });
      if (!again.ok) throw new Error(again.error.message);
      expect(again.output).toMatchObject({
        key: `mp/${hex}.bin`,
        deduplicated: true,
        size: big.length,
        contentAddress: { storeChecksum: 'parts' },
      });
      expect(seen.seen.slice(sent).map((r) => r.method)).toEqual(['HEAD']);
      expect(await keysUnder('mp/')).toEqual([`mp/${hex}.bin`]);
    } finally {
      await seen.close();
    }
  });

  it('a data: source, a single PUT carrying the whole SHA-256; the file’s name gives the extension', async () => {
    const bytes = Buffer.from(`a,b\n1,${randomBytes(3).toString('hex')}\n`);
    const hex = sha256(bytes);
    const res = await invoke('put_object_file', {
      bucket,
      key: 'data/',
      file: { url: `data:text/csv;base64,${bytes.toString('base64')}`, name: 'table.csv' },
      contentAddressed: 'sha256',
      keepExtension: true,
    });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({
      key: `data/${hex}.csv`,
      parts: 1,
      contentType: 'text/csv',
      contentAddress: { storeChecksum: 'object' },
    });
    expect((await headChecksum(`data/${hex}.csv`)).ChecksumSHA256).toBe(sha256b64(bytes));
    expect(await cliSha256(`data/${hex}.csv`)).toBe(hex);
  });

  it('a source that changes between its hash and its upload stores nothing', async () => {
    // A runtime's file store (the interface the runtime supplies) whose file changes after the first read.
    let opened = 0;
    const changing: FileStore = {
      open: async () => {
        opened++;
        const bytes = Buffer.from(opened === 1 ? 'version one' : 'version two');
        return { stream: Readable.from([bytes]), size: bytes.length };
      },
      create: () => files.create('unused'),
    };
    const res = await invoke(
      'put_object_file',
      { bucket, key: 'changing/', file: { url: 'file:///changing.txt' }, contentAddressed: 'sha256' },
      { files: changing },
    );
    expect(res.ok ? 'written' : [res.error.type, res.error.code]).toEqual(['conflict', 'SourceChanged']);
    expect(opened).toBe(2);
    expect(await keysUnder('changing/')).toEqual([]);
  });

  describe('an https:// source', () => {
    let server: ReturnType<typeof createServer>;
    let ca: TestCa | undefined;
    let port: number;
    let served = 0;
    const payload = randomBytes(300 * 1024);
    const savedCa = globalAgent.options.ca;

    beforeAll(async () => {
      ca = await makeTestCa();
      // The download uses node's default https agent: this test's process trusts its own CA there.
      globalAgent.options.ca = ca.caPem;
      server = createServer({ key: ca.serverKey, cert: ca.serverCert }, (req, res) => {
        served++;
        if (req.url === '/stalls.bin') {
          // Half the bytes, then nothing until the caller gives up.
          res.writeHead(200, { 'content-length': String(payload.length) });
          res.write(payload.subarray(0, payload.length / 2));
          return;
        }
        if (req.url === '/broken.bin') {
          res.writeHead(200, { 'content-length': String(payload.length) });
          res.write(payload.subarray(0, 1000), () => res.destroy());
          return;
        }
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.end(payload);
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      port = (server.address() as { port: number }).port;
    });

    afterAll(async () => {
      globalAgent.options.ca = savedCa;
      server?.close();
      await ca?.remove();
    });

    const spools = async () => (await readdir(tmpdir())).filter((n) => n.startsWith(SPOOL_PREFIX));

    it('is downloaded once into a private temp file, hashed, uploaded from it, and the file removed', async () => {
      const c = await loadConnector({
        allowedHttpsHosts: [`localhost:${port}`],
        allowPrivateNetworks: true,
        validateOutput: true,
      });
      try {
        const before = await spools();
        const hex = sha256(payload);
        const input = {
          bucket,
          key: 'web/',
          file: { url: `https://localhost:${port}/blob.bin` },
          contentAddressed: 'sha256',
        };
        served = 0;
        const res = await c.invoke('put_object_file', input, { connection: motoConnection(), files });
        if (!res.ok) throw new Error(res.error.message);
        expect(res.output).toMatchObject({ key: `web/${hex}`, deduplicated: false, size: payload.length });
        expect(served).toBe(1);
        expect(await cliSha256(`web/${hex}`)).toBe(hex);
        expect(await spools()).toEqual(before);
        const again = await c.invoke('put_object_file', input, { connection: motoConnection(), files });
        expect(again.ok && again.output.deduplicated).toBe(true);
        expect(await spools()).toEqual(before);

        // A download cut short: an error, nothing stored, and no temp file left.
        const broken = await c.invoke(
          'put_object_file',
          { ...input, key: 'broken/', file: { url: `https://localhost:${port}/broken.bin` } },
          { connection: motoConnection(), files },
        );
        expect(broken.ok).toBe(false);
        expect(await keysUnder('broken/')).toEqual([]);
        expect(await spools()).toEqual(before);

        // Write options that cannot be sent are refused before anything is downloaded.
        served = 0;
        const tooMuch = await c.invoke(
          'put_object_file',
          { ...input, metadata: { a: 'x'.repeat(1500), b: 'y'.repeat(1500) } },
          { connection: motoConnection(), files },
        );
        expect(tooMuch.ok ? 'written' : tooMuch.error.type).toBe('user_input');
        expect(served).toBe(0);

        // Cancelled while downloading: the temp file is there, then gone, and nothing is stored.
        const controller = new AbortController();
        const cancelled = c.invoke(
          'put_object_file',
          { ...input, key: 'cancelled/', file: { url: `https://localhost:${port}/stalls.bin` } },
          { connection: motoConnection(), files, signal: controller.signal },
        );
        await until(async () => (await spools()).length > before.length);
        const spooled = (await spools()).filter((n) => !before.includes(n));
        expect(spooled).toHaveLength(1);
        // Private: the folder 0700, the file 0600.
        expect((await stat(join(tmpdir(), spooled[0]!))).mode & 0o777).toBe(0o700);
        expect((await stat(join(tmpdir(), spooled[0]!, 'content'))).mode & 0o777).toBe(0o600);
        controller.abort();
        const res2 = await cancelled;
        expect(res2.ok).toBe(false);
        await until(async () => (await spools()).length === before.length);
        expect(await spools()).toEqual(before);
        expect(await keysUnder('cancelled/')).toEqual([]);
      } finally {
        c.close();
      }
    });
  });
});

// A connection's defaults (schemas/connection.json `defaults`) against moto, the aws cli reading
// what the connector stored: a key prefix no key can climb out of, stripped from what is
// listed; default write options on the stored object, an input value winning; a default
// signed-URL lifetime.
import { beforeAll, describe, expect, it } from 'vitest';
import type { S3Connection } from '../../src/generated/types.js';
import { aws, awsJson, invoke, motoConnection, uniqueBucket, until } from '../support/helpers.js';

const bucket = uniqueBucket('pfx');
/** Given without its trailing "/": the connector makes it a folder. */
const prefixed = motoConnection({ defaults: { keyPrefix: 'tenants/42' } });
const at = { connection: prefixed };

async function bucketKeys(): Promise<string[]> {
  const out = await awsJson<{ Contents?: { Key: string }[] }>(['s3api', 'list-objects-v2', '--bucket', bucket]);
  return (out.Contents ?? []).map((o) => o.Key).sort();
}

async function cliText(key: string): Promise<string> {
  return aws(['s3', 'cp', `s3://${bucket}/${key}`, '-']);
}

beforeAll(async () => {
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  // Objects beside the prefix: one at the top, one in a folder whose name starts like the prefix's.
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'outside.txt']);
  await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'tenants/420/other.txt']);
});

describe('connection key prefix', () => {
  it('writes, reads, lists, copies, signs and deletes under the prefix, keys relative to it', async () => {
    const put = await invoke('put_object_text', { bucket, key: 'docs/a.txt', content: 'alpha' }, at);
    if (!put.ok) throw new Error(put.error.message);
    expect(put.output).toMatchObject({ key: 'docs/a.txt', storedKey: 'tenants/42/docs/a.txt' });
    expect(await cliText('tenants/42/docs/a.txt')).toBe('alpha');

    const got = await invoke('get_object', { bucket, key: 'docs/a.txt', as: 'text' }, at);
    if (!got.ok) throw new Error(got.error.message);
    expect(got.output.text).toBe('alpha');

    const copied = await invoke('copy_object', { bucket, key: 'docs/a.txt', destinationKey: 'docs/b.txt' }, at);
    if (!copied.ok) throw new Error(copied.error.message);
    expect(await cliText('tenants/42/docs/b.txt')).toBe('alpha');

    const listed = await invoke('list_objects', { bucket }, at);
    if (!listed.ok) throw new Error(listed.error.message);
    expect(listed.output.objects.map((o: { key: string }) => o.key).sort()).toEqual(['docs/a.txt', 'docs/b.txt']);

    const folders = await invoke('list_objects', { bucket, delimiter: '/' }, at);
    if (!folders.ok) throw new Error(folders.error.message);
    expect(folders.output.folders).toEqual(['docs/']);

    const signed = await invoke('get_object_signed_url', { bucket, key: 'docs/a.txt' }, at);
    if (!signed.ok) throw new Error(signed.error.message);
    expect(new URL(signed.output.url).pathname).toBe(`/${bucket}/tenants/42/docs/a.txt`);
    expect(await (await fetch(signed.output.url)).text()).toBe('alpha');

    const deleted = await invoke('delete_objects', { bucket, objects: [{ key: 'docs/b.txt' }] }, at);
    if (!deleted.ok) throw new Error(deleted.error.message);
    expect(JSON.stringify(deleted.output)).toContain('"docs/b.txt"');
    expect(JSON.stringify(deleted.output)).not.toContain('tenants/42');
    expect(await bucketKeys()).toEqual(['outside.txt', 'tenants/42/docs/a.txt', 'tenants/420/other.txt']);
  });

  it('refuses every key that would climb out of the prefix, before anything is written', async () => {
    const before = await bucketKeys();
    const bad = ['../outside.txt', 'docs/../../outside.txt', '/outside.txt', '..', 'docs/..'];
    for (const key of bad) {
      const attempts = [
        invoke('put_object_text', { bucket, key, content: 'overwritten' }, at),
        invoke('get_object', { bucket, key }, at),
        invoke('delete_object', { bucket, key }, at),
        invoke('copy_object', { bucket, key: 'docs/a.txt', destinationKey: key }, at),
        invoke('delete_objects', { bucket, objects: [{ key: 'docs/a.txt' }, { key }] }, at),
        invoke('get_object_signed_url', { bucket, key, method: 'PUT' }, at),
        invoke('put_object_tagging', { bucket, key, tags: { a: 'b' } }, at),
      ];
      for (const res of await Promise.all(attempts)) {
        expect(res.ok, key).toBe(false);
        if (!res.ok) expect([key, res.error.type, res.error.code]).toEqual([key, 'user_input', 'KeyOutsidePrefix']);
      }
    }
    for (const prefix of ['../', '/', 'docs/../../']) {
      const res = await invoke('list_objects', { bucket, prefix }, at);
      expect(res.ok ? 'listed' : [res.error.type, res.error.code]).toEqual(['user_input', 'KeyOutsidePrefix']);
    }
    // Nothing was written, deleted or overwritten, inside or outside the prefix.
    expect(await bucketKeys()).toEqual(before);
    expect(await cliText('outside.txt')).toBe('');
    expect(await cliText('tenants/42/docs/a.txt')).toBe('alpha');
  });

  it('moves, moves a folder, lists versions, polls for new objects and deletes a folder inside the prefix only', async () => {
    for (const key of ['mv/1.txt', 'mv/2.txt', 'one.txt'])
      expect((await invoke('put_object_text', { bucket, key, content: key }, at)).ok).toBe(true);
    const moved = await invoke('move_object', { bucket, key: 'one.txt', destinationKey: 'moved/one.txt' }, at);
    if (!moved.ok) throw new Error(moved.error.message);
    expect(moved.output.destination.key).toBe('moved/one.txt');
    const batch = await invoke('move_objects', { bucket, prefix: 'mv/', destinationPrefix: 'mv2/' }, at);
    if (!batch.ok) throw new Error(batch.error.message);
    expect(JSON.stringify(batch.output)).not.toContain('tenants/');
    expect(await bucketKeys()).toEqual([
      'outside.txt',
      'tenants/42/docs/a.txt',
      'tenants/42/moved/one.txt',
      'tenants/42/mv2/1.txt',
      'tenants/42/mv2/2.txt',
      'tenants/420/other.txt',
    ]);

    const versions = await invoke('list_object_versions', { bucket, prefix: 'mv2/' }, at);
    if (!versions.ok) throw new Error(versions.error.message);
    expect(versions.output.versions.map((v: { key: string }) => v.key).sort()).toEqual(['mv2/1.txt', 'mv2/2.txt']);

    const polled = await invoke('new_object', { bucket, since: '2000-01-01T00:00:00Z' }, at);
    if (!polled.ok) throw new Error(polled.error.message);
    const polledKeys = polled.output.events.map((e: { key: string }) => e.key).sort();
    expect(polledKeys).toEqual(['docs/a.txt', 'moved/one.txt', 'mv2/1.txt', 'mv2/2.txt']);

    const removed = await invoke('delete_prefix', { bucket, prefix: 'mv2/' }, at);
    if (!removed.ok) throw new Error(removed.error.message);
    expect(removed.output.counts).toMatchObject({ deleted: 2 });
    // The whole of this connection's bucket is its prefix: what lies beside it stays.
    const all = await invoke('delete_prefix', { bucket, prefix: '', confirmEntireBucket: true }, at);
    if (!all.ok) throw new Error(all.error.message);
    expect(await bucketKeys()).toEqual(['outside.txt', 'tenants/420/other.txt']);
    expect((await invoke('put_object_text', { bucket, key: 'docs/a.txt', content: 'alpha' }, at)).ok).toBe(true);
  });

  it('an empty key after the prefix is refused', async () => {
    const res = await invoke('put_object_text', { bucket, key: '', content: 'x' }, at);
    expect(res.ok).toBe(false);
    if (!res.ok) expect(res.error.type).toBe('user_input');
  });
});

describe('connection key prefix on object events', () => {
  it('filters the notification to the prefix and gives events relative to it; others are left on the queue', async () => {
    const events = uniqueBucket('pfxev');
    const queue = `${events}-q`;
    await aws(['s3api', 'create-bucket', '--bucket', events]);
    const conf = await invoke(
      'configure_object_events',
      { bucket: events, queue, createQueue: true, prefix: 'in/' },
      at,
    );
    if (!conf.ok) throw new Error(conf.error.message);
    const config = await awsJson<{ QueueConfigurations: { Filter: { Key: { FilterRules: unknown[] } } }[] }>([
      's3api',
      'get-bucket-notification-configuration',
      '--bucket',
      events,
    ]);
    expect(config.QueueConfigurations[0]?.Filter.Key.FilterRules).toEqual([
      { Name: 'prefix', Value: 'tenants/42/in/' },
    ]);

    await aws(['s3api', 'put-object', '--bucket', events, '--key', 'tenants/42/in/x.txt']);
    // An event about a key beside the prefix, as another bucket's notification would send it.
    const record = {
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: { bucket: { name: events }, object: { key: 'elsewhere.txt' } },
    };
    await aws([
      'sqs',
      'send-message',
      '--queue-url',
      conf.output.queueUrl,
      '--message-body',
      JSON.stringify({ Records: [record] }),
    ]);

    const seen: Record<string, unknown>[] = [];
    let outside = 0;
    await until(async () => {
      const res = await invoke('object_events', { queue, waitSeconds: 1, visibilityTimeout: 600 }, at);
      if (!res.ok) throw new Error(res.error.message);
      seen.push(...res.output.events);
      outside += res.output.outsidePrefix ?? 0;
      return seen.length >= 1 && outside >= 1;
    });
    expect(seen.map((e) => [e.key, e.storedKey])).toEqual([['in/x.txt', 'tenants/42/in/x.txt']]);
    expect(outside).toBe(1);
  });
});

describe('connection write defaults', () => {
  const defaults: NonNullable<S3Connection['defaults']> = {
    acl: 'public-read',
    serverSideEncryption: 'aws:kms',
    sseKmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    bucketKeyEnabled: true,
    storageClass: 'STANDARD_IA',
    cacheControl: 'max-age=86400',
    contentDisposition: 'attachment',
    metadata: { origin: 'defaults' },
    tags: { team: 'flows' },
    signedUrlExpiresIn: 120,
  };
  const withDefaults = { connection: motoConnection({ defaults }) };

  async function head(key: string) {
    return awsJson(['s3api', 'head-object', '--bucket', bucket, '--key', key]);
  }
  async function tags(key: string) {
    const out = await awsJson<{ TagSet: { Key: string; Value: string }[] }>([
      's3api',
      'get-object-tagging',
      '--bucket',
      bucket,
      '--key',
      key,
    ]);
    return Object.fromEntries(out.TagSet.map((t) => [t.Key, t.Value]));
  }
  async function publicRead(key: string): Promise<boolean> {
    const acl = await awsJson<{ Grants: { Grantee: { URI?: string }; Permission: string }[] }>([
      's3api',
      'get-object-acl',
      '--bucket',
      bucket,
      '--key',
      key,
    ]);
    return acl.Grants.some((g) => g.Grantee.URI?.endsWith('/global/AllUsers') && g.Permission === 'READ');
  }

  it('lands every default on an object whose input sets none', async () => {
    const res = await invoke('put_object_text', { bucket, key: 'defaults/plain.txt', content: 'x' }, withDefaults);
    if (!res.ok) throw new Error(res.error.message);
    expect(await head('defaults/plain.txt')).toMatchObject({
      ServerSideEncryption: 'aws:kms',
      SSEKMSKeyId: defaults.sseKmsKeyId,
      BucketKeyEnabled: true,
      StorageClass: 'STANDARD_IA',
      CacheControl: 'max-age=86400',
      ContentDisposition: 'attachment',
      Metadata: { origin: 'defaults' },
    });
    expect(await tags('defaults/plain.txt')).toEqual({ team: 'flows' });
    expect(await publicRead('defaults/plain.txt')).toBe(true);
  });

  it('an input value wins over its default (encryption as a whole)', async () => {
    const res = await invoke(
      'put_object_text',
      {
        bucket,
        key: 'defaults/own.txt',
        content: 'x',
        acl: 'private',
        serverSideEncryption: 'AES256',
        storageClass: 'ONEZONE_IA',
        cacheControl: 'no-cache',
        metadata: { origin: 'input' },
        tags: { team: 'other' },
      },
      withDefaults,
    );
    if (!res.ok) throw new Error(res.error.message);
    const h = await head('defaults/own.txt');
    expect(h).toMatchObject({
      ServerSideEncryption: 'AES256',
      StorageClass: 'ONEZONE_IA',
      CacheControl: 'no-cache',
      ContentDisposition: 'attachment', // not set by the input: the default
      Metadata: { origin: 'input' },
    });
    expect(h.SSEKMSKeyId).toBeUndefined();
    expect(h.BucketKeyEnabled).toBeUndefined();
    expect(await tags('defaults/own.txt')).toEqual({ team: 'other' });
    expect(await publicRead('defaults/own.txt')).toBe(false);
  });

  it('a copy takes the object-level defaults, and keeps its source metadata unless told to replace it', async () => {
    await aws(['s3api', 'put-object', '--bucket', bucket, '--key', 'defaults/src.txt', '--metadata', 'origin=source']);
    const res = await invoke(
      'copy_object',
      { bucket, key: 'defaults/src.txt', destinationKey: 'defaults/copy.txt' },
      withDefaults,
    );
    if (!res.ok) throw new Error(res.error.message);
    expect(await head('defaults/copy.txt')).toMatchObject({
      StorageClass: 'STANDARD_IA',
      ServerSideEncryption: 'aws:kms',
      Metadata: { origin: 'source' },
    });
  });

  it('a signed URL lives the default lifetime unless the input says otherwise', async () => {
    const byDefault = await invoke('get_object_signed_url', { bucket, key: 'defaults/plain.txt' }, withDefaults);
    const own = await invoke(
      'get_object_signed_url',
      { bucket, key: 'defaults/plain.txt', expiresIn: 30 },
      withDefaults,
    );
    if (!byDefault.ok || !own.ok) throw new Error('signing failed');
    expect(new URL(byDefault.output.url).searchParams.get('X-Amz-Expires')).toBe('120');
    expect(new URL(own.output.url).searchParams.get('X-Amz-Expires')).toBe('30');
  });

  it('refuses defaults the schema does not allow', async () => {
    const bad = [{ keyPrefix: '../up' }, { keyPrefix: '/abs' }, { sseKmsKeyId: 'k' }, { signedUrlExpiresIn: 604801 }];
    for (const d of bad) {
      const res = await invoke(
        'put_object_text',
        { bucket, key: 'never.txt', content: 'x' },
        { connection: motoConnection({ defaults: d as never }) },
      );
      expect(res.ok ? 'written' : res.error.type, JSON.stringify(d)).toBe('user_input');
    }
    expect(await bucketKeys()).not.toContain('never.txt');
  });
});

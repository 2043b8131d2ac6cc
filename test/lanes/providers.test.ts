// Provider presets (src/providers/*.json): every preset gives a connection the schema accepts and
// whose endpoint is the provider's documented form (the URLs below are the providers' own docs,
// as each data file cites them); a field the connection sets wins; a region or endpoint the
// provider cannot take is user_input before anything; presets with a user-given endpoint work end
// to end against moto (the aws cli reading back); and a capability a preset says the store lacks
// is refused with no probe, counted at a recording proxy in front of moto.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Connection } from '../../src/generated/types.js';
import { ClientCache } from '../../src/runtime/clients.js';
import { PROVIDERS, resolveProvider, type ProviderPreset } from '../../src/runtime/providers.js';
import { STORE_CAPABILITIES } from '../../src/runtime/vocabulary.js';
import { aws, awsJson, motoConnection, motoEndpoint, testConnector, uniqueBucket } from '../support/helpers.js';
import { interceptProxy, type InterceptProxy } from '../support/interceptProxy.js';

const folder = fileURLToPath(new URL('../../src/providers/', import.meta.url));
const files = readdirSync(folder).filter((f) => f.endsWith('.json'));
const CREDENTIALS = {
  type: 'accessKey',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG',
} as const;

/** A connection per preset, and the endpoint its provider documents for it. */
const DOCUMENTED: { connection: S3Connection; endpoint: string | undefined; pathStyle: boolean; docs: string }[] = [
  // https://docs.aws.amazon.com/general/latest/gr/s3.html: s3.<region>.amazonaws.com, the SDK's own
  { connection: { provider: 'aws', region: 'eu-west-1' }, endpoint: undefined, pathStyle: false, docs: 'aws' },
  // https://developers.cloudflare.com/r2/api/s3/api/: https://<ACCOUNT_ID>.r2.cloudflarestorage.com, region auto
  {
    connection: { provider: 'r2', region: 'auto', accountId: '0123456789abcdef0123456789abcdef' },
    endpoint: 'https://0123456789abcdef0123456789abcdef.r2.cloudflarestorage.com',
    pathStyle: true,
    docs: 'r2',
  },
  // https://min.io/docs/minio/linux/reference/s3-api-compatibility.html: your server, path style
  {
    connection: { provider: 'minio', region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' },
    endpoint: 'http://127.0.0.1:9000',
    pathStyle: true,
    docs: 'minio',
  },
  // https://www.backblaze.com/docs/cloud-storage-s3-compatible-api: https://s3.<region>.backblazeb2.com
  {
    connection: { provider: 'backblaze', region: 'us-west-004' },
    endpoint: 'https://s3.us-west-004.backblazeb2.com',
    pathStyle: false,
    docs: 'backblaze',
  },
  // https://docs.wasabi.com/docs/what-are-the-service-urls-for-wasabi-s-different-storage-regions
  {
    connection: { provider: 'wasabi', region: 'eu-central-1' },
    endpoint: 'https://s3.eu-central-1.wasabisys.com',
    pathStyle: false,
    docs: 'wasabi',
  },
  // https://docs.digitalocean.com/products/spaces/how-to/use-aws-sdks/: https://<region>.digitaloceanspaces.com
  {
    connection: { provider: 'digitalocean', region: 'nyc3' },
    endpoint: 'https://nyc3.digitaloceanspaces.com',
    pathStyle: false,
    docs: 'digitalocean',
  },
  // https://cloud.google.com/storage/docs/aws-simple-migration: https://storage.googleapis.com, region auto
  {
    connection: { provider: 'gcs', region: 'auto' },
    endpoint: 'https://storage.googleapis.com',
    pathStyle: true,
    docs: 'gcs',
  },
  // https://docs.ceph.com/en/latest/radosgw/s3/: your gateway
  {
    connection: { provider: 'ceph', region: 'default', endpoint: 'https://rgw.example.internal:7480' },
    endpoint: 'https://rgw.example.internal:7480',
    pathStyle: true,
    docs: 'ceph',
  },
  {
    connection: { provider: 'other', region: 'us-east-1', endpoint: 'https://s3.example.net' },
    endpoint: 'https://s3.example.net',
    pathStyle: true,
    docs: 'other',
  },
];

describe('provider files', () => {
  it('one file per provider the schema offers, first in the connection form; each well formed and citing its docs', async () => {
    const schema = (await testConnector()).connectionSchema as {
      properties: Record<string, { oneOf?: { const: string }[] }>;
    };
    expect(Object.keys(schema.properties)[0]).toBe('provider');
    const offered = (schema.properties.provider?.oneOf ?? []).map((c) => c.const);
    expect(files.map((f) => f.replace(/\.json$/, '')).sort()).toEqual([...offered].sort());
    expect(Object.keys(PROVIDERS)).toEqual(offered);
    for (const file of files) {
      const preset = JSON.parse(readFileSync(`${folder}${file}`, 'utf8')) as ProviderPreset;
      expect(`${preset.name}.json`).toBe(file);
      expect(preset.docs.length).toBeGreaterThan(0);
      for (const url of preset.docs) expect(url).toMatch(/^https:\/\/[a-z0-9.-]+\//);
      for (const c of preset.lacks) expect(STORE_CAPABILITIES).toContain(c);
      expect(['WHEN_SUPPORTED', 'WHEN_REQUIRED']).toContain(preset.checksums);
      expect(typeof preset.forcePathStyle).toBe('boolean');
      if (preset.endpoint) expect(preset.endpoint).toMatch(/^https:\/\/[a-z0-9.{}-]+$/i);
    }
  });
});

describe('every preset', () => {
  it.each(DOCUMENTED.map((d) => [d.docs, d] as const))(
    '%s: the schema accepts it and its endpoint is the documented one',
    async (_, { connection, endpoint, pathStyle }) => {
      const full = { ...connection, credentials: CREDENTIALS };
      const resolved = resolveProvider(full);
      expect(resolved.endpoint).toBe(endpoint);
      expect(resolved.forcePathStyle).toBe(pathStyle);
      const preset = PROVIDERS[connection.provider as keyof typeof PROVIDERS];
      for (const c of preset.lacks) expect(resolved.capabilities?.[c]).toBe(false);
      // Through the connector: the schema accepts it, and the store URL it answers is on that endpoint.
      const res = await (await testConnector()).invoke(
        'get_object_url',
        { bucket: 'my-bucket', key: 'a b.txt' },
        { connection: full },
      );
      if (!res.ok) throw new Error(`${res.error.type}: ${res.error.message}`);
      const expected = endpoint
        ? pathStyle
          ? `${endpoint}/my-bucket/a%20b.txt`
          : `${endpoint.replace('://', '://my-bucket.')}/a%20b.txt`
        : `https://my-bucket.s3.${connection.region}.amazonaws.com/a%20b.txt`;
      expect(res.output.url).toBe(expected);
      // The client made of it: that endpoint, and the preset's checksum mode.
      const clients = new ClientCache();
      try {
        const client = clients.get(resolved);
        expect(await client.config.requestChecksumCalculation()).toBe(preset.checksums);
        if (endpoint) {
          const at = await client.config.endpoint?.();
          expect(`${at?.protocol}//${at?.hostname}${at?.port ? `:${at.port}` : ''}`).toBe(endpoint);
        }
      } finally {
        clients.close();
      }
    },
  );

  it('a field the connection sets wins over the preset', () => {
    const set = resolveProvider({
      provider: 'backblaze',
      region: 'us-west-004',
      endpoint: 'https://b2.proxy.example',
      forcePathStyle: true,
      capabilities: { acl: true },
    });
    expect(set).toMatchObject({ endpoint: 'https://b2.proxy.example', forcePathStyle: true });
    expect(set.capabilities).toEqual({ acl: true, tagsOnPut: false });
    // Without a provider, nothing changes.
    const none = { region: 'us-east-1', endpoint: 'http://127.0.0.1:9000' };
    expect(resolveProvider(none)).toBe(none);
  });

  it.each([
    ['r2 in an AWS region', { provider: 'r2', region: 'eu-west-1', accountId: 'abc' }, 'region'],
    ['r2 without its account ID', { provider: 'r2', region: 'auto' }, 'accountId'],
    ['minio without an endpoint', { provider: 'minio', region: 'us-east-1' }, 'endpoint'],
    ['other without an endpoint', { provider: 'other', region: 'us-east-1' }, 'endpoint'],
    ['backblaze with an AWS-shaped region', { provider: 'backblaze', region: 'us-west-2' }, 'region'],
    ['digitalocean with an AWS region', { provider: 'digitalocean', region: 'eu-west-1' }, 'region'],
    ['aws with an unknown region', { provider: 'aws', region: 'eu-wset-1' }, 'region'],
  ] as const)('%s is user_input, before any request', async (_, connection, field) => {
    const res = await (await testConnector()).invoke(
      'head_bucket',
      { bucket: 'my-bucket' },
      { connection: { ...connection, credentials: CREDENTIALS, maxAttempts: 1 } as S3Connection },
    );
    expect(res.ok ? res.output : res.error).toMatchObject({ type: 'user_input' });
    const problems = ((res.ok ? {} : res.error.details) as { problems?: { field: string }[] }).problems ?? [];
    expect(problems.map((p) => p.field)).toContain(field);
  });
});

describe('presets against moto', () => {
  const bucket = uniqueBucket('prov');
  let proxy: InterceptProxy;
  beforeAll(async () => {
    await aws(['s3api', 'create-bucket', '--bucket', bucket]);
    proxy = await interceptProxy(motoEndpoint());
  });
  afterAll(() => proxy.close());

  it.each(['minio', 'other'] as const)('%s: put, list, get and delete, the aws cli reading back', async (provider) => {
    const connection = motoConnection({ provider });
    const c = await testConnector();
    const key = `${provider}/naïve + file.txt`;
    const put = await c.invoke('put_object_text', { bucket, key, content: `from ${provider}` }, { connection });
    expect(put.ok ? put.output : put.error).toMatchObject({ key });
    expect(await aws(['s3', 'cp', `s3://${bucket}/${key}`, '-'])).toBe(`from ${provider}`);
    const listed = await c.invoke('list_objects', { bucket, prefix: `${provider}/` }, { connection });
    expect(listed.ok && listed.output.objects.map((o) => o.key)).toEqual([key]);
    const got = await c.invoke('get_object', { bucket, key, as: 'text' }, { connection });
    expect(got.ok && got.output.text).toBe(`from ${provider}`);
    const gone = await c.invoke('delete_object', { bucket, key }, { connection });
    expect(gone.ok).toBe(true);
    expect(
      (
        await awsJson<{ Contents?: unknown[] }>([
          's3api',
          'list-objects-v2',
          '--bucket',
          bucket,
          '--prefix',
          `${provider}/`,
        ])
      ).Contents,
    ).toBeUndefined();
  });

  it('a capability the preset says is lacking is refused with no probe; without the preset the probe runs', async () => {
    const c = await testConnector();
    const input = { bucket, key: 'acl.txt', content: 'x', acl: 'public-read' };
    const before = proxy.seen.length;
    const lacking = await c.invoke('put_object_text', input, {
      connection: motoConnection({ provider: 'minio', endpoint: proxy.endpoint }),
    });
    expect(lacking.ok ? lacking.output : lacking.error).toMatchObject({
      type: 'unsupported',
      code: 'StoreCapability',
      details: { capability: 'acl', detected: false },
    });
    expect(proxy.seen.length - before, 'requests sent for a capability the preset rules out').toBe(0);
    expect(
      (await awsJson<{ Contents?: unknown[] }>(['s3api', 'list-objects-v2', '--bucket', bucket, '--prefix', 'acl']))
        .Contents,
    ).toBeUndefined();

    const probed = await c.invoke('put_object_text', input, {
      connection: motoConnection({ provider: 'other', endpoint: proxy.endpoint }),
    });
    expect(probed.ok ? probed.output : probed.error).toMatchObject({ key: 'acl.txt' });
    const sent = proxy.seen.slice(before);
    expect(sent.some((r) => decodeURIComponent(r.url.pathname).includes('.s3-connector-capability-probe/'))).toBe(true);
  });
});

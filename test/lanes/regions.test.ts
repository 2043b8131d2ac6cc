// Region names without a custom endpoint: checked against the AWS SDK's own partition data before
// any request. Amazon S3 is not reachable from the tests, so calls without an endpoint go to an
// in-process request handler that counts what reaches it (DNS and sockets only happen behind it).
import { spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { partition } from '@aws-sdk/core/client';
import { describe, expect, it } from 'vitest';
import { loadConnector } from '../../src/index.js';
import { awsRegionData, checkRegion, editDistance, nearestRegions } from '../../src/runtime/regions.js';
import type { S3Connection } from '../../src/generated/types.js';
import { motoConnection, testConnector } from '../support/helpers.js';

const creds = { type: 'accessKey', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'stand-in-secret-0001' } as const;
const LIST_BUCKETS =
  '<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult><Buckets></Buckets><Owner><ID>abc</ID></Owner></ListAllMyBucketsResult>';

/** A request handler that answers every request at once with an empty bucket list, and records its host. */
function inProcessS3() {
  const hosts: string[] = [];
  const handler = {
    metadata: { handlerProtocol: 'http/1.1' },
    handle(request: { hostname: string }) {
      hosts.push(request.hostname);
      return Promise.resolve({
        response: {
          statusCode: 200,
          headers: { 'content-type': 'application/xml' },
          body: new TextEncoder().encode(LIST_BUCKETS),
        },
      });
    },
    updateHttpClientConfig() {},
    httpHandlerConfigs() {
      return {};
    },
    destroy() {},
  };
  return { hosts, handler };
}

async function offlineConnector() {
  const s3 = inProcessS3();
  const connector = await loadConnector({ validateOutput: true, clientOverrides: { requestHandler: s3.handler } });
  return { connector, hosts: s3.hosts };
}

describe('a region that is not an AWS region (no endpoint)', () => {
  it('us-east-9 is user_input naming the nearest regions, and nothing is sent', async () => {
    const { connector, hosts } = await offlineConnector();
    const res = await connector.invoke('list_buckets', {}, { connection: { region: 'us-east-9', credentials: creds } });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'UnknownRegion',
      retryable: false,
      details: { region: 'us-east-9', suggestions: ['us-east-1', 'us-east-2'], problems: [{ field: 'region' }] },
    });
    expect(res.ok ? '' : res.error.message).toMatch(
      /^Invalid connection: region "us-east-9" is not an AWS region \(did you mean us-east-1 or us-east-2\?\)\./,
    );
    expect(hosts).toEqual([]);
    connector.close();
  });

  it('a well-formed name the SDK does not list yet says how to reach a new region; with that endpoint it is sent', async () => {
    const { connector, hosts } = await offlineConnector();
    const res = await connector.invoke(
      'list_buckets',
      {},
      { connection: { region: 'ap-southeast-9', credentials: creds } },
    );
    expect(res.ok ? null : res.error).toMatchObject({ type: 'user_input', code: 'UnknownRegion' });
    const message = res.ok ? '' : res.error.message;
    expect(message).toMatch(/did you mean ap-southeast-1, ap-southeast-2 or ap-southeast-3\?/);
    expect(message).toMatch(
      /update the AWS SDK packages, or set the connection's endpoint to https:\/\/s3\.ap-southeast-9\.amazonaws\.com\./,
    );
    expect(message).toContain(`@aws-sdk/core ${awsRegionData()!.sdkVersion}`);
    expect(hosts).toEqual([]);

    const named = await connector.invoke(
      'list_buckets',
      {},
      {
        connection: {
          region: 'ap-southeast-9',
          endpoint: 'https://s3.ap-southeast-9.amazonaws.com',
          forcePathStyle: false,
          credentials: creds,
        },
      },
    );
    expect(named.ok).toBe(true);
    expect(hosts).toEqual(['s3.ap-southeast-9.amazonaws.com']);
    connector.close();
  });

  it('a name outside every partition is refused without the new-region advice', async () => {
    const { connector, hosts } = await offlineConnector();
    const res = await connector.invoke('list_buckets', {}, { connection: { region: 'uk-east-1', credentials: creds } });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'UnknownRegion',
      details: { suggestions: ['us-east-1'] },
    });
    expect(res.ok ? '' : res.error.message).not.toMatch(/update the AWS SDK/);
    expect(hosts).toEqual([]);
    connector.close();
  });

  it('testConnection refuses it too, before any request', async () => {
    const { connector, hosts } = await offlineConnector();
    const res = await connector.testConnection({ region: 'eu-wset-1', credentials: creds });
    expect(res.ok ? null : res.error).toMatchObject({
      type: 'user_input',
      code: 'UnknownRegion',
      details: { suggestions: ['eu-west-1'] },
    });
    expect(hosts).toEqual([]);
    connector.close();
  });
});

describe('real regions (no endpoint)', () => {
  it('are sent to Amazon S3 in their partition', async () => {
    const { connector, hosts } = await offlineConnector();
    for (const region of ['us-east-1', 'eu-west-1', 'cn-north-1', 'us-gov-west-1']) {
      const res = await connector.invoke('list_buckets', {}, { connection: { region, credentials: creds } });
      expect(res.ok ? res.output : res.error).toMatchObject({ count: 0 });
    }
    expect(hosts).toEqual([
      's3.us-east-1.amazonaws.com',
      's3.eu-west-1.amazonaws.com',
      's3.cn-north-1.amazonaws.com.cn',
      's3.us-gov-west-1.amazonaws.com',
    ]);
    connector.close();
  });

  it("are exactly the regions the SDK's own endpoint data lists (its public partition() as the oracle)", () => {
    const data = awsRegionData();
    expect(data).not.toBeNull();
    const all = data!.partitions.flatMap((p) => p.regions);
    expect(all).toEqual(
      expect.arrayContaining(['us-east-1', 'eu-central-1', 'ap-southeast-2', 'cn-northwest-1', 'us-gov-east-1']),
    );
    expect(all).not.toContain('aws-global'); // listed by the SDK, but a pseudo-region outside its partition's regionRegex
    for (const region of all) {
      expect(partition(region)).toHaveProperty('description'); // the SDK resolves it as a listed region
      expect(() => checkRegion({ region } as S3Connection)).not.toThrow();
    }
    expect(partition('us-east-9')).not.toHaveProperty('description');
    expect(() => checkRegion({ region: 'us-east-9' } as S3Connection)).toThrow(/not an AWS region/);
  });
});

describe('with a custom endpoint', () => {
  it("any region is the store's: us-east-9 against moto works", async () => {
    const c = await testConnector();
    const res = await c.invoke('list_buckets', {}, { connection: motoConnection({ region: 'us-east-9' }) });
    expect(res.ok ? 'ok' : res.error).toBe('ok');
  });
});

describe('nearest region', () => {
  it("is by edit distance, ties kept in the data's order, at most three", () => {
    expect(editDistance('us-east-9', 'us-east-1')).toBe(1);
    expect(editDistance('eu-wset-1', 'eu-west-1')).toBe(2);
    expect(editDistance('', 'abc')).toBe(3);
    expect(nearestRegions('us-east-9', ['eu-west-1', 'us-east-1', 'us-east-2'])).toEqual(['us-east-1', 'us-east-2']);
    expect(nearestRegions('a-1', ['a-2', 'a-3', 'a-4', 'a-5'])).toEqual(['a-2', 'a-3', 'a-4']);
  });
});

describe('command line', () => {
  const CLI = join(resolve(dirname(fileURLToPath(import.meta.url)), '..', '..'), 'dist', 'src', 'cli', 'main.js');

  it("a typo'd region is exit 1 (the request cannot succeed), not a retryable network error", async () => {
    const child = spawn(
      process.execPath,
      [CLI, 'invoke', 'list_buckets', '-c', JSON.stringify({ region: 'us-east-9', credentials: creds })],
      {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const code = await new Promise<number | null>((done, fail) => {
      child.on('error', fail);
      child.on('close', done);
    });
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({
      ok: false,
      error: { type: 'user_input', code: 'UnknownRegion', retryable: false },
    });
    expect(stderr).toMatch(
      /error \(user_input, UnknownRegion\): Invalid connection: region "us-east-9" is not an AWS region \(did you mean us-east-1/,
    );
  });
});

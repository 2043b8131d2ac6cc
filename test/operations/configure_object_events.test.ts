// configure_object_events against moto (S3 and SQS on one endpoint), checked with the aws cli.
import { describe, expect, it } from 'vitest';
import { aws, awsJson, invoke, uniqueBucket } from '../support/helpers.js';

interface Notifications {
  QueueConfigurations?: {
    Id: string;
    QueueArn: string;
    Events: string[];
    Filter?: { Key: { FilterRules: { Name: string; Value: string }[] } };
  }[];
}

async function newBucket(): Promise<string> {
  const bucket = uniqueBucket('coe');
  await aws(['s3api', 'create-bucket', '--bucket', bucket]);
  return bucket;
}

const notifications = (bucket: string) =>
  awsJson<Notifications>(['s3api', 'get-bucket-notification-configuration', '--bucket', bucket]);

describe('configure_object_events', () => {
  it('creates the queue, lets the bucket send to it, and sets the notification; again, it changes nothing more', async () => {
    const bucket = await newBucket();
    const res = await invoke('configure_object_events', {
      bucket,
      queue: `${bucket}-events`,
      createQueue: true,
      prefix: 'in/',
      suffix: '.csv',
    });
    if (!res.ok) throw new Error(res.error.message);
    expect(res.output).toMatchObject({
      bucket,
      configurationId: 's3-connector-object-events',
      events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
      policyUpdated: true,
      otherConfigurations: 0,
    });
    const { QueueUrl } = await awsJson<{ QueueUrl: string }>([
      'sqs',
      'get-queue-url',
      '--queue-name',
      `${bucket}-events`,
    ]);
    expect(res.output.queueUrl).toBe(QueueUrl);
    const { Attributes } = await awsJson<{ Attributes: { QueueArn: string; Policy: string } }>([
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      QueueUrl,
      '--attribute-names',
      'QueueArn',
      'Policy',
    ]);
    expect(res.output.queueArn).toBe(Attributes.QueueArn);
    expect(JSON.parse(Attributes.Policy).Statement).toEqual([
      expect.objectContaining({
        Effect: 'Allow',
        Principal: { Service: 's3.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: Attributes.QueueArn,
        Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } },
      }),
    ]);
    const config = await notifications(bucket);
    expect(config.QueueConfigurations).toEqual([
      expect.objectContaining({
        Id: 's3-connector-object-events',
        QueueArn: Attributes.QueueArn,
        Events: ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'],
      }),
    ]);
    expect(config.QueueConfigurations![0]!.Filter!.Key.FilterRules.map((r) => [r.Name.toLowerCase(), r.Value])).toEqual(
      [
        ['prefix', 'in/'],
        ['suffix', '.csv'],
      ],
    );

    const again = await invoke('configure_object_events', {
      bucket,
      queue: `${bucket}-events`,
      createQueue: true,
      prefix: 'in/',
      suffix: '.csv',
    });
    expect(again.ok ? again.output : again.error).toMatchObject({
      queueUrl: QueueUrl,
      policyUpdated: false,
      otherConfigurations: 0,
    });
    expect((await notifications(bucket)).QueueConfigurations).toHaveLength(1);
  });

  it("uses a queue of the user's by URL without touching its policy, and keeps the bucket's other notifications", async () => {
    const bucket = await newBucket();
    const other = (await awsJson<{ QueueUrl: string }>(['sqs', 'create-queue', '--queue-name', `${bucket}-other`]))
      .QueueUrl;
    const otherArn = `arn:aws:sqs:us-east-1:123456789012:${bucket}-other`;
    await aws([
      's3api',
      'put-bucket-notification-configuration',
      '--bucket',
      bucket,
      '--notification-configuration',
      JSON.stringify({ QueueConfigurations: [{ Id: 'theirs', QueueArn: otherArn, Events: ['s3:ObjectCreated:Put'] }] }),
    ]);
    const mine = (await awsJson<{ QueueUrl: string }>(['sqs', 'create-queue', '--queue-name', `${bucket}-mine`]))
      .QueueUrl;
    const res = await invoke('configure_object_events', { bucket, queue: mine, events: ['s3:ObjectCreated:*'] });
    expect(res.ok ? res.output : res.error).toMatchObject({
      queueUrl: mine,
      policyUpdated: false,
      otherConfigurations: 1,
      events: ['s3:ObjectCreated:*'],
    });
    const ids = (await notifications(bucket)).QueueConfigurations!.map((q) => q.Id).sort();
    expect(ids).toEqual(['s3-connector-object-events', 'theirs']);
    const attrs = await awsJson<{ Attributes?: { Policy?: string } }>([
      'sqs',
      'get-queue-attributes',
      '--queue-url',
      mine,
      '--attribute-names',
      'Policy',
    ]);
    expect(attrs.Attributes?.Policy).toBeUndefined();
    void other;
  });

  it('a queue that does not exist (and is not to be created) is not_found; so is a missing bucket', async () => {
    const bucket = await newBucket();
    const res = await invoke('configure_object_events', { bucket, queue: uniqueBucket('no-queue') });
    expect(res.ok ? null : res.error).toMatchObject({ type: 'not_found', code: 'QueueDoesNotExist' });
    const gone = await invoke('configure_object_events', {
      bucket: uniqueBucket('gone'),
      queue: uniqueBucket('q'),
      createQueue: true,
    });
    expect(gone.ok ? null : gone.error).toMatchObject({ type: 'not_found', code: 'NoSuchBucket' });
  });
});

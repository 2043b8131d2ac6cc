import {
  GetBucketNotificationConfigurationCommand,
  PutBucketNotificationConfigurationCommand,
  type Event,
  type QueueConfiguration,
} from '../src/runtime/sdk.js';
import type { ConfigureObjectEventsInput, ConfigureObjectEventsOutput } from '../src/generated/types.js';
import { ConnectorError } from '../src/runtime/errors.js';
import { defineOperation } from '../src/runtime/operation.js';
import { isQueueName, queueName, withSqs } from '../src/triggers/sqs.js';

export const DEFAULT_EVENTS = ['s3:ObjectCreated:*', 's3:ObjectRemoved:*'];
export const DEFAULT_CONFIGURATION_ID = 's3-connector-object-events';

interface Policy {
  Version?: string;
  Statement?: Record<string, unknown>[];
}

/** The statement that lets S3 send this bucket's events to the queue; its Sid names the bucket. */
function sendStatement(bucket: string, queueArn: string): Record<string, unknown> {
  return {
    Sid: `S3ConnectorEvents${bucket.replace(/[^A-Za-z0-9]/g, '')}`,
    Effect: 'Allow',
    Principal: { Service: 's3.amazonaws.com' },
    Action: 'sqs:SendMessage',
    Resource: queueArn,
    Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:s3:::${bucket}` } },
  };
}

export default defineOperation<ConfigureObjectEventsInput, ConfigureObjectEventsOutput>(async (input, ctx) => {
  const { s3, signal } = ctx;
  const name = queueName(input.queue);
  if (input.createQueue && !isQueueName(name)) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidQueueName',
      message: `queue "${name}" is not a queue name SQS accepts (1 to 80 letters, digits, - and _).`,
      details: { problems: [{ field: 'queue', message: 'not a valid SQS queue name' }] },
    });
  }
  const events = input.events ?? DEFAULT_EVENTS;
  const id = input.configurationId ?? DEFAULT_CONFIGURATION_ID;
  return withSqs(ctx, 0, async (sqs) => {
    // CreateQueue answers the existing queue's URL when there is one (no attributes are given).
    const url = input.createQueue
      ? (await sqs.send<{ QueueUrl?: string }>(new sqs.mod.CreateQueueCommand({ QueueName: name }), `queue ${name}`))
          .QueueUrl!
      : await sqs.queueUrl(input.queue);
    const attributes =
      (
        await sqs.send<{ Attributes?: Record<string, string> }>(
          new sqs.mod.GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn', 'Policy'] }),
          `queue ${name}`,
        )
      ).Attributes ?? {};
    const queueArn = attributes.QueueArn!;

    let policyUpdated = false;
    if (input.setQueuePolicy ?? input.createQueue ?? false) {
      const policy = JSON.parse(attributes.Policy || '{"Version":"2012-10-17","Statement":[]}') as Policy;
      const statement = sendStatement(input.bucket, queueArn);
      const others = (policy.Statement ?? []).filter((s) => s.Sid !== statement.Sid);
      const current = (policy.Statement ?? []).find((s) => s.Sid === statement.Sid);
      // Written every time, even unchanged: the call then proves it may set the policy.
      const next = { Version: policy.Version ?? '2012-10-17', Statement: [...others, statement] };
      await sqs.send(
        new sqs.mod.SetQueueAttributesCommand({ QueueUrl: url, Attributes: { Policy: JSON.stringify(next) } }),
        `queue ${name}`,
      );
      policyUpdated = JSON.stringify(current) !== JSON.stringify(statement);
    }

    // The bucket's configuration is one document: keep every other notification as it is.
    const { $metadata: _, ...current } = await s3.send(
      new GetBucketNotificationConfigurationCommand({ Bucket: input.bucket }),
      { abortSignal: signal },
    );
    // On a connection with a key prefix, only events under it are sent (the filter names stored keys).
    const prefix = ctx.keys.toStored(input.prefix ?? '', 'prefix');
    const filterRules = [
      ...(prefix ? [{ Name: 'prefix' as const, Value: prefix }] : []),
      ...(input.suffix ? [{ Name: 'suffix' as const, Value: input.suffix }] : []),
    ];
    const ours: QueueConfiguration = {
      Id: id,
      QueueArn: queueArn,
      Events: events as Event[],
      ...(filterRules.length > 0 ? { Filter: { Key: { FilterRules: filterRules } } } : {}),
    };
    const queues = [...(current.QueueConfigurations ?? []).filter((q) => q.Id !== id), ours];
    await s3.send(
      new PutBucketNotificationConfigurationCommand({
        Bucket: input.bucket,
        NotificationConfiguration: { ...current, QueueConfigurations: queues },
      }),
      { abortSignal: signal },
    );
    const otherConfigurations =
      queues.length -
      1 +
      (current.TopicConfigurations?.length ?? 0) +
      (current.LambdaFunctionConfigurations?.length ?? 0) +
      (current.EventBridgeConfiguration ? 1 : 0);
    return {
      bucket: input.bucket,
      queueUrl: url,
      queueArn,
      configurationId: id,
      events,
      policyUpdated,
      otherConfigurations,
    };
  });
});

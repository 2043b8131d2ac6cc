// The SQS side of the event triggers: a client for the invoke's connection (loaded on first use, so
// the other operations never load @aws-sdk/client-sqs), queues named by name, URL or ARN, and SQS
// errors told in the connector's terms. The connector keeps nothing: one client per call.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { AwsCredentialIdentityProvider } from '@smithy/types';
import { NodeHttpHandler } from '../runtime/sdk.js';
import { addAnswerLimits } from '../runtime/answerLimits.js';
import { ConnectorError } from '../runtime/errors.js';
import type { OperationContext } from '../runtime/operation.js';

export type SqsModule = typeof import('@aws-sdk/client-sqs');
let loaded: Promise<SqsModule> | undefined;
/** @aws-sdk/client-sqs, imported on the first call that needs it. */
export function loadSqs(): Promise<SqsModule> {
  loaded ??= import('@aws-sdk/client-sqs');
  return loaded;
}

const QUEUE_ARN = /^arn:(aws[a-z-]*):sqs:([a-z0-9-]+):(\d{12}):([A-Za-z0-9_-]{1,80}(?:\.fifo)?)$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}(\.fifo)?$/;

export interface Sqs {
  mod: SqsModule;
  client: SQSClient;
  /** Sends one command; SQS errors come back as the connector reports them (queue not found, access denied). */
  send<O = unknown>(command: object, what: string): Promise<O>;
  /** A queue's URL: a URL as given, an ARN turned into one, a name looked up (GetQueueUrl). */
  queueUrl(queue: string): Promise<string>;
}

/**
 * Runs `use` with an SQS client for the invoke's connection: its credentials (the S3 client's own
 * provider, so assumed roles and the default chain work alike), region and endpoint (a custom
 * endpoint serves SQS too, as moto and LocalStack do). Requests go to that endpoint whatever
 * host a queue URL names. `longestWaitSeconds`: the request timeout is kept above a long poll.
 */
export async function withSqs<T>(
  ctx: OperationContext,
  longestWaitSeconds: number,
  use: (sqs: Sqs) => Promise<T>,
): Promise<T> {
  const { connection, signal } = ctx;
  if (connection.credentials?.type === 'anonymous') {
    throw new ConnectorError({
      type: 'user_input',
      code: 'CredentialsRequired',
      message:
        'SQS does not take anonymous requests: give the connection credentials (an access key, a role or the default chain).',
    });
  }
  const mod = await loadSqs();
  const requestTimeout = Math.max(connection.requestTimeoutMs ?? 60_000, (longestWaitSeconds + 10) * 1000);
  const client = new mod.SQSClient({
    region: connection.region,
    ...(connection.endpoint ? { endpoint: connection.endpoint } : { ignoreConfiguredEndpointUrls: true }),
    useQueueUrlAsEndpoint: false,
    maxAttempts: connection.maxAttempts ?? 3,
    credentials: ctx.s3.config.credentials as AwsCredentialIdentityProvider,
    requestHandler: new NodeHttpHandler({
      connectionTimeout: connection.connectTimeoutMs ?? 5000,
      requestTimeout,
      throwOnRequestTimeout: true,
    }),
  });
  addAnswerLimits(client as unknown as Parameters<typeof addAnswerLimits>[0]); // the same caps on what is read of an answer as every S3 client has
  const send = async <O = unknown>(command: object, what: string): Promise<O> => {
    try {
      return (await client.send(command as never, { abortSignal: signal })) as O;
    } catch (err) {
      throw sqsError(err, what);
    }
  };
  const sqs: Sqs = {
    mod,
    client,
    send,
    async queueUrl(queue) {
      if (/^https?:\/\//.test(queue)) return queue;
      const arn = QUEUE_ARN.exec(queue);
      if (arn) return queueUrlOf(connection.endpoint, arn[2]!, arn[3]!, arn[4]!);
      const out = await send<{ QueueUrl?: string }>(new mod.GetQueueUrlCommand({ QueueName: queue }), `queue ${queue}`);
      return out.QueueUrl!;
    },
  };
  try {
    return await use(sqs);
  } finally {
    client.destroy();
  }
}

/** The URL of a queue from its ARN's parts (the region's SQS endpoint, or the connection's own). */
export function queueUrlOf(endpoint: string | undefined, region: string, account: string, name: string): string {
  const base = endpoint ? endpoint.replace(/\/+$/, '') : `https://sqs.${region}.amazonaws.com`;
  return `${base}/${account}/${name}`;
}

/** The queue's name, from a name, URL or ARN. */
export function queueName(queue: string): string {
  if (/^https?:\/\//.test(queue))
    return decodeURIComponent(new URL(queue).pathname.split('/').filter(Boolean).pop() ?? '');
  return QUEUE_ARN.exec(queue)?.[4] ?? queue;
}

export function isQueueName(queue: string): boolean {
  return QUEUE_NAME.test(queue);
}

/**
 * SQS errors as the runtime's rules can read them. moto answers a denied JSON request with an XML
 * body the SDK cannot parse (a SyntaxError with status 403): that is still AccessDenied.
 */
function sqsError(err: unknown, what: string): unknown {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  if (e?.name === 'QueueDoesNotExist' || e?.name === 'AWS.SimpleQueueService.NonExistentQueue') {
    return new ConnectorError({
      type: 'not_found',
      code: 'QueueDoesNotExist',
      status: e.$metadata?.httpStatusCode,
      message: `The SQS ${what} does not exist (in this region and account, on this endpoint). Check its name, URL or ARN, or create it (configure_object_events with createQueue).`,
    });
  }
  if (
    e?.$metadata?.httpStatusCode === 403 &&
    e.name !== 'AccessDenied' &&
    !/token|signature|credential/i.test(`${e.name} ${e.message}`)
  ) {
    return Object.assign(new Error('Access Denied'), { name: 'AccessDenied', $metadata: e.$metadata });
  }
  return err;
}

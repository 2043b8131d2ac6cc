// S3 event notifications as they arrive on an SQS queue (straight from S3, or wrapped by SNS),
// turned into events: keys decoded (S3 sends them URL-encoded, + for a space), the test event S3
// sends when a notification is set up told apart, and one event per (bucket, key, sequencer).

export interface S3Event {
  eventName: string;
  eventTime?: string;
  region?: string;
  bucket: string;
  key: string;
  /** The full key in the bucket, on a connection with a key prefix. */
  storedKey?: string;
  size?: number;
  etag?: string;
  versionId?: string;
  sequencer?: string;
}

export type Parsed = { kind: 'events'; events: S3Event[] } | { kind: 'test' } | { kind: 'unrecognized' };

interface S3Record {
  eventSource?: string;
  eventName?: string;
  eventTime?: string;
  awsRegion?: string;
  s3?: {
    bucket?: { name?: string };
    object?: { key?: string; size?: number; eTag?: string; versionId?: string; sequencer?: string };
  };
}

/** S3's key encoding: form-style, so + is a space and %2B a plus. */
export function decodeKey(key: string): string {
  try {
    return decodeURIComponent(key.replace(/\+/g, ' '));
  } catch {
    return key;
  }
}

export function parseMessage(body: string | undefined): Parsed {
  let value: unknown;
  try {
    value = JSON.parse(body ?? '');
    const sns = value as { Type?: string; Message?: unknown };
    if (sns && sns.Type === 'Notification' && typeof sns.Message === 'string') value = JSON.parse(sns.Message);
  } catch {
    return { kind: 'unrecognized' };
  }
  const v = value as { Event?: string; Records?: S3Record[] } | null;
  if (v && v.Event === 's3:TestEvent') return { kind: 'test' };
  const records = Array.isArray(v?.Records)
    ? v.Records.filter((r) => r?.eventSource === 'aws:s3' && r.s3?.bucket?.name && typeof r.s3.object?.key === 'string')
    : [];
  if (records.length === 0) return { kind: 'unrecognized' };
  return {
    kind: 'events',
    events: records.map((r) => {
      const o = r.s3!.object!;
      return {
        eventName: r.eventName ?? 'unknown',
        ...(r.eventTime ? { eventTime: r.eventTime } : {}),
        ...(r.awsRegion ? { region: r.awsRegion } : {}),
        bucket: r.s3!.bucket!.name!,
        key: decodeKey(o.key!),
        ...(typeof o.size === 'number' ? { size: o.size } : {}),
        ...(o.eTag ? { etag: `"${o.eTag.replace(/"/g, '')}"` } : {}),
        ...(o.versionId ? { versionId: o.versionId } : {}),
        ...(o.sequencer ? { sequencer: o.sequencer } : {}),
      };
    }),
  };
}

/**
 * A message's events as a connection with a key prefix sees them: keys relative to the prefix
 * (the full one kept as storedKey), events outside it dropped, and a message with none left
 * `outside` (another consumer's, left on the queue).
 */
export function inPrefix(
  parsed: Parsed,
  keys: { prefix: string; fromStored(stored: string): string | undefined },
): Parsed | { kind: 'outside' } {
  if (parsed.kind !== 'events' || !keys.prefix) return parsed;
  const events = parsed.events.flatMap((e) => {
    const key = keys.fromStored(e.key);
    return key === undefined || key === '' ? [] : [{ ...e, key, storedKey: e.key }];
  });
  return events.length ? { kind: 'events', events } : { kind: 'outside' };
}

/**
 * What makes two deliveries one event: its key and its sequencer (S3's per-key order of events),
 * or, from a store that sends none (moto), what the record says about it.
 */
export function eventIdentity(e: S3Event): string {
  return JSON.stringify([e.bucket, e.key, e.sequencer ?? [e.eventName, e.eventTime, e.etag, e.versionId]]);
}

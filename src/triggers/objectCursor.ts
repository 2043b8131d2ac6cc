// The cursor of the new_object trigger, and the one step that turns a listing into events.
//
// S3 lists by key, not by time, and dates objects to the second (the second its upload started).
// So a cursor cannot be "the last key" nor "the last time" alone. It is a low edge `t` (a second)
// plus the identities of the objects already handled that are dated at or after `t`:
//
//   - an object is new when it is dated at or after t and its identity (key, ETag, second) is not
//     remembered: a key written again with other content, or in a later second, is new again;
//   - keys that share a second with one already reported are still reported (the second is not
//     "done" just because one key of it was seen);
//   - t trails the store's own clock (the Date of the listing) by the late-arrival window, so an
//     object that shows up in a listing after objects dated later (written during a poll, a long
//     upload) is still caught, as long as it appears within the window of its date;
//   - t never passes an object not yet reported (maxPerPoll left it for the next poll), and never
//     goes back; identities dated before t are dropped, so the cursor holds one window of objects.
//
// The cursor is plain JSON the runtime stores: a fresh connector given it goes on exactly there.
import { createHash } from 'node:crypto';
import { ConnectorError } from '../runtime/errors.js';

export const CURSOR_VERSION = 1;

export interface ObjectCursor {
  v: typeof CURSOR_VERSION;
  /** The bucket it belongs to (a cursor of another bucket is refused). */
  b: string;
  /** The low edge: objects dated before this second are not looked at. ISO 8601, whole seconds. */
  t: string;
  /** Identities of the handled objects dated at or after t (see identity()). */
  seen: string[];
}

/** One listed object, as the step needs it. */
export interface Listed {
  key: string;
  etag: string;
  size: number;
  /** Last-Modified in ms since the epoch. */
  lastModified: number;
}

export interface Step<T extends Listed> {
  /** The objects to report, oldest first (by second, then key in UTF-8 byte order). */
  events: T[];
  cursor: ObjectCursor;
  /** Objects left for the next poll. */
  hasMore: boolean;
}

const second = (ms: number) => Math.floor(ms / 1000);
const isoSecond = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

/** 96 bits of SHA-256 over key, ETag and second: short, fixed-size, and no key is shown. */
export function identity(o: Listed): string {
  return createHash('sha256')
    .update(`${o.key}\0${o.etag}\0${second(o.lastModified)}`)
    .digest('base64url')
    .slice(0, 16);
}

const invalid = (why: string) =>
  new ConnectorError({
    type: 'user_input',
    code: 'InvalidCursor',
    message: `The cursor is not one new_object answered for this bucket (${why}): pass back the cursor of the previous poll as it was, or leave it out to start again from now (or from since).`,
  });

/** The cursor as given, checked; undefined when there is none. */
export function readCursor(value: unknown, bucket: string): { t: number; seen: Set<string> } | undefined {
  if (value === undefined) return undefined;
  const c = value as Partial<ObjectCursor>;
  if (c.v !== CURSOR_VERSION) throw invalid(`version ${JSON.stringify(c.v ?? null)}, expected ${CURSOR_VERSION}`);
  if (c.b !== bucket) throw invalid(`it belongs to ${typeof c.b === 'string' ? `bucket ${c.b}` : 'no bucket'}`);
  const t = typeof c.t === 'string' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(c.t) ? Date.parse(c.t) : NaN;
  if (Number.isNaN(t)) throw invalid('its time is not a whole-second ISO 8601 date');
  if (!Array.isArray(c.seen) || !c.seen.every((s) => typeof s === 'string' && /^[A-Za-z0-9_-]{16}$/.test(s)))
    throw invalid('its seen list is not one it wrote');
  return { t: second(t), seen: new Set(c.seen) };
}

const byKey = (a: Listed, b: Listed) => Buffer.compare(Buffer.from(a.key), Buffer.from(b.key));

export interface StepOptions {
  bucket: string;
  /** From readCursor; undefined on a first poll. */
  cursor: { t: number; seen: Set<string> } | undefined;
  /** First poll only: report from this time on (ms). Without it the first poll reports nothing. */
  sinceMs?: number;
  /** The store's clock when the listing started (ms), or ours when it gave none. */
  nowMs: number;
  windowSeconds: number;
  maxEvents: number;
}

/** The events of one poll and the cursor after it, from the complete listing of the prefix. */
export function step<T extends Listed>(listing: readonly T[], o: StepOptions): Step<T> {
  const edge = second(o.nowMs) - o.windowSeconds;
  const baseline = o.cursor === undefined && o.sinceMs === undefined;
  const t = o.cursor?.t ?? (o.sinceMs !== undefined ? second(o.sinceMs) : edge);
  const seen = o.cursor?.seen ?? new Set<string>();

  const inWindow = listing.filter((x) => second(x.lastModified) >= t).map((x) => ({ x, id: identity(x) }));
  const fresh = inWindow
    .filter(({ id }) => !seen.has(id))
    .sort((a, b) => second(a.x.lastModified) - second(b.x.lastModified) || byKey(a.x, b.x));
  // A first poll without since: what is there now is the baseline, remembered and not reported.
  const reported = baseline ? [] : fresh.slice(0, o.maxEvents);
  const left = baseline ? [] : fresh.slice(o.maxEvents);
  const handled = new Set([...seen, ...(baseline ? fresh : reported).map(({ id }) => id)]);

  const limit = left.length > 0 ? Math.min(edge, second(left[0]!.x.lastModified)) : edge;
  const next = Math.max(t, limit);
  const keep = [
    ...new Set(inWindow.filter(({ x, id }) => second(x.lastModified) >= next && handled.has(id)).map(({ id }) => id)),
  ].sort();
  return {
    events: reported.map(({ x }) => x),
    cursor: { v: CURSOR_VERSION, b: o.bucket, t: isoSecond(next), seen: keep },
    hasMore: left.length > 0,
  };
}

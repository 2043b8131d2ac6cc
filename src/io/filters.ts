// Filters a listing applies to what S3 lists (S3 itself filters by prefix only): a key glob, a
// window of modification times, and the order of the kept set.
import type { _Object } from '@aws-sdk/client-s3';

/** Characters with a meaning in a regular expression, escaped when a glob holds them. */
const REGEX_SYNTAX = '\\^$.|+()[]{}/';

/**
 * A key glob as a regular expression over the whole key: `**` any characters (slashes too; `**`
 * before a slash also no folder at all, so `reports/` `**` `/x.csv` takes reports/x.csv), `*` any
 * characters but `/`, `?` one character but `/`; everything else stands for itself.
 */
export function globToRegExp(glob: string): RegExp {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*' && glob[i + 2] === '/') {
      out += '(?:.*/)?';
      i += 2;
    } else if (c === '*' && glob[i + 1] === '*') {
      out += '.*';
      i++;
    } else if (c === '*') out += '[^/]*';
    else if (c === '?') out += '[^/]';
    else out += REGEX_SYNTAX.includes(c) ? `\\${c}` : c;
  }
  return new RegExp(`^${out}$`, 'su');
}

/** The glob's text before its first wildcard: every matching key starts with it. */
export function literalPrefix(glob: string): string {
  const at = glob.search(/[*?]/);
  return at < 0 ? glob : glob.slice(0, at);
}

/**
 * The prefix to list for a prefix and a glob together: the longer one when one extends the
 * other, `undefined` when no key can have both.
 */
export function listPrefix(prefix: string | undefined, glob: string | undefined): string | undefined | null {
  const fromGlob = glob === undefined ? '' : literalPrefix(glob);
  const given = prefix ?? '';
  if (fromGlob.startsWith(given)) return fromGlob || undefined;
  if (given.startsWith(fromGlob)) return given || undefined;
  return null;
}

export interface ObjectFilter {
  glob?: string;
  modifiedAfter?: string;
  modifiedBefore?: string;
}

/** Whether anything is filtered here at all. */
export function filters(f: ObjectFilter): boolean {
  return f.glob !== undefined || f.modifiedAfter !== undefined || f.modifiedBefore !== undefined;
}

/** The test an object must pass: its key matches the glob, and it changed in the window (after is exclusive, before too). */
export function objectTest(f: ObjectFilter): (o: _Object) => boolean {
  const pattern = f.glob === undefined ? undefined : globToRegExp(f.glob);
  const after = f.modifiedAfter === undefined ? undefined : Date.parse(f.modifiedAfter);
  const before = f.modifiedBefore === undefined ? undefined : Date.parse(f.modifiedBefore);
  return (o) => {
    if (pattern && !pattern.test(o.Key ?? '')) return false;
    const t = o.LastModified?.getTime();
    if (after !== undefined && (t === undefined || t <= after)) return false;
    if (before !== undefined && (t === undefined || t >= before)) return false;
    return true;
  };
}

export type SortField = 'key' | 'lastModified' | 'size';

const utf8 = (s: string | undefined) => Buffer.from(s ?? '');

/** Sorts objects in place by the field (ties by key, in UTF-8 byte order), ascending or descending. */
export function sortObjects(objects: _Object[], by: SortField, order: 'asc' | 'desc' = 'asc'): _Object[] {
  const sign = order === 'desc' ? -1 : 1;
  const key = (a: _Object, b: _Object) => Buffer.compare(utf8(a.Key), utf8(b.Key));
  const field = (a: _Object, b: _Object) => {
    if (by === 'lastModified') return (a.LastModified?.getTime() ?? 0) - (b.LastModified?.getTime() ?? 0);
    if (by === 'size') return (a.Size ?? 0) - (b.Size ?? 0);
    return 0;
  };
  return objects.sort((a, b) => sign * (field(a, b) || key(a, b)));
}

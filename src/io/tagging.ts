// What the object tagging operations (get, put, delete) share: tags as a name-to-value map and
// as S3's TagSet, the limit a merged set must keep, and a check that a store honoured a version.
import type { Tag } from '@aws-sdk/client-s3';
import { ConnectorError } from '../runtime/errors.js';
import type { TagSet } from '../generated/types.js';

/** Most tags an object may carry (S3's limit, the `tagSet` def's maxProperties). */
export const MAX_OBJECT_TAGS = 10;

export function toTagMap(tagSet: readonly Tag[] | undefined): TagSet {
  const tags: TagSet = {};
  for (const t of tagSet ?? []) if (t.Key !== undefined) tags[t.Key] = t.Value ?? '';
  return tags;
}

export function toTagSet(tags: TagSet): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** The existing tags with the new ones laid over them (a new value wins); refused past the limit. */
export function mergeTags(existing: TagSet, added: TagSet): TagSet {
  const merged = { ...existing, ...added };
  const count = Object.keys(merged).length;
  if (count > MAX_OBJECT_TAGS) {
    const kept = Object.keys(existing).filter((k) => !(k in added)).length;
    throw new ConnectorError({
      type: 'user_input',
      code: 'TooManyTags',
      message: `Merged, the object would have ${count} tags (${kept} kept and ${Object.keys(added).length} given), more than S3's ${MAX_OBJECT_TAGS}: nothing was changed. Give fewer tags, or replace the set instead of merging.`,
      details: {
        existing: Object.keys(existing).length,
        given: Object.keys(added).length,
        merged: count,
        limit: MAX_OBJECT_TAGS,
      },
    });
  }
  return merged;
}

/**
 * A store that ignores the version asked for answers about the current object instead: when the
 * answer names another version, that is not the answer. An answer that names none cannot be told
 * (moto leaves the version out of PutObjectTagging's answer; AWS names it).
 */
export function checkVersionAnswer(asked: string | undefined, answered: string | undefined): void {
  if (!asked || answered === undefined || answered === asked) return;
  throw new ConnectorError({
    type: 'unsupported',
    code: 'VersionIdIgnored',
    message: `The store ignored versionId ${asked} and answered about version ${answered}: it does not support versions.`,
  });
}

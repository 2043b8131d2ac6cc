import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { ListObjectsDropdownInput, ListObjectsDropdownOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

/** Most options a dropdown gets (one S3 page); a search narrows the list. */
const MAX_OPTIONS = 1000;

export default defineOperation<ListObjectsDropdownInput, ListObjectsDropdownOutput>(async (input, { s3, signal }) => {
  const page = await s3.send(new ListObjectsV2Command({
    Bucket: input.bucket,
    Prefix: input.search || undefined,
    MaxKeys: MAX_OPTIONS,
  }), { abortSignal: signal });
  const keys = (page.Contents ?? []).map((o) => o.Key ?? '').filter((k) => k && (!input.search || k.startsWith(input.search)));
  return { options: keys.map((key) => ({ label: key, value: key })) };
});

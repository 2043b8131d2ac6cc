import { ListBucketsCommand } from '../src/runtime/sdk.js';
import type { ListBucketsDropdownInput, ListBucketsDropdownOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';

/** Most options a dropdown gets; a search narrows the list. */
const MAX_OPTIONS = 1000;

export default defineOperation<ListBucketsDropdownInput, ListBucketsDropdownOutput>(async (input, { s3, signal }) => {
  const page = await s3.send(new ListBucketsCommand({ Prefix: input.search || undefined, MaxBuckets: MAX_OPTIONS }), {
    abortSignal: signal,
  });
  const names = (page.Buckets ?? [])
    .map((b) => b.Name ?? '')
    .filter((n) => n && (!input.search || n.startsWith(input.search)));
  return { options: names.sort().map((name) => ({ label: name, value: name })) };
});

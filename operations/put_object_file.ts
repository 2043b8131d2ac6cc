import type { PutObjectFileInput, PutObjectFileOutput } from '../src/generated/types.js';
import { contentTypeFor, openSource } from '../src/io/content.js';
import { defineOperation } from '../src/runtime/operation.js';
import { MiB, uploadStream } from '../src/io/transfers.js';
import { writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';

export default defineOperation<PutObjectFileInput, PutObjectFileOutput>(async (input, ctx) => {
  const { s3, signal, files, allowedHttpsHosts, allowPrivateNetworks, onProgress } = ctx;
  const source = await openSource(input.file.url, { files, allowedHttpsHosts, allowPrivateNetworks, signal });
  const contentType =
    input.contentType ?? input.file.mimeType ?? source.mimeType ?? contentTypeFor(input.file.name ?? input.key);
  const params = writeParams(input, contentType, ctx.capabilities);
  const sent = await uploadStream({
    s3,
    params,
    body: source.stream,
    ...(source.size !== undefined ? { size: source.size } : {}),
    partSize: (input.partSizeMb ?? 8) * MiB,
    concurrency: input.concurrency ?? 4,
    signal,
    ...(onProgress ? { onProgress } : {}),
  });
  await writeTagsSeparately(ctx, params, input, sent.output.VersionId);
  return { ...writeOutput(params, sent.output, sent.size, { keys: ctx.keys }), parts: sent.parts };
});

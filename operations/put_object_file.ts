import type { PutObjectFileInput, PutObjectFileOutput } from '../src/generated/types.js';
import { contentTypeFor, openSource } from '../src/io/content.js';
import { defineOperation } from '../src/runtime/operation.js';
import { MiB, uploadStream } from '../src/io/transfers.js';
import { writeOnConflict, writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';

export default defineOperation<PutObjectFileInput, PutObjectFileOutput>(async (input, ctx) => {
  const { s3, signal, files, allowedHttpsHosts, allowPrivateNetworks, onProgress } = ctx;
  const open = () => openSource(input.file.url, { files, allowedHttpsHosts, allowPrivateNetworks, signal });
  let source = await open();
  const contentType =
    input.contentType ?? input.file.mimeType ?? source.mimeType ?? contentTypeFor(input.file.name ?? input.key);
  const params = writeParams(input, contentType, ctx.capabilities);
  let attempts = 0;
  // A fresh name (onConflict rename) is written from the source opened again.
  const written = await writeOnConflict(input, params, async (p) => {
    if (attempts++ > 0) source = await open();
    return uploadStream({
      s3,
      params: p,
      body: source.stream,
      ...(source.size !== undefined ? { size: source.size } : {}),
      partSize: (input.partSizeMb ?? 8) * MiB,
      concurrency: input.concurrency ?? 4,
      signal,
      ...(onProgress ? { onProgress } : {}),
    });
  });
  const sent = written.result;
  await writeTagsSeparately(ctx, written.params, input, sent.output.VersionId);
  return {
    ...writeOutput(written.params, sent.output, sent.size, { keys: ctx.keys, renamed: written.renamed }),
    parts: sent.parts,
  };
});

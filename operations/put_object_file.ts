import type { PutObjectFileInput, PutObjectFileOutput } from '../src/generated/types.js';
import { contentTypeFor, openSource } from '../src/io/content.js';
import { checkContentAddressed, putFileContentAddressed } from '../src/io/contentAddressed.js';
import { defineOperation } from '../src/runtime/operation.js';
import { MiB, uploadStream } from '../src/io/transfers.js';
import { writeOnConflict, writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';

export default defineOperation<PutObjectFileInput, PutObjectFileOutput>(async (input, ctx) => {
  const { s3, signal, files, allowedHttpsHosts, allowPrivateNetworks, onProgress } = ctx;
  checkContentAddressed(input);
  const open = () => openSource(input.file.url, { files, allowedHttpsHosts, allowPrivateNetworks, signal });
  const partSize = (input.partSizeMb ?? 8) * MiB;
  const upload = (p: Parameters<typeof uploadStream>[0]['params'], source: Awaited<ReturnType<typeof open>>) =>
    uploadStream({
      s3,
      params: p,
      body: source.stream,
      ...(source.size !== undefined ? { size: source.size } : {}),
      partSize,
      concurrency: input.concurrency ?? 4,
      signal,
      ...(onProgress ? { onProgress } : {}),
    });
  if (input.contentAddressed) return putFileContentAddressed(input, ctx, open, upload, partSize);
  let source = await open();
  const contentType =
    input.contentType ?? input.file.mimeType ?? source.mimeType ?? contentTypeFor(input.file.name ?? input.key);
  const params = writeParams(input, contentType, ctx.capabilities);
  let attempts = 0;
  // A fresh name (onConflict rename) is written from the source opened again.
  const written = await writeOnConflict(input, params, async (p) => {
    if (attempts++ > 0) source = await open();
    return upload(p, source);
  });
  const sent = written.result;
  await writeTagsSeparately(ctx, written.params, input, sent.output.VersionId);
  return {
    ...writeOutput(written.params, sent.output, sent.size, { keys: ctx.keys, renamed: written.renamed }),
    parts: sent.parts,
  };
});

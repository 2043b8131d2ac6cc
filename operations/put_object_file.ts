import type { PutObjectFileInput, PutObjectFileOutput } from '../src/generated/types.js';
import { contentTypeFor, openSource } from '../src/io/content.js';
import { checkContentAddressed, putFileContentAddressed } from '../src/io/contentAddressed.js';
import { compressing, type Compressing, gzipOutput, gzipPlan } from '../src/io/gzip.js';
import { defineOperation } from '../src/runtime/operation.js';
import { MiB, uploadStream } from '../src/io/transfers.js';
import { writeOnConflict, writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';

export default defineOperation<PutObjectFileInput, PutObjectFileOutput>(async (input, ctx) => {
  const { s3, signal, files, allowedHttpsHosts, allowPrivateNetworks, onProgress } = ctx;
  checkContentAddressed(input);
  const open = () => openSource(input.file.url, { files, allowedHttpsHosts, allowPrivateNetworks, signal });
  const partSize = (input.partSizeMb ?? 8) * MiB;
  type Source = Awaited<ReturnType<typeof open>>;
  /** The upload of one name; compressed, the length is unknown until the end (lib-storage cuts parts as they fill). */
  const upload = (p: Parameters<typeof uploadStream>[0]['params'], source: Source, gz?: Compressing) =>
    uploadStream({
      s3,
      params: p,
      body: gz?.stream ?? source.stream,
      ...(source.size !== undefined && !gz ? { size: source.size } : {}),
      ...(source.read && !gz ? { read: source.read } : {}),
      partSize,
      concurrency: input.concurrency ?? 4,
      signal,
      ...(onProgress && !gz ? { onProgress } : {}),
    });
  if (input.contentAddressed) return putFileContentAddressed(input, ctx, open, upload, partSize);
  let source = await open();
  const contentType =
    input.contentType ?? input.file.mimeType ?? source.mimeType ?? contentTypeFor(input.file.name ?? input.key);
  let plan: ReturnType<typeof gzipPlan<PutObjectFileInput>>;
  let params: ReturnType<typeof writeParams>;
  try {
    plan = gzipPlan(input, contentType);
    params = writeParams(plan.input, contentType, ctx.capabilities);
  } catch (err) {
    source.stream.destroy(); // refused before sending: the source opened is closed, not left to the GC
    throw err;
  }
  let attempts = 0;
  let gz: Compressing | undefined;
  // A fresh name (onConflict rename) is written from the source opened again.
  const written = await writeOnConflict(input, params, async (p) => {
    if (attempts++ > 0) source = await open();
    gz = plan.gzip ? compressing(source.stream, source.size, onProgress) : undefined;
    return upload(p, source, gz);
  });
  const sent = written.result;
  await writeTagsSeparately(ctx, written.params, input, sent.output.VersionId);
  return {
    ...writeOutput(written.params, sent.output, sent.size, { keys: ctx.keys, renamed: written.renamed }),
    ...gzipOutput(plan.gzip, gz?.originalSize() ?? 0),
    parts: sent.parts,
  };
});

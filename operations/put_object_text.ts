import { PutObjectCommand } from '../src/runtime/sdk.js';
import type { PutObjectTextInput, PutObjectTextOutput } from '../src/generated/types.js';
import { contentTypeFor } from '../src/io/content.js';
import { checkContentAddressed, contentKey, hashBytes, writeContentAddressed } from '../src/io/contentAddressed.js';
import { gzipBytes, gzipOutput, gzipPlan } from '../src/io/gzip.js';
import { writeOnConflict, writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';
import { defineOperation } from '../src/runtime/operation.js';

/** The type of text whose key has no known extension. */
const TEXT_DEFAULT_TYPE = 'text/plain; charset=utf-8';

export default defineOperation<PutObjectTextInput, PutObjectTextOutput>(async (input, ctx) => {
  checkContentAddressed(input);
  const text = Buffer.from(input.content, 'utf8');
  // Text is UTF-8: a type guessed from the key's extension says so (mime-types adds the charset to text types).
  const contentType = input.contentType ?? contentTypeFor(input.key, TEXT_DEFAULT_TYPE);
  const put = (p: ReturnType<typeof writeParams>, body: Buffer) =>
    ctx.s3.send(new PutObjectCommand({ ...p, Body: body, ContentLength: body.length }), { abortSignal: ctx.signal });
  if (input.contentAddressed) {
    // Stored as it is (contentAddressed takes no gzip): the name is the hash of the bytes stored.
    const params = writeParams(input, contentType, ctx.capabilities);
    const hash = hashBytes(text);
    const key = contentKey(input.key, hash.hex, input.keepExtension ? input.key : undefined);
    const stored = await writeContentAddressed(
      ctx,
      { ...params, Key: key, ChecksumAlgorithm: 'SHA256', ChecksumSHA256: hash.base64 },
      hash,
      async (p) => ({ answer: await put(p, text), size: text.length }),
    );
    if (stored.result) await writeTagsSeparately(ctx, stored.params, input, stored.result.VersionId);
    return stored.output;
  }
  const plan = gzipPlan(input, contentType);
  const body = plan.gzip ? await gzipBytes(text) : text;
  const params = writeParams(plan.input, contentType, ctx.capabilities);
  const written = await writeOnConflict(input, params, (p) => put(p, body));
  await writeTagsSeparately(ctx, written.params, input, written.result.VersionId);
  return {
    ...writeOutput(written.params, written.result, body.length, { keys: ctx.keys, renamed: written.renamed }),
    ...gzipOutput(plan.gzip, text.length),
  };
});

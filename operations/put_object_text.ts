import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PutObjectTextInput, PutObjectTextOutput } from '../src/generated/types.js';
import { contentTypeFor } from '../src/io/content.js';
import { gzipBytes, gzipOutput, gzipPlan } from '../src/io/gzip.js';
import { writeOnConflict, writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';
import { defineOperation } from '../src/runtime/operation.js';

/** The type of text whose key has no known extension. */
const TEXT_DEFAULT_TYPE = 'text/plain; charset=utf-8';

export default defineOperation<PutObjectTextInput, PutObjectTextOutput>(async (input, ctx) => {
  const text = Buffer.from(input.content, 'utf8');
  // Text is UTF-8: a type guessed from the key's extension says so (mime-types adds the charset to text types).
  const contentType = input.contentType ?? contentTypeFor(input.key, TEXT_DEFAULT_TYPE);
  const plan = gzipPlan(input, contentType);
  const body = plan.gzip ? await gzipBytes(text) : text;
  const params = writeParams(plan.input, contentType, ctx.capabilities);
  const written = await writeOnConflict(input, params, (p) =>
    ctx.s3.send(new PutObjectCommand({ ...p, Body: body, ContentLength: body.length }), { abortSignal: ctx.signal }),
  );
  await writeTagsSeparately(ctx, written.params, input, written.result.VersionId);
  return {
    ...writeOutput(written.params, written.result, body.length, { keys: ctx.keys, renamed: written.renamed }),
    ...gzipOutput(plan.gzip, text.length),
  };
});

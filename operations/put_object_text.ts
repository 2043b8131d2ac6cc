import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PutObjectTextInput, PutObjectTextOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/runtime/operation.js';
import { writeOutput, writeParams, writeTagsSeparately } from '../src/io/writes.js';

export default defineOperation<PutObjectTextInput, PutObjectTextOutput>(async (input, ctx) => {
  const body = Buffer.from(input.content, 'utf8');
  const params = writeParams(input, input.contentType ?? 'text/plain; charset=utf-8', ctx.capabilities);
  const result = await ctx.s3.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.length }), { abortSignal: ctx.signal });
  await writeTagsSeparately(ctx, params, input, result.VersionId);
  return writeOutput(params, result, body.length);
});

import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { PutObjectTextInput, PutObjectTextOutput } from '../src/generated/types.js';
import { defineOperation } from '../src/operation.js';
import { writeOutput, writeParams } from '../src/writes.js';

export default defineOperation<PutObjectTextInput, PutObjectTextOutput>(async (input, { s3, signal }) => {
  const body = Buffer.from(input.content, 'utf8');
  const params = writeParams(input, input.contentType ?? 'text/plain; charset=utf-8');
  const result = await s3.send(new PutObjectCommand({ ...params, Body: body, ContentLength: body.length }), { abortSignal: signal });
  return writeOutput(params, result, body.length);
});

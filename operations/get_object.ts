import { GetObjectCommand } from '@aws-sdk/client-s3';
import type { Readable } from 'node:stream';
import type { GetObjectInput, GetObjectOutput } from '../src/generated/types.js';
import { decodeText, readCapped } from '../src/io/content.js';
import { compact, defineOperation } from '../src/runtime/operation.js';
import { checkReadAnswer, objectFields, readParams } from '../src/io/reads.js';
import { md5FromEtag, verifyMd5 } from '../src/io/integrity.js';
import { downloadToFile } from '../src/io/transfers.js';

export default defineOperation<GetObjectInput, GetObjectOutput>(async (input, { s3, signal, files, onProgress }) => {
  const got = await s3.send(
    new GetObjectCommand({
      Bucket: input.bucket,
      Key: input.key,
      Range: input.range,
      ...readParams(input),
      ResponseContentType: input.responseContentType,
      ResponseContentDisposition: input.responseContentDisposition,
    }),
    { abortSignal: signal },
  );
  const body = got.Body as Readable;
  try {
    checkReadAnswer(input, got);
  } catch (err) {
    body.destroy();
    throw err;
  }
  const expectedMd5 = input.range ? undefined : md5FromEtag(got.ETag, got.ServerSideEncryption);
  const contentType = got.ContentType ?? 'application/octet-stream';
  const content: Pick<GetObjectOutput, 'file' | 'text' | 'base64'> = {};
  if ((input.as ?? 'file') === 'file') {
    content.file = await downloadToFile({
      body,
      files,
      signal,
      name: input.fileName ?? input.key,
      mimeType: contentType,
      ...(got.ContentLength !== undefined ? { expectedSize: got.ContentLength } : {}),
      ...(expectedMd5 ? { expectedMd5 } : {}),
      ...(onProgress ? { onProgress } : {}),
    });
  } else {
    const bytes = await readCapped(body, input.maxInlineBytes ?? 5 * 1024 * 1024, got.ContentLength).finally(() =>
      body.destroy(),
    );
    verifyMd5(bytes, expectedMd5);
    if (input.as === 'text') content.text = decodeText(bytes, input.charset ?? 'utf-8');
    else content.base64 = bytes.toString('base64');
  }
  return compact({
    bucket: input.bucket,
    key: input.key,
    ...content,
    ...objectFields(got),
    contentType,
    contentRange: got.ContentRange,
    tagCount: got.TagCount,
  });
});

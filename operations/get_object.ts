import { GetObjectCommand } from '../src/runtime/sdk.js';
import type { Readable } from 'node:stream';
import type { GetObjectInput, GetObjectOutput } from '../src/generated/types.js';
import { decodeText, readCapped } from '../src/io/content.js';
import { checkDecodeRequest, isGzipEncoded, readDecoded } from '../src/io/gzip.js';
import { compact, defineOperation } from '../src/runtime/operation.js';
import { checkReadAnswer, objectFields, readParams } from '../src/io/reads.js';
import { md5FromEtag, verifyMd5 } from '../src/io/integrity.js';
import { downloadToFile } from '../src/io/transfers.js';
import type { FileReference } from '../src/io/files.js';

export default defineOperation<GetObjectInput, GetObjectOutput>(async (input, { s3, signal, files, onProgress }) => {
  checkDecodeRequest(input);
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
  const maxInline = input.maxInlineBytes ?? 5 * 1024 * 1024;
  const content: Pick<GetObjectOutput, 'file' | 'text' | 'base64'> = {};
  const toFile = (from: Readable, stored?: { expectedSize?: number; expectedMd5?: string }) =>
    downloadToFile({
      body: from,
      files,
      signal,
      name: input.fileName ?? input.key,
      mimeType: contentType,
      ...stored,
      ...(onProgress ? { onProgress } : {}),
    });
  const stored = {
    ...(got.ContentLength !== undefined ? { expectedSize: got.ContentLength } : {}),
    ...(expectedMd5 ? { expectedMd5 } : {}),
  };
  // decode: gunzipped on the way, the stored bytes verified, the inline cap counted on the decoded ones.
  const decoded = Boolean(input.decode) && isGzipEncoded(got.ContentEncoding);
  let bytes: Buffer | undefined;
  let storedLength: number | undefined;
  if (decoded) {
    const read = await readDecoded<FileReference | Buffer>(body, stored, (from) =>
      (input.as ?? 'file') === 'file' ? toFile(from) : readCapped(from, maxInline),
    );
    storedLength = read.storedLength;
    if (Buffer.isBuffer(read.result)) bytes = read.result;
    else content.file = read.result;
  } else if ((input.as ?? 'file') === 'file') {
    content.file = await toFile(body, stored);
  } else {
    bytes = await readCapped(body, maxInline, got.ContentLength).finally(() => body.destroy());
    verifyMd5(bytes, expectedMd5);
  }
  if (bytes && input.as === 'text') content.text = decodeText(bytes, input.charset ?? 'utf-8');
  else if (bytes) content.base64 = bytes.toString('base64');
  return compact({
    bucket: input.bucket,
    key: input.key,
    ...content,
    ...objectFields(got),
    ...(decoded ? { contentLength: content.file?.size ?? bytes!.length, storedLength } : {}),
    decoded,
    contentType,
    contentRange: got.ContentRange,
    tagCount: got.TagCount,
  });
});

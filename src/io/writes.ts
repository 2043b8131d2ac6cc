// The write options both puts share, mapped once to S3 parameters, and the output they share.
import { PutObjectTaggingCommand, type PutObjectCommandInput } from '@aws-sdk/client-s3';
import type { StoreSupport } from '../probes/capabilities.js';
import { annotate, ConnectorError } from '../runtime/errors.js';
import type {
  Bucket,
  BucketKeyEnabled,
  CacheControl,
  ChecksumAlgorithm,
  ContentDisposition,
  ContentEncoding,
  ContentLanguage,
  Expires,
  Key,
  PutObjectTextOutput,
  ServerSideEncryption,
  SseKmsKeyId,
  StorageClass,
  Tags,
  WriteAcl,
  WriteIfMatch,
  WriteIfNoneMatch,
  WriteMetadata,
} from '../generated/types.js';
import type { KeyMapping } from '../runtime/keyPrefix.js';
import { compact, type OperationContext } from '../runtime/operation.js';

/** S3's limit on user-defined metadata: names and values, in UTF-8 bytes. */
export const MAX_METADATA_BYTES = 2048;

/** The write options both puts take (schemas/defs.json), whatever carries the bytes. */
export interface WriteOptions {
  bucket: Bucket;
  key: Key;
  metadata?: WriteMetadata;
  cacheControl?: CacheControl;
  contentDisposition?: ContentDisposition;
  contentEncoding?: ContentEncoding;
  contentLanguage?: ContentLanguage;
  expires?: Expires;
  storageClass?: StorageClass;
  acl?: WriteAcl;
  serverSideEncryption?: ServerSideEncryption;
  sseKmsKeyId?: SseKmsKeyId;
  bucketKeyEnabled?: BucketKeyEnabled;
  tags?: Tags;
  checksumAlgorithm?: ChecksumAlgorithm;
  ifNoneMatch?: WriteIfNoneMatch;
  ifMatch?: WriteIfMatch;
}
type WriteParams = Omit<PutObjectCommandInput, 'Body'>;

/** The put's parameters; tags are left out for a store that drops them (see writeTagsSeparately). */
export function writeParams(input: WriteOptions, contentType: string, support: StoreSupport = {}): WriteParams {
  const metadata = input.metadata ?? {};
  const metadataBytes = Object.entries(metadata).reduce(
    (n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v),
    0,
  );
  if (metadataBytes > MAX_METADATA_BYTES) {
    throw new ConnectorError({
      type: 'user_input',
      code: 'MetadataTooLarge',
      message: `metadata is ${metadataBytes} bytes; S3 allows at most ${MAX_METADATA_BYTES} bytes of names and values together.`,
      details: {
        problems: [
          { field: 'metadata', rule: 'maxBytes', message: `metadata must be at most ${MAX_METADATA_BYTES} bytes` },
        ],
      },
    });
  }
  if (input.sseKmsKeyId && input.serverSideEncryption !== 'aws:kms' && input.serverSideEncryption !== 'aws:kms:dsse') {
    throw new ConnectorError({
      type: 'user_input',
      code: 'InvalidInput',
      message: 'sseKmsKeyId needs serverSideEncryption set to aws:kms (or aws:kms:dsse).',
    });
  }
  return compact({
    Bucket: input.bucket,
    Key: input.key,
    ContentType: contentType,
    Metadata: input.metadata,
    CacheControl: input.cacheControl,
    ContentDisposition: input.contentDisposition,
    ContentEncoding: input.contentEncoding,
    ContentLanguage: input.contentLanguage,
    Expires: input.expires ? new Date(input.expires) : undefined,
    StorageClass: input.storageClass,
    ACL: input.acl,
    ServerSideEncryption: input.serverSideEncryption,
    SSEKMSKeyId: input.sseKmsKeyId,
    BucketKeyEnabled: input.bucketKeyEnabled,
    Tagging: input.tags && support.tagsOnPut !== false ? new URLSearchParams(input.tags).toString() : undefined,
    ChecksumAlgorithm: input.checksumAlgorithm,
    IfNoneMatch: input.ifNoneMatch,
    IfMatch: input.ifMatch,
  });
}

/** Tags for a store that drops them on upload: written by a second request once the object exists. */
export async function writeTagsSeparately(
  ctx: Pick<OperationContext, 's3' | 'signal' | 'capabilities'>,
  params: WriteParams,
  input: WriteOptions,
  versionId?: string,
): Promise<void> {
  if (ctx.capabilities.tagsOnPut !== false || !input.tags || !Object.keys(input.tags).length) return;
  const TagSet = Object.entries(input.tags).map(([Key, Value]) => ({ Key, Value }));
  try {
    await ctx.s3.send(
      new PutObjectTaggingCommand({
        Bucket: params.Bucket,
        Key: params.Key,
        VersionId: versionId,
        Tagging: { TagSet },
      }),
      { abortSignal: ctx.signal },
    );
  } catch (err) {
    throw annotate(
      err,
      'The object was written, but its tags were not (this store drops tags sent with an upload, so they are written separately).',
      { written: true, tagged: false },
    );
  }
}

interface WriteResult {
  ETag?: string;
  VersionId?: string;
  ServerSideEncryption?: string;
  SSEKMSKeyId?: string;
  ChecksumCRC32?: string;
  ChecksumCRC32C?: string;
  ChecksumCRC64NVME?: string;
  ChecksumSHA1?: string;
  ChecksumSHA256?: string;
  ChecksumType?: string;
}

export function writeOutput(
  params: WriteParams,
  result: WriteResult,
  size: number,
  written: { keys?: KeyMapping } = {},
): PutObjectTextOutput {
  const checksum = compact({
    crc32: result.ChecksumCRC32,
    crc32c: result.ChecksumCRC32C,
    crc64nvme: result.ChecksumCRC64NVME,
    sha1: result.ChecksumSHA1,
    sha256: result.ChecksumSHA256,
    type: result.ChecksumType,
  });
  return compact({
    bucket: params.Bucket!,
    key: params.Key!,
    storedKey: written.keys?.prefix ? written.keys.toStored(params.Key!) : undefined,
    etag: result.ETag,
    versionId: result.VersionId,
    size,
    contentType: params.ContentType,
    serverSideEncryption: result.ServerSideEncryption,
    sseKmsKeyId: result.SSEKMSKeyId,
    checksum: Object.keys(checksum).length ? checksum : undefined,
  });
}

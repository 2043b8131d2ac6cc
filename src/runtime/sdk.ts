// The CommonJS packages the connector runs on, loaded with require() rather than `import`.
// Node's `import` of a CommonJS file first scans its whole source for export names
// (cjs-module-lexer, then format detection); for @aws-sdk/client-s3, one large bundle, that scan
// costs about as much again as loading it (measured with --cpu-prof: a cold list_buckets spent
// ~55 ms of its ~100 ms excess over the raw SDK there). require() loads the same module instance
// (the packages have no ES build under "exports"), so classes, instanceof and middleware are
// shared with a host that imports them. Every value the connector takes from these packages
// comes from here; their types are imported from the packages as before (`import type`, erased).
// test/lanes/sdkLoading.test.ts keeps it so.
import { createRequire } from 'node:module';
import type * as ClientS3 from '@aws-sdk/client-s3';
import type * as NodeHttpHandlerModule from '@smithy/node-http-handler';

const require = createRequire(import.meta.url);

const s3 = require('@aws-sdk/client-s3') as typeof ClientS3;
export const {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CopyObjectCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectTaggingCommand,
  DeleteObjectsCommand,
  GetBucketLocationCommand,
  GetBucketNotificationConfigurationCommand,
  GetBucketVersioningCommand,
  GetObjectAclCommand,
  GetObjectCommand,
  GetObjectTaggingCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectVersionsCommand,
  ListObjectsV2Command,
  PutBucketNotificationConfigurationCommand,
  PutBucketVersioningCommand,
  PutObjectAclCommand,
  PutObjectCommand,
  PutObjectTaggingCommand,
  RestoreObjectCommand,
  S3Client,
  UploadPartCommand,
  UploadPartCopyCommand,
} = s3;
// The package's types, through here too (a class above is a value only: its type is added below).
export type * from '@aws-sdk/client-s3';
export type S3Client = ClientS3.S3Client;
export type PutObjectCommand = ClientS3.PutObjectCommand;

export const { NodeHttpHandler } = require('@smithy/node-http-handler') as typeof NodeHttpHandlerModule;

import { ListObjectVersionsCommand, type DeleteMarkerEntry, type ObjectVersion } from '../src/runtime/sdk.js';
import type { ListObjectVersionsInput, ListObjectVersionsOutput } from '../src/generated/types.js';
import { followPages } from '../src/io/paging.js';
import { compact, defineOperation, isoDate } from '../src/runtime/operation.js';

interface Markers {
  keyMarker: string;
  versionIdMarker?: string;
}

export default defineOperation<ListObjectVersionsInput, ListObjectVersionsOutput>(async (input, { s3, signal }) => {
  const versions: ObjectVersion[] = [];
  const deleteMarkers: DeleteMarkerEntry[] = [];
  const folders: string[] = [];
  const start = input.keyMarker ? { keyMarker: input.keyMarker, versionIdMarker: input.versionIdMarker } : undefined;
  // MaxKeys counts versions, delete markers and folders alike: the markers S3 answers resume
  // exactly after the last entry kept.
  const next = await followPages<Markers>(
    { limit: input.limit, pageSize: input.pageSize, start },
    async (position, maxKeys) => {
      const page = await s3.send(
        new ListObjectVersionsCommand({
          Bucket: input.bucket,
          Prefix: input.prefix,
          Delimiter: input.delimiter,
          KeyMarker: position?.keyMarker,
          VersionIdMarker: position?.versionIdMarker,
          MaxKeys: maxKeys,
        }),
        { abortSignal: signal },
      );
      const before = versions.length + deleteMarkers.length + folders.length;
      versions.push(...(page.Versions ?? []));
      deleteMarkers.push(...(page.DeleteMarkers ?? []));
      for (const p of page.CommonPrefixes ?? []) if (p.Prefix && !folders.includes(p.Prefix)) folders.push(p.Prefix);
      const more =
        page.IsTruncated && page.NextKeyMarker
          ? { keyMarker: page.NextKeyMarker, versionIdMarker: page.NextVersionIdMarker || undefined }
          : undefined;
      return { count: versions.length + deleteMarkers.length + folders.length - before, next: more };
    },
  );

  return compact({
    bucket: input.bucket,
    prefix: input.prefix,
    delimiter: input.delimiter,
    versions: versions.map((v) =>
      compact({
        key: v.Key ?? '',
        versionId: v.VersionId ?? 'null',
        isLatest: v.IsLatest ?? false,
        size: v.Size ?? 0,
        etag: v.ETag,
        lastModified: isoDate(v.LastModified),
        storageClass: v.StorageClass ?? 'STANDARD',
      }),
    ),
    deleteMarkers: deleteMarkers.map((m) =>
      compact({
        key: m.Key ?? '',
        versionId: m.VersionId ?? 'null',
        isLatest: m.IsLatest ?? false,
        lastModified: isoDate(m.LastModified),
      }),
    ),
    folders,
    count: versions.length + deleteMarkers.length,
    nextKeyMarker: next?.keyMarker,
    nextVersionIdMarker: next?.versionIdMarker,
  });
});

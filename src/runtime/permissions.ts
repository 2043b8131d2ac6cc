// The IAM actions a call needs: the manifest's, plus their version variants when the input
// names an object version (S3 then checks s3:GetObjectVersion as well as s3:GetObject, ...).

const VERSION_VARIANTS: Record<string, string> = {
  's3:GetObject': 's3:GetObjectVersion',
  's3:DeleteObject': 's3:DeleteObjectVersion',
  's3:GetObjectAcl': 's3:GetObjectVersionAcl',
  's3:PutObjectAcl': 's3:PutObjectVersionAcl',
  's3:GetObjectTagging': 's3:GetObjectVersionTagging',
  's3:PutObjectTagging': 's3:PutObjectVersionTagging',
  's3:DeleteObjectTagging': 's3:DeleteObjectVersionTagging',
};

export function requiredPermissions(permissions: readonly string[], namesVersion: boolean): string[] {
  if (!namesVersion) return [...permissions];
  return permissions.flatMap((p) => (VERSION_VARIANTS[p] ? [p, VERSION_VARIANTS[p]] : [p]));
}

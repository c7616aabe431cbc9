// Facts about KMS key references that evidence and fixes rely on. KMS is regional: a key is called in its
// own region, which its ARN names (`arn:aws:kms:REGION:ACCOUNT:key/ID`); an SSE-KMS key of a bucket is in
// the bucket's region (Amazon S3 User Guide, "Specifying server-side encryption with AWS KMS": the key must
// be in the same Region as the bucket). HeadObject names the key by ARN, but a key id or an alias also
// reaches the evidence (scenarios, older tools).

/** The region a KMS key or alias ARN names; undefined for a bare key id or alias name. */
export function kmsRegionOf(ref: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:([a-z0-9-]+):/.exec(ref)?.[1];
}

/** The account a KMS key or alias ARN names; undefined for a bare key id or alias name. */
export function kmsAccountOf(ref: string): string | undefined {
  return /^arn:aws[a-z-]*:kms:[a-z0-9-]+:(\d{12}):/.exec(ref)?.[1];
}

/** The key id of a key ARN (`.../key/ID` → ID); other references unchanged. */
export function kmsKeyIdOf(ref: string): string {
  return /:key\/(.+)$/.exec(ref)?.[1] ?? ref;
}

/** AWS managed keys for S3 go by this alias; their policy cannot be changed (AWS KMS Developer Guide, "AWS managed keys"). */
export const AWS_S3_MANAGED_ALIAS = 'alias/aws/s3';

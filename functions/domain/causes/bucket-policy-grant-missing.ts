// Cause 10: a working OAC signs the requests, but the bucket policy grants CloudFront nothing.
import type { CauseModule } from './cause.ts';
import { cloudFrontGrant, configOrigin, keyMissing, oacReadGaps, probeLine } from './shared/s3-access.ts';

export const bucketPolicyGrantMissing: CauseModule = {
  id: 'BUCKET_POLICY_GRANT_MISSING',
  risk: 'destructive',
  detect({ ev, failing }) {
    // A grant that names another distribution, account or prefix is SOURCE_ARN_MISMATCH instead.
    const gap = oacReadGaps(ev, failing).find((g) => g.grants.length === 0);
    if (!gap) return null;
    const { origin, bucket, policy } = gap;
    const oacId = configOrigin(ev, origin.id)?.origin.OriginAccessControlId ?? '';
    const missing = gap.keys.some((k) => keyMissing(bucket, k));
    return {
      id: 'BUCKET_POLICY_GRANT_MISSING',
      confidence: missing ? 0.5 : 0.95,
      summary: `Origin ${origin.id} signs its requests with OAC ${oacId}, but the policy of bucket ${bucket.name} grants the CloudFront service principal no s3:GetObject`,
      evidence: [
        `GetDistributionConfig: origin ${origin.id} OriginAccessControlId = ${oacId} (sigv4, signing always, type s3)`,
        policy === null
          ? `GetBucketPolicy ${bucket.name}: NoSuchBucketPolicy (the bucket has no policy)`
          : `GetBucketPolicy ${bucket.name}: no statement allows cloudfront.amazonaws.com s3:GetObject, and none denies it`,
        ...gap.reqs.map(probeLine),
      ],
      subject: { originId: origin.id, bucket: bucket.name },
    };
  },
  plan(finding, { ev }) {
    const bucket = finding.subject?.bucket;
    if (!bucket) return [];
    const grant = cloudFrontGrant(ev, 'BUCKET_POLICY_GRANT_MISSING', bucket);
    return grant ? [grant] : [];
  },
};

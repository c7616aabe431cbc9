// Cause 10: a working OAC signs the requests, but the bucket policy grants CloudFront nothing.
import type { CauseModule } from './cause.ts';
import { allMissing, cloudFrontGrant, configOrigin, oacReadGaps, probeLine } from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

export const bucketPolicyGrantMissing: CauseModule = {
  id: 'BUCKET_POLICY_GRANT_MISSING',
  risk: 'destructive',
  detect({ ev, failing }) {
    // A grant that names another distribution, account or prefix is SOURCE_ARN_MISMATCH instead.
    const gap = oacReadGaps(ev, failing).find((g) => g.grants.length === 0);
    if (!gap) return null;
    const { origin, bucket, policy } = gap;
    const oacId = configOrigin(ev, origin.id)?.origin.OriginAccessControlId ?? '';
    const missing = allMissing(bucket, gap.keys);
    return {
      id: 'BUCKET_POLICY_GRANT_MISSING',
      // Behind a Deny (EXPLICIT_DENY, evaluated first) the missing grant is the second problem.
      confidence: gap.denied ? 0.9 : missing ? 0.5 : 0.95,
      summary: `Origin ${origin.id} signs its requests with OAC ${oacId}, but the policy of bucket ${bucket.name} grants the CloudFront service principal no s3:GetObject`,
      evidence: [
        `GetDistributionConfig: origin ${origin.id} OriginAccessControlId = ${oacId} (sigv4, signing always, type s3)`,
        policy === null
          ? `GetBucketPolicy ${bucket.name}: NoSuchBucketPolicy (the bucket has no policy)`
          : `GetBucketPolicy ${bucket.name}: no statement allows cloudfront.amazonaws.com s3:GetObject${gap.denied ? ' (a Deny statement refuses it as well)' : ', and none denies it'}`,
        ...gap.reqs.map(probeLine),
      ],
      subject: { originId: origin.id, bucket: bucket.name },
      requests: probedIndices(gap.reqs),
    };
  },
  plan(finding, { ev }) {
    const bucket = finding.subject?.bucket;
    if (!bucket) return [];
    const grant = cloudFrontGrant(ev, 'BUCKET_POLICY_GRANT_MISSING', bucket);
    return grant ? [grant] : [];
  },
};

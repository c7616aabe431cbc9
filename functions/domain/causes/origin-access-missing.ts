// Cause 1: an S3 REST origin with neither OAC nor OAI, on a bucket that is not public.
import { describeProbe } from '../fingerprint.ts';
import { isPublicPolicy } from '../policy/questions.ts';
import type { CauseModule } from './cause.ts';
import { originAccessPlan } from './shared/origin-access.ts';
import { bucketOf, hasNoOriginIdentity, objectExists, s3DeniedByOrigin } from './shared/s3-origin.ts';

export const originAccessMissing: CauseModule = {
  id: 'ORIGIN_ACCESS_MISSING',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const [originId, reqs] of s3DeniedByOrigin(failing)) {
      const origin = reqs[0]?.origin;
      if (!origin?.bucket || !hasNoOriginIdentity(origin)) continue;
      const bucket = bucketOf(ev, origin);
      if (!bucket) continue;
      const policy = bucket.policy.ok ? bucket.policy.value : null;
      const publicPolicy = policy !== null && isPublicPolicy(policy);
      const publicAcl = bucket.publicAcl.ok && bucket.publicAcl.value;
      // A public bucket that is now blocked is PUBLIC_ACCESS_BLOCKED, not this cause.
      if (publicPolicy || publicAcl) continue;
      // Granting access cures nothing when the object is not in this bucket (see BEHAVIOR_MISROUTED).
      const missing = reqs.some(
        (r) => r.key !== undefined && bucket.objects[r.key]?.ok && !objectExists(bucket, r.key),
      );
      return {
        id: 'ORIGIN_ACCESS_MISSING',
        confidence: missing ? 0.5 : 0.95,
        summary: `S3 origin ${originId} (bucket ${origin.bucket}) has no OAC or OAI and the bucket is not public, so S3 refuses CloudFront's unsigned requests`,
        evidence: [
          `GetDistributionConfig: origin ${originId} OriginAccessControlId is empty and S3OriginConfig.OriginAccessIdentity is empty`,
          `GetBucketPolicy ${origin.bucket}: ${policy === null ? 'no policy' : 'no statement makes the bucket public'}`,
          ...reqs.map((r) => (r.probe ? describeProbe(r.probe) : `request ${r.path}`)),
        ],
        subject: { originId, bucket: origin.bucket },
      };
    }
    return null;
  },
  plan(finding, { ev }) {
    const originId = finding.subject?.originId;
    const bucket = finding.subject?.bucket;
    const origin = ev.origins.find((o) => o.id === originId);
    if (!origin || !bucket) return [];
    return originAccessPlan(ev, 'ORIGIN_ACCESS_MISSING', origin, bucket);
  },
};

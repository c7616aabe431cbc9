// Cause 1: an S3 REST origin with neither OAC nor OAI, on a bucket that is not public.
import { describeProbe } from '../fingerprint.ts';
import { isPublicPolicy } from '../policy/questions.ts';
import type { ResolvedRequest } from '../routing.ts';
import type { Evidence, Finding } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { originAccessPlan } from './shared/origin-access.ts';
import { allMissing, ask, keysOf } from './shared/s3-access.ts';
import { bucketOf, hasNoOriginIdentity, originNotReached, s3DeniedByOrigin } from './shared/s3-origin.ts';
import { probedIndices } from './shared/viewer.ts';

/**
 * The finding for one origin's requests, or null when the origin has an identity or the bucket is public.
 * `reached`: S3 itself refused the probes; otherwise a viewer-side refusal of CloudFront hid the origin,
 * and the configuration alone shows that S3 will refuse these requests once that is fixed.
 */
function finding(ev: Evidence, reqs: readonly ResolvedRequest[], reached: boolean): Finding | null {
  const origin = reqs[0]?.origin;
  if (!origin?.bucket || !hasNoOriginIdentity(origin)) return null;
  const bucket = bucketOf(ev, origin);
  if (!bucket) return null;
  const policy = bucket.policy.ok ? bucket.policy.value : null;
  // A policy the evaluator refuses may well be public: no claim either way.
  const publicPolicy = policy !== null && (ask(() => isPublicPolicy(policy)) ?? true);
  const publicAcl = bucket.publicAcl.ok && bucket.publicAcl.value;
  // A public bucket that is now blocked is PUBLIC_ACCESS_BLOCKED, not this cause.
  if (publicPolicy || publicAcl) return null;
  // Granting access cures nothing when no requested object is in this bucket (see BEHAVIOR_MISROUTED).
  const missing = allMissing(bucket, keysOf(reqs));
  if (!reached && (missing || keysOf(reqs).length === 0)) return null;
  return {
    id: 'ORIGIN_ACCESS_MISSING',
    confidence: !reached ? 0.7 : missing ? 0.5 : 0.95,
    summary: `S3 origin ${origin.id} (bucket ${origin.bucket}) has no OAC or OAI and the bucket is not public, so S3 refuses CloudFront's unsigned requests${reached ? '' : ' (hidden for now behind CloudFront refusing the requests first)'}`,
    evidence: [
      `GetDistributionConfig: origin ${origin.id} OriginAccessControlId is empty and S3OriginConfig.OriginAccessIdentity is empty`,
      `GetBucketPolicy ${origin.bucket}: ${policy === null ? 'no policy' : 'no statement makes the bucket public'}`,
      ...reqs.map((r) =>
        r.probe
          ? `${describeProbe(r.probe)}${reached ? '' : ' (CloudFront refused it before the origin)'}`
          : `request ${r.path}`,
      ),
    ],
    subject: { originId: origin.id, bucket: origin.bucket },
    requests: probedIndices(reqs),
  };
}

export const originAccessMissing: CauseModule = {
  id: 'ORIGIN_ACCESS_MISSING',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const reqs of s3DeniedByOrigin(failing).values()) {
      const found = finding(ev, reqs, true);
      if (found) return found;
    }
    for (const reqs of originNotReached(failing).values()) {
      const found = finding(ev, reqs, false);
      if (found) return found;
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

// Cause 14: the origin's OAC id names an OAC that does not exist, never signs, or is not for S3, so
// CloudFront's requests reach the bucket unsigned.
import type { CauseModule } from './cause.ts';
import {
  allMissing,
  keysOf,
  oacAccessPlan,
  originIdentity,
  probeLine,
  refusedBuckets,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

export const oacMisconfigured: CauseModule = {
  id: 'OAC_MISCONFIGURED',
  risk: 'destructive',
  detect({ ev, failing }) {
    // An OAC on a website endpoint is WEBSITE_ENDPOINT_ORIGIN's: only REST origins here.
    for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
      const identity = originIdentity(ev, origin);
      if (identity.kind !== 'oac-broken') continue;
      const missing = allMissing(bucket, keysOf(reqs));
      return {
        id: 'OAC_MISCONFIGURED',
        confidence: missing ? 0.5 : 0.95,
        summary: `Origin ${originId}'s OAC ${identity.id} ${identity.problem}, so CloudFront sends unsigned requests that bucket ${bucket.name} refuses`,
        evidence: [
          `GetDistributionConfig: origin ${originId} OriginAccessControlId = ${identity.id}`,
          `GetOriginAccessControl ${identity.id}: ${identity.problem}`,
          ...reqs.map(probeLine),
        ],
        subject: { originId, bucket: bucket.name, oacId: identity.id },
        requests: probedIndices(reqs),
      };
    }
    return null;
  },
  plan(finding, { ev }) {
    const origin = ev.origins.find((o) => o.id === finding.subject?.originId);
    const bucket = finding.subject?.bucket;
    if (!origin || !bucket) return [];
    return oacAccessPlan(ev, 'OAC_MISCONFIGURED', origin, bucket);
  },
};

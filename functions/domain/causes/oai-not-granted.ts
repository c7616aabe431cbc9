// Cause 13: the origin signs with a legacy OAI that the bucket policy does not grant, or that no longer
// exists. The fix migrates the origin to an OAC; the OAI's own statement stays in the policy.
import type { CauseModule } from './cause.ts';
import {
  allMissing,
  configOrigin,
  identityCanRead,
  keysOf,
  oacAccessPlan,
  originIdentity,
  probeLine,
  readPolicy,
  refusedBuckets,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

export const oaiNotGranted: CauseModule = {
  id: 'OAI_NOT_GRANTED',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
      const identity = originIdentity(ev, origin);
      if (identity.kind !== 'oai' && identity.kind !== 'oai-missing') continue;
      const keys = keysOf(reqs);
      let evidence: string;
      if (identity.kind === 'oai') {
        const policy = readPolicy(bucket);
        if (policy === undefined) continue;
        // A Deny is EXPLICIT_DENY's; here nothing grants the OAI.
        const ungranted = keys.filter(
          (key) => identityCanRead(ev, identity, bucket.name, policy, key)?.decision === 'ImplicitDeny',
        );
        if (ungranted.length === 0) continue;
        evidence = `GetBucketPolicy ${bucket.name}: ${policy === null ? 'no policy' : 'no statement'} grants OAI ${identity.id} (canonical user ${identity.canonicalUserId}) s3:GetObject on ${ungranted.join(', ')}`;
      } else {
        evidence = `GetCloudFrontOriginAccessIdentity ${identity.id}: NoSuchCloudFrontOriginAccessIdentity (the OAI was deleted)`;
      }
      const missing = allMissing(bucket, keys);
      return {
        id: 'OAI_NOT_GRANTED',
        confidence: missing ? 0.5 : 0.95,
        summary:
          identity.kind === 'oai'
            ? `Origin ${originId} reads bucket ${bucket.name} with legacy OAI ${identity.id}, which the bucket policy does not grant`
            : `Origin ${originId} names legacy OAI ${identity.id}, which no longer exists, so its requests to bucket ${bucket.name} are refused`,
        evidence: [
          `GetDistributionConfig: origin ${originId} S3OriginConfig.OriginAccessIdentity = origin-access-identity/cloudfront/${identity.id}`,
          evidence,
          ...reqs.map(probeLine),
        ],
        subject: { originId, bucket: bucket.name, oaiId: identity.id },
        requests: probedIndices(reqs),
      };
    }
    return null;
  },
  plan(finding, { ev }) {
    const origin = ev.origins.find((o) => o.id === finding.subject?.originId);
    const bucket = finding.subject?.bucket;
    if (!origin || !bucket) return [];
    // Merging the OAC grant keeps every statement, the OAI's included, until the OAC is verified.
    const located = configOrigin(ev, origin.id);
    const oaiRef = located?.origin.S3OriginConfig?.OriginAccessIdentity ?? '';
    return oacAccessPlan(ev, 'OAI_NOT_GRANTED', origin, bucket).map((a) =>
      a.id === `attach-oac:${origin.id}`
        ? {
            ...a,
            description: `${a.description}, replacing legacy OAI ${finding.subject?.oaiId ?? ''} (its bucket-policy statement is kept)`,
            diff: [
              ...a.diff,
              {
                path: `Origins.Items[${located?.index ?? -1}].S3OriginConfig.OriginAccessIdentity`,
                before: oaiRef,
                after: '',
              },
            ],
          }
        : a,
    );
  },
};

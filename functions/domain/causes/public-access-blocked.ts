// Cause 2: the origin relied on public read, and Block Public Access now voids that grant.
import type { CauseModule } from './cause.ts';
import {
  allMissing,
  bpaSource,
  effectivelyPublic,
  identityCanRead,
  keysOf,
  oacAccessPlan,
  originIdentity,
  probeLine,
  publicGrants,
  publicRead,
  readPolicy,
  refusedBuckets,
  statementName,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

export const publicAccessBlocked: CauseModule = {
  id: 'PUBLIC_ACCESS_BLOCKED',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
      const identity = originIdentity(ev, origin);
      // Only unsigned requests or an OAI depend on public read; an OAC grant is never "public".
      if (identity.kind !== 'none' && identity.kind !== 'oai') continue;
      const pub = publicRead(ev, bucket);
      if (!(pub.policyBlocked || pub.aclBlocked) || effectivelyPublic(pub)) continue;
      const policy = readPolicy(bucket) ?? null;
      const publicIdx = new Set(publicGrants(policy).map((m) => m.index));
      if (identity.kind === 'oai') {
        // An OAI that a statement of its own grants is not relying on public read.
        const ownGrant = keysOf(reqs).some((key) =>
          identityCanRead(ev, identity, bucket.name, policy, key)?.allowedBy.some(
            (m) => !publicIdx.has(m.index),
          ),
        );
        if (ownGrant) continue;
      }
      const missing = allMissing(bucket, keysOf(reqs));
      const evidence: string[] = [];
      if (pub.policyBlocked) {
        const names = publicGrants(policy).map(statementName).join(', ');
        evidence.push(`GetBucketPolicy ${bucket.name}: statement ${names} grants Principal "*" (public)`);
        evidence.push(
          `${bpaSource(ev, bucket, 'RestrictPublicBuckets')}: RestrictPublicBuckets = true, so the public policy grants nothing`,
        );
      }
      if (pub.aclBlocked) {
        evidence.push(`GetBucketAcl ${bucket.name}: AllUsers READ (public ACL)`);
        evidence.push(
          `${bpaSource(ev, bucket, 'IgnorePublicAcls')}: IgnorePublicAcls = true, so the public ACL grants nothing`,
        );
      }
      evidence.push(
        `GetDistributionConfig: origin ${originId} OriginAccessControlId is empty (${identity.kind === 'oai' ? `legacy OAI ${identity.id}` : 'no OAI'})`,
        ...reqs.map(probeLine),
      );
      return {
        id: 'PUBLIC_ACCESS_BLOCKED',
        // A missing object would still be refused once access is restored.
        confidence: missing ? 0.5 : 0.95,
        summary: `Origin ${originId} reads bucket ${bucket.name} through its public ${pub.policyBlocked ? 'policy' : 'ACL'}, which Block Public Access now overrides, and has no OAC`,
        evidence,
        subject: { originId, bucket: bucket.name },
        requests: probedIndices(reqs),
      };
    }
    return null;
  },
  plan(finding, { ev }) {
    const origin = ev.origins.find((o) => o.id === finding.subject?.originId);
    const bucket = finding.subject?.bucket;
    if (!origin || !bucket) return [];
    // Block Public Access stays on: CloudFront gets its own, non-public grant instead.
    return oacAccessPlan(ev, 'PUBLIC_ACCESS_BLOCKED', origin, bucket);
  },
};

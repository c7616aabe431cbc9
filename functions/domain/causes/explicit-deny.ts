// Cause 12: a Deny statement of the bucket policy matches CloudFront's request. Denies are deliberate
// controls, so the workflow names the statement and leaves the change to a person.
import type { BucketEvidence, Evidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { allDeliberate, deliberateAdvice } from './shared/intent.ts';
import {
  cloudFrontDecision,
  describeIdentity,
  effectivelyPublic,
  identityCanRead,
  type OriginIdentity,
  originIdentity,
  probeLine,
  publicRead,
  readPolicy,
  s3Refused,
  statementName,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

/**
 * True when the identity CloudFront uses now is the one whose reads matter. False when the access fix
 * will replace it by an OAC (no identity on a private bucket, a broken OAC, a deleted OAI): that OAC's
 * reads are asked instead, so a Deny that would still refuse it is reported before a fix that cannot work.
 */
function asksNow(ev: Evidence, identity: OriginIdentity, bucket: BucketEvidence): boolean {
  if (identity.kind === 'oac' || identity.kind === 'oai') return true;
  return identity.kind === 'none' && effectivelyPublic(publicRead(ev, bucket));
}

/**
 * The Resource of policy statement `index` when it is narrower than the bucket's objects (a prefix such as
 * `private/*`): a deny written for some content, not for the site.
 */
function narrowResources(policy: string, index: number, bucket: string): string[] {
  let doc: unknown;
  try {
    doc = JSON.parse(policy);
  } catch {
    return [];
  }
  const statements = (doc as { Statement?: unknown }).Statement;
  const st = (Array.isArray(statements) ? statements[index] : statements) as
    | { Resource?: unknown }
    | undefined;
  const raw = st?.Resource;
  const resources = (Array.isArray(raw) ? raw : [raw]).filter((r): r is string => typeof r === 'string');
  const whole = ['*', `arn:aws:s3:::${bucket}/*`, `arn:aws:s3:::${bucket}*`, `arn:aws:s3:::*`];
  const objects = resources.filter((r) => r.startsWith(`arn:aws:s3:::${bucket}/`) || whole.includes(r));
  if (objects.length === 0 || objects.some((r) => whole.includes(r))) return [];
  return objects;
}

export const explicitDeny: CauseModule = {
  id: 'EXPLICIT_DENY',
  risk: 'manual',
  detect({ ev, failing }) {
    for (const [originId, reqs] of s3Refused(failing)) {
      const origin = reqs[0]?.origin;
      const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
      const policy = bucket ? readPolicy(bucket) : undefined;
      if (!origin || !bucket || policy === undefined || policy === null) continue;
      const current = originIdentity(ev, origin);
      if (current.kind === 'unknown') continue;
      const now = asksNow(ev, current, bucket);
      const denied = reqs.flatMap((r) => {
        if (r.key === undefined || r.key === '') return [];
        if (now) {
          const d = identityCanRead(ev, current, bucket.name, policy, r.key);
          return d?.decision === 'ExplicitDeny' ? [{ r, d, matchesNow: true }] : [];
        }
        // The access fix will sign with an OAC: only a Deny that still refuses that OAC is a cause. It
        // comes first when it refuses the unsigned requests of today as well.
        const later = cloudFrontDecision(ev, bucket.name, policy, r.key);
        if (later?.decision !== 'ExplicitDeny') return [];
        const today = identityCanRead(ev, { kind: 'none' }, bucket.name, policy, r.key);
        return [{ r, d: later, matchesNow: today?.decision === 'ExplicitDeny' }];
      });
      const first = denied[0];
      if (!first) continue;
      const matchesNow = denied.some((x) => x.matchesNow);
      const names = [...new Set(denied.flatMap(({ d }) => d.deniedBy.map(statementName)))];
      const who = now
        ? describeIdentity(current)
        : matchesNow
          ? `unsigned requests now, and to the OAC of distribution ${ev.distribution.Id} once attached`
          : `the OAC of distribution ${ev.distribution.Id} (once attached)`;
      const narrow = narrowResources(policy, first.d.deniedBy[0]?.index ?? -1, bucket.name);
      const intent =
        narrow.length > 0
          ? `it denies only ${narrow.join(', ')}, content kept from viewers`
          : allDeliberate(denied.map(({ r }) => r.path));
      return {
        id: 'EXPLICIT_DENY',
        // S3 evaluates explicit denies before any grant: a Deny refusing the request as sent now comes
        // before every missing-grant cause; one that only waits for the access fix comes after it.
        confidence: matchesNow ? 0.96 : 0.85,
        summary: intent
          ? `Likely intentional: statement ${names.join(', ')} of bucket ${bucket.name}'s policy denies s3:GetObject to ${who} (${intent})`
          : `Statement ${names.join(', ')} of bucket ${bucket.name}'s policy explicitly denies s3:GetObject to ${who}`,
        evidence: [
          `GetBucketPolicy ${bucket.name}: Deny statement ${names.join(', ')} matches s3:GetObject on ${denied.map(({ r }) => r.key).join(', ')} for ${who}`,
          `GetDistributionConfig: origin ${originId} reads the bucket with ${describeIdentity(current)}`,
          ...denied.map(({ r }) => probeLine(r)),
        ],
        subject: {
          originId,
          bucket: bucket.name,
          statement: names.join(', '),
          index: String(first.d.deniedBy[0]?.index ?? ''),
          ...(intent ? { intentional: intent } : {}),
        },
        requests: probedIndices(denied.map(({ r }) => r)),
      };
    }
    return null;
  },
  plan(finding, { ev }) {
    const bucket = finding.subject?.bucket;
    const statement = finding.subject?.statement;
    if (!bucket || !statement) return [];
    const intent = finding.subject?.intentional;
    if (intent) {
      return [
        {
          id: `explicit-deny:${bucket}:${finding.subject?.index ?? ''}`,
          cause: 'EXPLICIT_DENY',
          risk: 'manual',
          description: deliberateAdvice(
            `Deny statement ${statement} of bucket ${bucket}'s policy`,
            intent,
            `exempt this distribution from it (a condition StringNotEquals AWS:SourceArn = ${ev.distribution.ARN}) or narrow its Resource`,
          ),
          calls: [],
          diff: [],
        },
      ];
    }
    return [
      {
        id: `explicit-deny:${bucket}:${finding.subject?.index ?? ''}`,
        cause: 'EXPLICIT_DENY',
        risk: 'manual',
        description: `Review Deny statement ${statement} in the policy of bucket ${bucket}: it refuses CloudFront's s3:GetObject. If the deny is not meant for CloudFront, exempt this distribution (e.g. add a condition StringNotEquals AWS:SourceArn = ${ev.distribution.ARN}, or narrow its Resource); the workflow does not change deliberate denies`,
        calls: [],
        diff: [],
      },
    ];
  },
};

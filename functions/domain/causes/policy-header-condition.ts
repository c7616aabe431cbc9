// The bucket policy grants reads only to requests carrying a header CloudFront does not send: a Referer
// (hotlink protection, or a shared secret), a browser User-Agent. CloudFront forwards neither unless the
// behavior says so, sends "Amazon CloudFront" as User-Agent, and a viewer can forge both anyway (IAM User
// Guide, aws:Referer: "use it only as a deterrent"). An OAC makes the grant independent of headers.
import { normalizePolicy } from '../policy/document.ts';
import { evaluateResourcePolicy, type PolicyPrincipal } from '../policy/evaluate.ts';
import { CLOUDFRONT_SERVICE_PRINCIPAL, oaiPrincipalArn, publicStatements } from '../policy/questions.ts';
import type { ResolvedRequest } from '../routing.ts';
import type { Action, BucketEvidence, Evidence, OriginEvidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { type SentHeader, sentHeader } from './shared/origin-headers.ts';
import {
  ask,
  cloudFrontGrant,
  describeIdentity,
  headLine,
  type OriginIdentity,
  oacAccessPlan,
  objectArn,
  originIdentity,
  probeLine,
  readPolicy,
  s3Refused,
  statementName,
} from './shared/s3-access.ts';
import { bpaFlag, objectExists } from './shared/s3-origin.ts';
import { manualAction, probedIndices } from './shared/viewer.ts';

/** Header condition keys of S3 bucket policies, with the request header each reads. */
const HEADER_KEYS: Readonly<Record<string, string>> = {
  'aws:referer': 'Referer',
  'aws:useragent': 'User-Agent',
};

const MATCHING_OPERATORS = new Set(['StringEquals', 'StringEqualsIgnoreCase', 'StringLike']);

/** A value a StringLike/StringEquals condition accepts: its first value, wildcards filled in. */
function satisfying(value: string): string {
  return value.replace(/\*/g, 'x').replace(/\?/g, 'x');
}

interface Who {
  principal: PolicyPrincipal;
  aliases?: PolicyPrincipal[];
  context: Record<string, string | boolean>;
}

function who(ev: Evidence, identity: OriginIdentity, website: boolean): Who {
  const secure = { 'aws:SecureTransport': !website };
  if (website) return { principal: { type: 'Anonymous' }, context: secure };
  switch (identity.kind) {
    case 'oac':
      return {
        principal: { type: 'Service', id: CLOUDFRONT_SERVICE_PRINCIPAL },
        context: {
          ...secure,
          'aws:SourceArn': ev.distribution.ARN,
          'aws:SourceAccount': ev.account,
          'aws:PrincipalServiceName': CLOUDFRONT_SERVICE_PRINCIPAL,
          'aws:PrincipalIsAWSService': true,
        },
      };
    case 'oai':
      return {
        principal: { type: 'AWS', id: oaiPrincipalArn(identity.id) },
        aliases: [{ type: 'CanonicalUser', id: identity.canonicalUserId }],
        context: secure,
      };
    default:
      return { principal: { type: 'Anonymous' }, context: secure };
  }
}

interface Unmet {
  origin: OriginEvidence;
  bucket: BucketEvidence;
  identity: OriginIdentity;
  website: boolean;
  /** `'Stmt' (#1): aws:Referer StringLike https://www.example.com/*` */
  statements: string[];
  sent: Record<string, SentHeader>;
  reqs: ResolvedRequest[];
}

function headerContext(sent: Record<string, SentHeader>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, header] of Object.entries(sent)) if (header.value !== undefined) out[key] = header.value;
  return out;
}

export function unmetHeaderConditions(ctx: DetectContext): Unmet[] {
  const { ev } = ctx;
  const out: Unmet[] = [];
  for (const reqs of s3Refused(ctx.failing, ['s3-rest', 's3-website']).values()) {
    const origin = reqs[0]?.origin;
    const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
    const policy = bucket ? readPolicy(bucket) : undefined;
    if (!origin || !bucket || !policy) continue;
    const normalized = ask(() => normalizePolicy(policy));
    const conditioned = (normalized?.statements ?? []).filter(
      (s) =>
        s.effect === 'Allow' &&
        s.conditions.some(
          (c) => HEADER_KEYS[c.key.toLowerCase()] !== undefined && MATCHING_OPERATORS.has(c.base),
        ),
    );
    if (conditioned.length === 0) continue;
    const website = origin.kind === 's3-website';
    const identity = originIdentity(ev, origin);
    const caller = who(ev, identity, website);
    // A public grant Block Public Access voids is PUBLIC_ACCESS_BLOCKED's, whatever its conditions.
    const voided = new Set(
      bpaFlag(ev, bucket, 'RestrictPublicBuckets')
        ? (ask(() => publicStatements(policy)) ?? []).map((m) => m.index)
        : [],
    );
    const statements = new Set<string>();
    let sent: Record<string, SentHeader> = {};
    const unmet = reqs.filter((r) => {
      if (r.key === undefined || r.key === '' || !objectExists(bucket, r.key)) return false;
      if (r.probe?.fingerprint.kind === 's3-kms-denied') return false;
      const headers: Record<string, SentHeader> = {
        'aws:Referer': sentHeader(ev, r, 'Referer'),
        'aws:UserAgent': sentHeader(ev, r, 'User-Agent'),
      };
      const request = (extra: Record<string, string>) => ({
        principal: caller.principal,
        ...(caller.aliases ? { principalAliases: caller.aliases } : {}),
        action: 's3:GetObject',
        resource: objectArn(bucket.name, r.key ?? ''),
        context: { ...caller.context, ...extra },
      });
      const now = ask(() => evaluateResourcePolicy(policy, request(headerContext(headers))));
      if (now?.decision !== 'ImplicitDeny') return false;
      let found = false;
      for (const s of conditioned) {
        if (voided.has(s.index)) continue;
        const wanted: Record<string, string> = {};
        for (const c of s.conditions) {
          const header = HEADER_KEYS[c.key.toLowerCase()];
          const first = c.values[0];
          if (header && MATCHING_OPERATORS.has(c.base) && first !== undefined)
            wanted[c.key.toLowerCase() === 'aws:referer' ? 'aws:Referer' : 'aws:UserAgent'] =
              satisfying(first);
        }
        const met = ask(() =>
          evaluateResourcePolicy(policy, request({ ...headerContext(headers), ...wanted })),
        );
        if (met?.decision !== 'Allow' || !met.allowedBy.some((m) => m.index === s.index)) continue;
        found = true;
        const conds = s.conditions
          .filter((c) => HEADER_KEYS[c.key.toLowerCase()] !== undefined)
          .map((c) => `${c.key} ${c.operator} ${c.values.join(' | ')}`);
        statements.add(
          `${statementName({ index: s.index, effect: 'Allow', ...(s.sid ? { sid: s.sid } : {}) })}: ${conds.join(', ')}`,
        );
      }
      if (found) sent = headers;
      return found;
    });
    if (unmet.length > 0)
      out.push({ origin, bucket, identity, website, statements: [...statements], sent, reqs: unmet });
  }
  return out;
}

function sentLines(u: Unmet): string[] {
  return Object.entries(u.sent).map(
    ([key, h]) =>
      `CloudFront's request to S3 carries ${key === 'aws:Referer' ? 'Referer' : 'User-Agent'} = ${h.value === undefined ? '(none)' : `"${h.value}"`} (${h.how})`,
  );
}

export const policyHeaderCondition: CauseModule = {
  id: 'POLICY_HEADER_CONDITION',
  risk: 'destructive',
  detect(ctx) {
    const [first] = unmetHeaderConditions(ctx);
    if (!first) return null;
    return {
      id: 'POLICY_HEADER_CONDITION',
      confidence: 0.92,
      summary: `Bucket ${first.bucket.name}'s policy grants reads only to requests with a header CloudFront does not send to ${first.website ? 'the website endpoint' : 'S3'} (${first.statements.join('; ')}), so every request of origin ${first.origin.id} is refused`,
      evidence: [
        `GetBucketPolicy ${first.bucket.name}: ${first.statements.join('; ')}`,
        `GetDistributionConfig: origin ${first.origin.id} signs with ${first.website ? 'nothing (website endpoint)' : describeIdentity(first.identity)}`,
        ...sentLines(first),
        ...first.reqs.map((r) => headLine(first.bucket, r.key ?? '')),
        ...first.reqs.map(probeLine),
      ],
      subject: {
        originId: first.origin.id,
        bucket: first.bucket.name,
        ...(first.website ? { website: 'true' } : {}),
        statements: first.statements.join('\n'),
      },
      requests: probedIndices(first.reqs),
    };
  },
  plan(finding, ctx) {
    const { ev } = ctx;
    const [u] = unmetHeaderConditions(ctx);
    if (!u) return [];
    const bucket = u.bucket.name;
    const statements = (finding.subject?.statements ?? '').split('\n').join('; ');
    if (u.website) {
      return [
        manualAction(
          `header-condition:${bucket}`,
          'POLICY_HEADER_CONDITION',
          `Origin ${u.origin.id} is the website endpoint of ${bucket}, which cannot use an OAC, and the bucket policy (${statements}) expects a header CloudFront does not send. Either set origin ${u.origin.id}'s custom header to the value that statement expects (a shared secret must match the policy exactly), or move the origin to the REST endpoint ${bucket}.s3.<region>.amazonaws.com with an OAC and an AllowCloudFrontServicePrincipal grant if the site uses no website-only feature (redirects, routing rules, index documents in sub-folders).`,
        ),
      ];
    }
    const why = `CloudFront sends no such header to S3 unless told to, and a viewer can forge Referer or User-Agent anyway; with an OAC, S3 trusts CloudFront's signature instead. The header-conditioned statement is kept (remove it once the site works)`;
    const actions: Action[] =
      u.identity.kind === 'oac'
        ? [cloudFrontGrant(ev, 'POLICY_HEADER_CONDITION', bucket)].filter((a): a is Action => a !== null)
        : oacAccessPlan(ev, 'POLICY_HEADER_CONDITION', u.origin, bucket);
    return actions.map((a) => ({ ...a, description: `${a.description}. ${why}` }));
  },
};

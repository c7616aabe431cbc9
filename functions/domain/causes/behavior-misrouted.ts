// Cause 8: the cache behavior matching the failing paths targets an origin that cannot serve them,
// while another origin of the same distribution holds the objects and lets this distribution read them.
import { PolicyParseError } from '../policy/evaluate.ts';
import { cloudFrontCanRead, isPublicPolicy, oaiCanRead } from '../policy/questions.ts';
import { objectKey, type ResolvedRequest } from '../routing.ts';
import type { Evidence, OriginEvidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { bpaFlag, bucketOf, objectExists } from './shared/s3-origin.ts';
import {
  behaviorField,
  behaviorLabel,
  distributionUpdateCalls,
  groupBy,
  probedIndices,
  requestLine,
  sentence,
} from './shared/viewer.ts';

/** Why the current origin cannot serve a request: strongest first. */
type Failure = 'foreign' | 'missing' | 'unknown' | 'denied';

// `foreign`: the behavior sends S3 objects to a non-S3 origin (an API server, another distribution),
// which refuses paths it does not know; that refusal is a symptom of the routing, so it ranks above
// CUSTOM_ORIGIN_DENIED / STACKED_DISTRIBUTION for these requests.
const CONFIDENCE: Record<Failure, number> = { foreign: 0.96, missing: 0.95, unknown: 0.8, denied: 0.6 };
const STRENGTH: readonly Failure[] = ['denied', 'unknown', 'missing', 'foreign'];

function failureOf(ev: Evidence, r: ResolvedRequest): { failure: Failure; line: string } {
  const origin = r.origin;
  const bucket = bucketOf(ev, origin);
  if (origin?.bucket && bucket && r.key !== undefined) {
    const head = bucket.objects[r.key];
    const where = `s3://${origin.bucket}/${r.key}`;
    if (head?.ok && !head.value.exists) return { failure: 'missing', line: `HeadObject ${where}: not found` };
    if (head?.ok) return { failure: 'denied', line: `HeadObject ${where}: exists, but the probe is refused` };
    return {
      failure: 'unknown',
      line: `HeadObject ${where}: ${head ? `unreadable (${head.code})` : 'not checked'}`,
    };
  }
  const foreign = origin?.kind === 'custom' || origin?.kind === 'cloudfront';
  return {
    failure: foreign ? 'foreign' : 'unknown',
    line: `origin ${origin?.id ?? '?'} (${origin?.domainName ?? 'unknown'}) answers 403${foreign ? ': it is not an S3 origin and does not hold these objects' : ''}`,
  };
}

/** How another S3 REST origin's bucket lets this distribution read `key`; undefined when it does not. */
function readableBy(ev: Evidence, origin: OriginEvidence, key: string): string | undefined {
  try {
    return grantOf(ev, origin, key);
  } catch (err) {
    // A policy that does not parse proves no grant.
    if (err instanceof PolicyParseError) return undefined;
    throw err;
  }
}

function grantOf(ev: Evidence, origin: OriginEvidence, key: string): string | undefined {
  const bucket = bucketOf(ev, origin);
  if (!origin.bucket || !bucket?.policy.ok) return undefined;
  const policy = bucket.policy.value;
  const oac = origin.oac.ok ? origin.oac.value : undefined;
  if (oac) {
    if (oac.OriginAccessControlConfig.SigningBehavior === 'never') return undefined;
    const d = cloudFrontCanRead(policy, {
      bucket: origin.bucket,
      key,
      distributionArn: ev.distribution.ARN,
      account: ev.account,
    });
    if (d.decision !== 'Allow') return undefined;
    const by = d.allowedBy[0];
    return `GetBucketPolicy ${origin.bucket}: statement ${by?.sid ?? `#${by?.index ?? '?'}`} lets OAC ${oac.Id} of this distribution read ${key}`;
  }
  const oai = origin.oai.ok ? origin.oai.value : undefined;
  if (oai) {
    const d = oaiCanRead(policy, {
      bucket: origin.bucket,
      key,
      oaiId: oai.Id,
      canonicalUserId: oai.S3CanonicalUserId,
    });
    if (d.decision !== 'Allow') return undefined;
    return `GetBucketPolicy ${origin.bucket}: OAI ${oai.Id} may read ${key}`;
  }
  if (
    origin.oac.ok &&
    origin.oai.ok &&
    policy !== null &&
    isPublicPolicy(policy) &&
    !bpaFlag(ev, bucket, 'RestrictPublicBuckets')
  ) {
    return `GetBucketPolicy ${origin.bucket}: the bucket is publicly readable`;
  }
  return undefined;
}

/** The origin (not a viewer-side check of CloudFront) refused the request. */
function originRefused(r: ResolvedRequest): boolean {
  if (!r.origin) return false;
  const source = r.probe?.fingerprint.source;
  if (source === 'cloudfront') return r.origin.kind === 'cloudfront';
  return source !== 'cloudfront-function';
}

interface Candidate {
  origin: OriginEvidence;
  lines: string[];
}

/** The first other S3 REST origin that holds and may serve every failing request of the group. */
function servingOrigin(
  ev: Evidence,
  reqs: readonly ResolvedRequest[],
  currentId: string,
): Candidate | undefined {
  const dro = ev.distribution.DistributionConfig.DefaultRootObject;
  for (const origin of ev.origins) {
    if (origin.id === currentId || origin.kind !== 's3-rest' || !origin.bucket) continue;
    const bucket = bucketOf(ev, origin);
    if (!bucket) continue;
    const lines: string[] = [];
    const ok = reqs.every((r) => {
      const key = objectKey(origin.originPath, r.path, dro);
      if (!objectExists(bucket, key)) return false;
      const grant = readableBy(ev, origin, key);
      if (!grant) return false;
      lines.push(`HeadObject s3://${origin.bucket}/${key}: exists`, grant);
      return true;
    });
    if (ok) return { origin, lines };
  }
  return undefined;
}

export interface Misrouted {
  pathPattern: string;
  reqs: ResolvedRequest[];
  failures: { failure: Failure; line: string }[];
  target: Candidate;
}

/** Every behavior whose failing requests another origin of the distribution holds and may serve. */
export function misroutedGroups(ev: Evidence, failing: readonly ResolvedRequest[]): Misrouted[] {
  const out: Misrouted[] = [];
  for (const [pathPattern, reqs] of groupBy(failing.filter(originRefused), (r) => r.matched.pathPattern)) {
    const current = reqs[0]?.origin;
    if (!current) continue;
    const target = servingOrigin(ev, reqs, current.id);
    if (target) out.push({ pathPattern, reqs, failures: reqs.map((r) => failureOf(ev, r)), target });
  }
  return out;
}

export const behaviorMisrouted: CauseModule = {
  id: 'BEHAVIOR_MISROUTED',
  risk: 'destructive',
  detect({ ev, failing }) {
    const [found] = misroutedGroups(ev, failing);
    const matched = found?.reqs[0]?.matched;
    const current = found?.reqs[0]?.origin;
    if (!found || !matched || !current) return null;
    const { pathPattern, reqs, failures, target } = found;
    // The weakest failure speaks for the group.
    const worst = STRENGTH.find((f) => failures.some((x) => x.failure === f)) ?? 'unknown';
    return {
      id: 'BEHAVIOR_MISROUTED',
      confidence: CONFIDENCE[worst],
      summary: `${sentence(behaviorLabel(pathPattern))} sends the failing paths to origin ${current.id}, which cannot serve them, while origin ${target.origin.id} (bucket ${target.origin.bucket}) holds them and grants this distribution`,
      evidence: [
        `GetDistributionConfig: ${behaviorField(matched, 'TargetOriginId')} = ${current.id} (${current.domainName})`,
        ...failures.map((f) => f.line),
        ...[...new Set(target.lines)],
        ...reqs.map(requestLine),
      ],
      subject: {
        pathPattern,
        fromOriginId: current.id,
        toOriginId: target.origin.id,
        behaviorIndex: String(matched.index),
      },
      requests: probedIndices(reqs),
    };
  },
  plan(finding, { ev }) {
    const pathPattern = finding.subject?.pathPattern;
    const from = finding.subject?.fromOriginId;
    const to = finding.subject?.toOriginId;
    if (pathPattern === undefined || !from || !to) return [];
    const index = Number(finding.subject?.behaviorIndex ?? '-1');
    const field =
      index < 0 ? 'DefaultCacheBehavior.TargetOriginId' : `CacheBehaviors.Items[${index}].TargetOriginId`;
    return [
      {
        id: `set-behavior-target:${ev.distribution.Id}:${pathPattern}`,
        cause: 'BEHAVIOR_MISROUTED',
        risk: 'destructive',
        description: `Point ${behaviorLabel(pathPattern)} of distribution ${ev.distribution.Id} at origin ${to} instead of ${from}`,
        calls: distributionUpdateCalls(ev),
        diff: [{ path: field, before: from, after: to }],
        change: {
          type: 'update-distribution',
          edits: [{ op: 'set-behavior-target', pathPattern, targetOriginId: to }],
        },
      },
    ];
  },
};

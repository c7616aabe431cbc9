// Cause 8: the cache behavior matching the failing paths targets an origin that cannot serve them,
// while another origin of the same distribution holds the objects and lets this distribution read them,
// or (server calls sent to the static S3 origin) a custom origin another behavior serves owns them.
import { PolicyParseError } from '../policy/evaluate.ts';
import { cloudFrontCanRead, isPublicPolicy, oaiCanRead } from '../policy/questions.ts';
import { objectKey, type ResolvedRequest } from '../routing.ts';
import type { Action, Evidence, Finding, OriginEvidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { bpaFlag, bucketOf, objectExists } from './shared/s3-origin.ts';
import { carryOver, type ServerMisroute, serverKind, serverMisroutes } from './shared/server-routes.ts';
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
      const key = objectKey(origin.originPath, r.uri, dro);
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

const SERVER_CONFIDENCE: Record<ServerMisroute['how'], number> = {
  shadowed: 0.95,
  sibling: 0.9,
  default: 0.9,
};

function serverFinding(m: ServerMisroute): Finding {
  const kind = serverKind(m.to.domainName);
  const tie =
    m.how === 'shadowed'
      ? `${sentence(behaviorLabel(m.template.pathPattern))}, which comes later, matches these paths and sends them to origin ${m.to.id}, but CloudFront uses the first matching behavior`
      : m.how === 'sibling'
        ? `${sentence(behaviorLabel(m.template.pathPattern))} already sends server calls under the same path to origin ${m.to.id}`
        : `The default behavior sends the app's server calls to origin ${m.to.id}`;
  return {
    id: 'BEHAVIOR_MISROUTED',
    confidence: SERVER_CONFIDENCE[m.how],
    summary: `${sentence(behaviorLabel(m.pathPattern))} sends server calls to S3 origin ${m.from.id}, which has no object for them; they belong to origin ${m.to.id} (${kind}, ${m.to.domainName})`,
    evidence: [
      `GetDistributionConfig: ${behaviorField(m.matched, 'TargetOriginId')} = ${m.from.id} (${m.from.domainName})`,
      ...m.lines,
      `GetDistributionConfig: ${tie}`,
      ...m.reqs.map(requestLine),
    ],
    subject: {
      pathPattern: m.pathPattern,
      fromOriginId: m.from.id,
      toOriginId: m.to.id,
      behaviorIndex: String(m.matched.index),
      server: m.fix,
      templatePattern: m.template.pathPattern,
    },
    requests: probedIndices(m.reqs),
  };
}

function behaviors(ev: Evidence): string[] {
  return (ev.distribution.DistributionConfig.CacheBehaviors?.Items ?? []).map((b) => b.PathPattern ?? '');
}

function reordered(ev: Evidence, moved: string, before: string): string[] {
  const rest = behaviors(ev).filter((p) => p !== moved);
  const at = rest.indexOf(before);
  return [...rest.slice(0, at), moved, ...rest.slice(at)];
}

/** Server calls sent to S3: remove or reorder the shadowing behavior, or re-point it with what the server's behavior needs. */
function serverPlan(finding: Finding, ctx: DetectContext): Action[] {
  const { ev, failing } = ctx;
  const s = finding.subject ?? {};
  const m = serverMisroutes(ev, failing).find((x) => x.pathPattern === s.pathPattern);
  if (!m || s.pathPattern === undefined) return [];
  const index = m.matched.index;
  const id = `set-behavior-target:${ev.distribution.Id}:${m.pathPattern}`;
  const never =
    'Nothing is uploaded to S3 and no method is allowed on the S3 behavior: S3 cannot run these calls.';
  if (m.fix === 'move') {
    return [
      {
        id,
        cause: 'BEHAVIOR_MISROUTED',
        risk: 'destructive',
        description: `Move ${behaviorLabel(m.template.pathPattern)} of distribution ${ev.distribution.Id} before ${behaviorLabel(m.pathPattern)}, so its server calls reach origin ${m.to.id} (${serverKind(m.to.domainName)}) instead of S3 origin ${m.from.id}; CloudFront uses the first behavior whose pattern matches. ${never}`,
        calls: distributionUpdateCalls(ev),
        diff: [
          {
            path: 'CacheBehaviors.Items[*].PathPattern (order)',
            before: behaviors(ev),
            after: reordered(ev, m.template.pathPattern, m.pathPattern),
          },
        ],
        change: {
          type: 'update-distribution',
          edits: [{ op: 'move-behavior', pathPattern: m.template.pathPattern, before: m.pathPattern }],
        },
      },
    ];
  }
  if (m.fix === 'remove') {
    return [
      {
        id,
        cause: 'BEHAVIOR_MISROUTED',
        risk: 'destructive',
        description: `Remove ${behaviorLabel(m.pathPattern)} of distribution ${ev.distribution.Id}: it sends server calls to S3 origin ${m.from.id} and shadows ${behaviorLabel(m.template.pathPattern)}, which covers the same paths and sends them to origin ${m.to.id} (${serverKind(m.to.domainName)}). ${never}`,
        calls: distributionUpdateCalls(ev),
        diff: [{ path: `CacheBehaviors.Items[${index}]`, before: m.matched.behavior, after: null }],
        change: {
          type: 'update-distribution',
          edits: [{ op: 'remove-behavior', pathPattern: m.pathPattern }],
        },
      },
    ];
  }
  const carry = carryOver(m.template.behavior);
  const current = m.matched.behavior as unknown as Record<string, unknown>;
  const changed = Object.entries(carry).filter(
    ([field, value]) => JSON.stringify(current[field] ?? null) !== JSON.stringify(value),
  );
  return [
    {
      id,
      cause: 'BEHAVIOR_MISROUTED',
      risk: 'destructive',
      description: `Point ${behaviorLabel(m.pathPattern)} of distribution ${ev.distribution.Id} at origin ${m.to.id} (${serverKind(m.to.domainName)}) instead of S3 origin ${m.from.id}, carrying over what ${behaviorLabel(m.template.pathPattern)} sets for that origin (${changed.map(([f]) => f).join(', ') || 'nothing else differs'}). ${never}`,
      calls: distributionUpdateCalls(ev),
      diff: [
        { path: behaviorField(m.matched, 'TargetOriginId'), before: m.from.id, after: m.to.id },
        ...changed.map(([field, value]) => ({
          path: behaviorField(m.matched, field),
          before: current[field] ?? null,
          after: value,
        })),
      ],
      change: {
        type: 'update-distribution',
        edits: [
          {
            op: 'set-behavior-target',
            pathPattern: m.pathPattern,
            targetOriginId: m.to.id,
            carry: Object.fromEntries(changed),
          },
        ],
      },
    },
  ];
}

/** Requests BEHAVIOR_MISROUTED explains: other rules (missing object, refused method) leave them alone. */
export function misroutedIndices(ev: Evidence, failing: readonly ResolvedRequest[]): Set<number> {
  return new Set(
    [...misroutedGroups(ev, failing), ...serverMisroutes(ev, failing)].flatMap((g) =>
      g.reqs.map((r) => r.index),
    ),
  );
}

export const behaviorMisrouted: CauseModule = {
  id: 'BEHAVIOR_MISROUTED',
  risk: 'destructive',
  detect({ ev, failing }) {
    const [found] = misroutedGroups(ev, failing);
    const matched = found?.reqs[0]?.matched;
    const current = found?.reqs[0]?.origin;
    if (!found || !matched || !current) {
      const [server] = serverMisroutes(ev, failing);
      return server ? serverFinding(server) : null;
    }
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
  plan(finding, ctx) {
    const { ev } = ctx;
    if (finding.subject?.server) return serverPlan(finding, ctx);
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

// Server-function calls (an app's `_server/*`, `/api/*`, form POSTs) that a cache behavior sends to the
// static S3 origin, while a custom origin (Lambda function URL, API Gateway, load balancer) that another
// behavior already serves is where they belong. S3 holds no object for them and cannot take a POST, so
// the fix is routing: never allowing POST on S3, never uploading the "missing" object.
import type { CacheBehavior, DefaultCacheBehavior } from '@aws-sdk/client-cloudfront';
import {
  DEFAULT_PATTERN,
  type MatchedBehavior,
  pathPatternMatches,
  type ResolvedRequest,
} from '../../routing.ts';
import {
  type BehaviorCarry,
  CARRIED_BEHAVIOR_FIELDS,
  type Evidence,
  type OriginEvidence,
} from '../../types.ts';
import { keyMissing } from './s3-access.ts';
import { bucketOf } from './s3-origin.ts';
import { groupBy } from './viewer.ts';

const WRITES = ['POST', 'PUT', 'PATCH', 'DELETE'];

// Path segments frameworks and APIs use for server calls (SvelteKit/Qwik `_server`, Next.js `api` and
// `_next/data`, tRPC, GraphQL, server actions). A behavior whose pattern names one is meant for a server:
// re-pointing it as a whole moves no static file.
const SERVER_SEGMENTS = /(^|\/)(_server|api|graphql|trpc|rpc|_next\/data|_actions?|auth)(\/|\*|$)/i;

/** What kind of server a custom origin is, from its domain (for sentences). */
export function serverKind(domain: string): string {
  const d = domain.toLowerCase();
  if (/\.lambda-url\.[a-z0-9-]+\.on\.aws$/.test(d)) return 'Lambda function URL';
  if (/\.execute-api\.[a-z0-9-]+\.amazonaws\.com$/.test(d)) return 'API Gateway';
  if (/\.elb\.amazonaws\.com$/.test(d)) return 'load balancer';
  if (/\.awsapprunner\.com$/.test(d)) return 'App Runner service';
  return 'custom origin';
}

interface Serving {
  behavior: CacheBehavior | DefaultCacheBehavior;
  pathPattern: string;
  /** index in CacheBehaviors.Items, -1 for the default */
  index: number;
}

function behaviors(ev: Evidence): Serving[] {
  const config = ev.distribution.DistributionConfig;
  const items = (config.CacheBehaviors?.Items ?? []).map((behavior, index) => ({
    behavior,
    pathPattern: behavior.PathPattern ?? '',
    index,
  }));
  const d = config.DefaultCacheBehavior;
  return d ? [...items, { behavior: d, pathPattern: DEFAULT_PATTERN, index: -1 }] : items;
}

function normalized(pattern: string): string {
  return pattern.startsWith('/') ? pattern : `/${pattern}`;
}

/** Every path `inner` matches, `outer` matches too (both of the form `prefix*` or literal). */
function covers(outer: string, inner: string): boolean {
  const o = normalized(outer);
  const i = normalized(inner);
  if (!o.endsWith('*') || o.slice(0, -1).includes('*') || o.includes('?')) return o === i;
  return i.startsWith(o.slice(0, -1));
}

function firstSegment(path: string): string {
  return normalized(path).split('/')[1] ?? '';
}

export interface ServerMisroute {
  /** the behavior that sends the calls to S3 */
  pathPattern: string;
  matched: MatchedBehavior;
  reqs: ResolvedRequest[];
  /** the S3 origin they reach now */
  from: OriginEvidence;
  /** the custom origin that serves such calls */
  to: OriginEvidence;
  /** the behavior that already serves `to`, whose settings the fix carries over */
  template: Serving;
  /** how the paths were tied to `to` */
  how: 'shadowed' | 'sibling' | 'default';
  /**
   * `remove`: the behavior only shadows `template`, which covers every path it matches; `move`: put
   * `template` first (the behavior also serves static paths); `repoint`: the behavior is a server route
   */
  fix: 'remove' | 'move' | 'repoint';
  lines: string[];
}

/** The request is a server call S3 cannot answer: a write, or a GET/HEAD of a key that does not exist. */
function notStatic(ev: Evidence, r: ResolvedRequest): string | undefined {
  const method = r.request.method.toUpperCase();
  if (WRITES.includes(method)) return `${method} ${r.path}: S3 serves static objects and takes no ${method}`;
  const bucket = bucketOf(ev, r.origin);
  const s3Refused = r.probe?.fingerprint.source === 's3' || r.probe?.fingerprint.source === 's3-website';
  if (bucket && r.key !== undefined && s3Refused && keyMissing(bucket, r.key))
    return `HeadObject s3://${bucket.name}/${r.key}: not found (no static object for ${r.path})`;
  return undefined;
}

/** Where a server path belongs: a behavior this one shadows, a sibling behavior, or the default. */
function owner(
  ev: Evidence,
  r: ResolvedRequest,
  all: readonly Serving[],
): { serving: Serving; origin: OriginEvidence; how: ServerMisroute['how'] } | undefined {
  const custom = (b: Serving) => {
    const o = ev.origins.find((x) => x.id === b.behavior.TargetOriginId);
    return o?.kind === 'custom' ? o : undefined;
  };
  // A later behavior that matches the path would serve it, but CloudFront stops at the first match.
  for (const b of all) {
    if (b.index < 0 || b.index <= r.matched.index) continue;
    const o = custom(b);
    if (o && pathPatternMatches(b.pathPattern, r.path)) return { serving: b, origin: o, how: 'shadowed' };
  }
  // Otherwise only a behavior meant for server calls is re-pointed as a whole.
  if (r.matched.index < 0 || !SERVER_SEGMENTS.test(normalized(r.matched.pathPattern))) return undefined;
  // A behavior for the same first path segment (`/api/v2/*` for `/api/users`) serves the custom origin.
  for (const b of all) {
    const o = b.index >= 0 && b.index !== r.matched.index ? custom(b) : undefined;
    if (o && firstSegment(b.pathPattern) !== '' && firstSegment(b.pathPattern) === firstSegment(r.path))
      return { serving: b, origin: o, how: 'sibling' };
  }
  // An app served by its server by default, with static paths carved out for S3.
  const fallback = all.find((b) => b.index < 0);
  const o = fallback && r.matched.index >= 0 ? custom(fallback) : undefined;
  return fallback && o ? { serving: fallback, origin: o, how: 'default' } : undefined;
}

/** Behaviors that send server calls to an S3 origin while a custom origin another behavior serves owns them. */
export function serverMisroutes(ev: Evidence, failing: readonly ResolvedRequest[]): ServerMisroute[] {
  const all = behaviors(ev);
  const out: ServerMisroute[] = [];
  const toS3 = failing.filter((r) => r.origin?.kind === 's3-rest' || r.origin?.kind === 's3-website');
  for (const [pathPattern, reqs] of groupBy(toS3, (r) => r.matched.pathPattern)) {
    const first = reqs[0];
    if (!first?.origin) continue;
    const claimed: {
      r: ResolvedRequest;
      why: string;
      serving: Serving;
      origin: OriginEvidence;
      how: ServerMisroute['how'];
    }[] = [];
    for (const r of reqs) {
      const why = notStatic(ev, r);
      const where = why ? owner(ev, r, all) : undefined;
      if (why && where) claimed.push({ r, why, ...where });
    }
    const lead = claimed[0];
    if (!lead) continue;
    // One origin for the group: the calls of one behavior go to one place.
    const same = claimed.filter((c) => c.origin.id === lead.origin.id);
    const fix =
      lead.how !== 'shadowed' ? 'repoint' : covers(lead.serving.pathPattern, pathPattern) ? 'remove' : 'move';
    out.push({
      pathPattern,
      matched: first.matched,
      reqs: same.map((c) => c.r),
      from: first.origin,
      to: lead.origin,
      template: lead.serving,
      how: lead.how,
      fix,
      lines: [...new Set(same.map((c) => c.why))],
    });
  }
  return out;
}

/** The template behavior's settings that `to`'s requests need (one of CachePolicyId / ForwardedValues). */
export function carryOver(template: CacheBehavior | DefaultCacheBehavior): BehaviorCarry {
  const source = template as unknown as Record<string, unknown>;
  const carry: Record<string, unknown> = {};
  for (const field of CARRIED_BEHAVIOR_FIELDS) carry[field] = source[field] ?? null;
  return carry as BehaviorCarry;
}

// How CloudFront routes a request: which behavior matches, which origin serves it, which S3 key it asks for.
import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import type { Evidence, OriginEvidence, OriginKind, ProbeResult, ViewerRequest } from './types.ts';

export const DEFAULT_PATTERN = 'Default (*)';

export interface MatchedBehavior {
  /** the CacheBehavior's PathPattern, or DEFAULT_PATTERN */
  pathPattern: string;
  behavior: CacheBehavior | DefaultCacheBehavior;
  /** index in CacheBehaviors.Items, -1 for the default */
  index: number;
}

/** CloudFront path patterns: `*` any run of characters, `?` one character, case-sensitive, leading `/` optional. */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const p = pattern.startsWith('/') ? pattern : `/${pattern}`;
  const re = new RegExp(
    `^${p
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('')}$`,
  );
  return re.test(path);
}

export function matchBehavior(config: DistributionConfig, path: string): MatchedBehavior {
  const items = config.CacheBehaviors?.Items ?? [];
  for (const [index, behavior] of items.entries()) {
    if (behavior.PathPattern !== undefined && pathPatternMatches(behavior.PathPattern, path)) {
      return { pathPattern: behavior.PathPattern, behavior, index };
    }
  }
  if (!config.DefaultCacheBehavior) throw new Error('DistributionConfig has no DefaultCacheBehavior');
  return { pathPattern: DEFAULT_PATTERN, behavior: config.DefaultCacheBehavior, index: -1 };
}

export interface OriginTarget {
  kind: OriginKind;
  bucket?: string;
  region?: string;
}

/**
 * Tells an S3 REST endpoint from a website endpoint, a distribution and any other origin. REST endpoints
 * come as `bucket.s3.amazonaws.com`, `bucket.s3.REGION.amazonaws.com`, the legacy `bucket.s3-REGION...`,
 * and dual-stack `bucket.s3.dualstack.REGION...` (China regions end in `.amazonaws.com.cn`).
 */
export function classifyOriginDomain(domain: string): OriginTarget {
  const d = domain.toLowerCase().replace(/\.$/, '');
  const website = /^(.+)\.s3-website[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(d);
  if (website) return { kind: 's3-website', bucket: website[1], region: website[2] };
  const regional = /^(.+)\.s3(?:\.dualstack)?[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/.exec(d);
  if (regional && regional[2] !== 'website' && regional[2] !== 'dualstack')
    return { kind: 's3-rest', bucket: regional[1], region: regional[2] };
  const global = /^(.+)\.s3\.amazonaws\.com$/.exec(d);
  if (global) return { kind: 's3-rest', bucket: global[1] };
  if (d.endsWith('.cloudfront.net')) return { kind: 'cloudfront' };
  return { kind: 'custom' };
}

export function findOrigin(config: DistributionConfig, originId: string): Origin | undefined {
  return config.Origins?.Items?.find((o) => o.Id === originId);
}

export function requestPath(url: string): string {
  try {
    return new URL(url).pathname;
  } catch {
    return '/';
  }
}

/** The S3 key a viewer path asks for: the default root object for `/`, the origin path prepended. */
export function objectKey(originPath: string | undefined, path: string, defaultRootObject?: string): string {
  let p = path;
  if (p === '/' && defaultRootObject) p = `/${defaultRootObject.replace(/^\//, '')}`;
  let decoded: string;
  try {
    decoded = decodeURIComponent(p);
  } catch {
    decoded = p;
  }
  const prefix = (originPath ?? '').replace(/^\//, '').replace(/\/$/, '');
  const key = decoded.replace(/^\//, '');
  return prefix ? `${prefix}/${key}` : key;
}

export interface ResolvedRequest {
  /** position in Evidence.requests (and Evidence.probes) */
  index: number;
  request: ViewerRequest;
  /** the URI path the viewer sent (behaviors match it) */
  path: string;
  /** the URI path the origin is asked for: `path` as the viewer-request CloudFront Function rewrote it */
  uri: string;
  /** the CloudFront Function whose TestFunction replay rewrote `path` into `uri` */
  rewrittenBy?: string;
  /** Lambda@Edge associations of the behavior that may rewrite the URI and cannot be replayed */
  unreplayed?: string[];
  host: string;
  matched: MatchedBehavior;
  origin: OriginEvidence | undefined;
  /** S3 key for S3 origins, from `uri` */
  key?: string;
  probe?: ProbeResult;
}

/** The URI a viewer-request CloudFront Function of the behavior passes on, per its TestFunction replay. */
function rewrite(
  ev: Evidence,
  matched: MatchedBehavior,
  request: ViewerRequest,
): { uri: string; by: string } | undefined {
  const arns = (matched.behavior.FunctionAssociations?.Items ?? [])
    .filter((a) => a.EventType === 'viewer-request')
    .map((a) => a.FunctionARN ?? '');
  for (const arn of arns) {
    const fn = ev.functions.find((f) => f.arn === arn);
    const replay = fn?.replays.find(
      (p) => p.url === request.url && p.method.toUpperCase() === request.method.toUpperCase(),
    );
    if (fn && replay?.result.ok && replay.result.value.uri !== undefined)
      return { uri: replay.result.value.uri, by: fn.name };
  }
  return undefined;
}

/**
 * Lambda@Edge functions on the request path (viewer request, origin request) may rewrite the URI, and
 * unlike CloudFront Functions they have no TestFunction: the key is predicted without them.
 */
function unreplayedFunctions(matched: MatchedBehavior): string[] {
  return (matched.behavior.LambdaFunctionAssociations?.Items ?? [])
    .filter((a) => a.EventType === 'viewer-request' || a.EventType === 'origin-request')
    .map((a) => `Lambda@Edge ${a.LambdaFunctionARN ?? '?'} (${a.EventType})`);
}

export function resolveRequests(ev: Evidence): ResolvedRequest[] {
  const config = ev.distribution.DistributionConfig;
  return ev.requests.map((request, i) => {
    const path = requestPath(request.url);
    let host = '';
    try {
      host = new URL(request.url).hostname.toLowerCase();
    } catch {
      host = '';
    }
    const matched = matchBehavior(config, path);
    const origin = ev.origins.find((o) => o.id === matched.behavior.TargetOriginId);
    const rewritten = rewrite(ev, matched, request);
    const uri = rewritten?.uri ?? path;
    const unreplayed = unreplayedFunctions(matched);
    const key =
      origin && (origin.kind === 's3-rest' || origin.kind === 's3-website')
        ? objectKey(origin.originPath, uri, config.DefaultRootObject)
        : undefined;
    return {
      index: i,
      request,
      path,
      uri,
      ...(rewritten ? { rewrittenBy: rewritten.by } : {}),
      ...(unreplayed.length > 0 ? { unreplayed } : {}),
      host,
      matched,
      origin,
      key,
      probe: ev.probes[i],
    };
  });
}

export function distributionArn(ev: Evidence): string {
  return ev.distribution.ARN;
}

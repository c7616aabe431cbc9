// Keys S3 answers with 403 because they do not exist, although the site means them to work: a directory
// URL whose index document exists, a key a website-only feature would have redirected, a route a single-page
// app serves from its fallback page. The rules for those causes, and OBJECT_NOT_FOUND (which leaves such
// requests to them), share these facts.
import type { CustomErrorResponse } from '@aws-sdk/client-cloudfront';
import type { RoutingRule } from '@aws-sdk/client-s3';
import { matchBehavior, objectKey, type ResolvedRequest } from '../../routing.ts';
import type { BucketEvidence, Evidence } from '../../types.ts';
import { keyMissing } from './s3-access.ts';
import { objectExists } from './s3-origin.ts';

/** The index document the S3 website endpoint appends, and the one the rewrite function appends. */
export const INDEX_DOCUMENT = 'index.html';

/** The last path segment has no `.`: a route or a directory without its trailing slash (`/posts/x`). */
export function extensionless(path: string): boolean {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last !== '' && !last.includes('.');
}

/**
 * The key of the index document a directory-style path stands for (`/docs/` → `docs/index.html`,
 * `/posts/x` → `posts/x/index.html`); undefined for `/` (DefaultRootObject's) and for file paths.
 */
export function directoryIndexKey(originPath: string, path: string): string | undefined {
  if (path === '/' || path === '') return undefined;
  if (path.endsWith('/')) return objectKey(originPath, `${path}${INDEX_DOCUMENT}`);
  if (extensionless(path)) return objectKey(originPath, `${path}/${INDEX_DOCUMENT}`);
  return undefined;
}

/** The request asks for a missing key whose directory index document exists in the same bucket. */
export function directoryIndexExists(bucket: BucketEvidence, r: ResolvedRequest): string | undefined {
  if (r.key === undefined || r.origin === undefined || !keyMissing(bucket, r.key)) return undefined;
  const index = directoryIndexKey(r.origin.originPath, r.uri);
  return index !== undefined && objectExists(bucket, index) ? index : undefined;
}

/** A website routing rule applies to a missing key: a KeyPrefixEquals match, or a rule on the 404 S3 gives. */
function ruleFor(rules: readonly RoutingRule[], key: string): number {
  return rules.findIndex((rule) => {
    const c = rule.Condition;
    const code = c?.HttpErrorCodeReturnedEquals;
    if (code !== undefined && code !== '404') return false;
    return key.startsWith(c?.KeyPrefixEquals ?? '');
  });
}

/**
 * What the bucket's website configuration would have done for this missing key, which the REST endpoint
 * does not do (S3 User Guide, "Website endpoints": redirects and routing rules belong to the website
 * endpoint only). Empty when nothing would have applied.
 */
export function websiteFeaturesFor(bucket: BucketEvidence, key: string): string[] {
  const website = bucket.website.ok ? bucket.website.value : null;
  if (!website || !keyMissing(bucket, key)) return [];
  const all = website.RedirectAllRequestsTo;
  if (all?.HostName)
    return [`RedirectAllRequestsTo ${all.Protocol ? `${all.Protocol}://` : ''}${all.HostName}`];
  const rules = website.RoutingRules ?? [];
  const i = ruleFor(rules, key);
  const rule = rules[i];
  if (!rule) return [];
  const r = rule.Redirect;
  const target =
    r?.ReplaceKeyWith ?? (r?.ReplaceKeyPrefixWith !== undefined ? `${r.ReplaceKeyPrefixWith}…` : key);
  const condition = rule.Condition?.KeyPrefixEquals
    ? `KeyPrefixEquals ${rule.Condition.KeyPrefixEquals}`
    : rule.Condition?.HttpErrorCodeReturnedEquals
      ? `HttpErrorCodeReturnedEquals ${rule.Condition.HttpErrorCodeReturnedEquals}`
      : 'every key';
  return [
    `RoutingRules[${i}] (${condition} → ${r?.Protocol ? `${r.Protocol}://` : ''}${r?.HostName ?? ''}/${target}${r?.HttpRedirectCode ? `, ${r.HttpRedirectCode}` : ''})`,
  ];
}

/** A 2xx ResponseCode: the page stands in for the content (a single-page app's shell), not for an error. */
function successCode(entry: CustomErrorResponse | undefined): boolean {
  return /^2\d\d$/.test(entry?.ResponseCode ?? '');
}

export interface SpaFallback {
  /** the CustomErrorResponses entry for 404 */
  entry: { ErrorCode: number; ResponsePagePath: string; ResponseCode: string; ErrorCachingMinTTL?: number };
  index: number;
}

/**
 * The distribution maps 404 to a page served with a 2xx status (a single-page app's fallback), maps 403 to
 * nothing, and the page exists: a missing key S3 answers with 404 would be served, one answered with 403 is
 * not (CloudFront applies the entry of the status the origin returns).
 */
export function spaFallback(ev: Evidence): SpaFallback | undefined {
  const config = ev.distribution.DistributionConfig;
  const items = config.CustomErrorResponses?.Items ?? [];
  const index = items.findIndex((e) => e.ErrorCode === 404);
  const entry = items[index];
  const page = entry?.ResponsePagePath ?? '';
  if (!entry || page === '' || !successCode(entry)) return undefined;
  if (items.some((e) => e.ErrorCode === 403 && (e.ResponsePagePath ?? '') !== '')) return undefined;
  // The page must be an S3 object that is not known to be missing (HeadObject may not have looked at it).
  const origin = ev.origins.find((o) => o.id === matchBehavior(config, page).behavior.TargetOriginId);
  const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
  if (!origin || !bucket || keyMissing(bucket, objectKey(origin.originPath, page))) return undefined;
  return {
    entry: {
      ErrorCode: 404,
      ResponsePagePath: page,
      ResponseCode: entry.ResponseCode ?? '200',
      ...(entry.ErrorCachingMinTTL !== undefined ? { ErrorCachingMinTTL: entry.ErrorCachingMinTTL } : {}),
    },
    index,
  };
}

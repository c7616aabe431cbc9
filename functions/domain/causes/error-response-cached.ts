// The origin serves the objects again, but CloudFront still answers from its cache the 403 it got before
// the repair: error responses are cached for the entry's ErrorCachingMinTTL (10 s when no entry sets it:
// CloudFront Developer Guide, "Control how long CloudFront caches errors"). The probe shows it: the 403 carries
// an Age header. Invalidating the paths makes CloudFront ask the origin again; nothing else changes (safe).

import type { ResolvedRequest } from '../routing.ts';
import type { Evidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import {
  describeIdentity,
  headLine,
  identityCanRead,
  originIdentity,
  probeLine,
  readPolicy,
  refusedBuckets,
} from './shared/s3-access.ts';
import { objectExists } from './shared/s3-origin.ts';
import { probedIndices } from './shared/viewer.ts';

/** CloudFront's error caching minimum TTL when no CustomErrorResponses entry sets one. */
export const DEFAULT_ERROR_CACHING_MIN_TTL = 10;

export function errorCachingTtl(ev: Evidence, status: number): { ttl: number; configured: boolean } {
  const entry = ev.distribution.DistributionConfig.CustomErrorResponses?.Items?.find(
    (e) => e.ErrorCode === status,
  );
  const ttl = entry?.ErrorCachingMinTTL;
  return ttl === undefined
    ? { ttl: DEFAULT_ERROR_CACHING_MIN_TTL, configured: false }
    : { ttl, configured: true };
}

interface Cached {
  reqs: ResolvedRequest[];
  lines: string[];
}

/** Cached S3 refusals of objects the origin identity may read now (the grant and the object are there). */
function cachedRefusals(ctx: DetectContext): Cached {
  const { ev } = ctx;
  const reqs: ResolvedRequest[] = [];
  const lines: string[] = [];
  for (const { reqs: refused, origin, bucket } of refusedBuckets(ev, ctx.failing)) {
    const identity = originIdentity(ev, origin);
    const policy = readPolicy(bucket);
    if (policy === undefined) continue;
    for (const r of refused) {
      const age = r.probe?.age;
      if (age === undefined || age <= 0 || r.key === undefined || r.key === '') continue;
      if (r.probe?.fingerprint.kind !== 's3-access-denied') continue;
      if (!objectExists(bucket, r.key)) continue;
      if (identityCanRead(ev, identity, bucket.name, policy, r.key)?.decision !== 'Allow') continue;
      const head = bucket.objects[r.key];
      // An SSE-KMS object also needs the key policy; the access rules judge that, not this one.
      if (head?.ok && head.value.kmsKeyId !== undefined) continue;
      reqs.push(r);
      lines.push(
        `GetBucketPolicy ${bucket.name}: ${describeIdentity(identity)} may s3:GetObject ${r.key}`,
        headLine(bucket, r.key),
      );
    }
  }
  return { reqs, lines: [...new Set(lines)] };
}

export const errorResponseCached: CauseModule = {
  id: 'ERROR_RESPONSE_CACHED',
  risk: 'safe',
  detect(ctx) {
    const { reqs, lines } = cachedRefusals(ctx);
    const first = reqs[0];
    if (!first) return null;
    const { ttl, configured } = errorCachingTtl(ctx.ev, 403);
    const oldest = Math.max(...reqs.map((r) => r.probe?.age ?? 0));
    return {
      id: 'ERROR_RESPONSE_CACHED',
      // Below every rule that names a broken origin: the cache only matters once the origin is fine.
      confidence: 0.88,
      summary: `The origin serves ${reqs.map((r) => r.path).join(', ')} again, but CloudFront still answers with the 403 it cached before (Age ${oldest} s, ErrorCachingMinTTL ${ttl} s)`,
      evidence: [
        `GetDistributionConfig: ErrorCachingMinTTL for 403 = ${ttl} s${configured ? '' : ' (no CustomErrorResponses entry: the default)'}`,
        ...lines,
        ...reqs.map(
          (r) =>
            `${probeLine(r)} (X-Cache ${r.probe?.xCache ?? '-'}, Age ${r.probe?.age ?? 0} s: served from CloudFront's cache)`,
        ),
      ],
      subject: { distributionId: ctx.ev.distribution.Id, ttl: String(ttl), age: String(oldest) },
      requests: probedIndices(reqs),
    };
  },
  plan(finding, ctx) {
    const { reqs } = cachedRefusals(ctx);
    const ttl = Number(finding.subject?.ttl ?? DEFAULT_ERROR_CACHING_MIN_TTL);
    const age = Number(finding.subject?.age ?? 0);
    const paths = [...new Set(reqs.map((r) => r.path))];
    return [
      {
        id: `invalidate-cached-errors:${ctx.ev.distribution.Id}`,
        cause: 'ERROR_RESPONSE_CACHED',
        risk: 'safe',
        description: `Invalidate ${paths.join(', ')} in distribution ${ctx.ev.distribution.Id}, so CloudFront asks the origin again instead of serving the cached 403 for up to ${Math.max(0, ttl - age)} more seconds.${ttl > DEFAULT_ERROR_CACHING_MIN_TTL ? ` Consider lowering ErrorCachingMinTTL for 403 (now ${ttl} s), so the next repair shows at once` : ''}`,
        calls: [{ service: 'cloudfront', api: 'CreateInvalidation', target: ctx.ev.distribution.Id }],
        diff: [],
        change: { type: 'invalidate-cached-errors', distributionId: ctx.ev.distribution.Id },
      },
    ];
  },
};

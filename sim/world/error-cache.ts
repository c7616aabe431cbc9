// Error responses CloudFront had cached when the simulation started (`simulation.errorCache`). CloudFront
// keeps an error for the ErrorCachingMinTTL of the CustomErrorResponses entry for its status, 10 s when there
// is none (CloudFront Developer Guide, "Control how long CloudFront caches errors"), and an invalidation of
// the path removes it (CloudFront Developer Guide, "Invalidate files to remove content").
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { ScenarioCachedError } from '../scenario/types.ts';
import type { DistributionState } from './state.ts';

export const DEFAULT_ERROR_CACHING_MIN_TTL = 10;

/** A cached error response as the edge serves it, with its age now. */
export interface CachedError {
  status: number;
  headers: Record<string, string>;
  body: string;
  ageSeconds: number;
}

export function errorCachingMinTtl(config: DistributionConfig, status: number): number {
  const entry = config.CustomErrorResponses?.Items?.find((e) => e.ErrorCode === status);
  return entry?.ErrorCachingMinTTL ?? DEFAULT_ERROR_CACHING_MIN_TTL;
}

/** `/*` and `/images/*` match by prefix; anything else matches the path exactly. */
function invalidates(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

interface Clock {
  now: number;
  start: number;
}

/** The entry, if CloudFront still serves it now: within its TTL and not invalidated since it was cached. */
export function liveEntry(
  entry: ScenarioCachedError,
  distribution: DistributionState,
  clock: Clock,
): CachedError | undefined {
  const cachedAt = clock.start - entry.ageSeconds * 1000;
  const ttl = errorCachingMinTtl(distribution.deployedConfig, entry.status);
  if (clock.now >= cachedAt + ttl * 1000) return undefined;
  const invalidated = distribution.invalidations.some(
    (inv) =>
      inv.completeAt <= clock.now &&
      inv.createdAt >= cachedAt &&
      (inv.batch.Paths?.Items ?? []).some((p) => invalidates(p, entry.path)),
  );
  if (invalidated) return undefined;
  return {
    status: entry.status,
    headers: Object.fromEntries(Object.entries(entry.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])),
    body: entry.body ?? '',
    ageSeconds: Math.round((clock.now - cachedAt) / 1000),
  };
}

/** The cached error for a path of a distribution, if one is live. */
export function cachedErrorFor(
  entries: readonly ScenarioCachedError[],
  distributions: ReadonlyMap<string, DistributionState>,
  firstDistribution: string,
  distributionId: string,
  path: string,
  clock: Clock,
): CachedError | undefined {
  const distribution = distributions.get(distributionId);
  if (!distribution) return undefined;
  for (const entry of entries) {
    if ((entry.distributionId ?? firstDistribution) !== distributionId || entry.path !== path) continue;
    const live = liveEntry(entry, distribution, clock);
    if (live) return live;
  }
  return undefined;
}

/** The entries still live, aged to now, so a world saved with toScenario() starts where this one is. */
export function remainingErrorCache(
  entries: readonly ScenarioCachedError[],
  distributions: ReadonlyMap<string, DistributionState>,
  firstDistribution: string,
  clock: Clock,
): ScenarioCachedError[] {
  return entries.flatMap((entry) => {
    const distribution = distributions.get(entry.distributionId ?? firstDistribution);
    const live = distribution ? liveEntry(entry, distribution, clock) : undefined;
    return live ? [{ ...entry, ageSeconds: live.ageSeconds }] : [];
  });
}

// Facts about an S3 origin's bucket that several rules read.

import type { ResolvedRequest } from '../../routing.ts';
import type { BucketEvidence, Evidence, OriginEvidence, ProbeKind } from '../../types.ts';

export function bucketOf(ev: Evidence, origin: OriginEvidence | undefined): BucketEvidence | undefined {
  return origin?.bucket ? ev.buckets[origin.bucket] : undefined;
}

/** The origin signs nothing: no OAC id and no OAI on it. */
export function hasNoOriginIdentity(origin: OriginEvidence): boolean {
  return origin.oac.ok && origin.oac.value === null && origin.oai.ok && origin.oai.value === null;
}

/** Failing requests (probe 403) that S3 itself refused, grouped by origin id. */
export function s3DeniedByOrigin(failing: readonly ResolvedRequest[]): Map<string, ResolvedRequest[]> {
  const out = new Map<string, ResolvedRequest[]>();
  for (const r of failing) {
    const origin = r.origin;
    if (origin?.kind !== 's3-rest' || r.probe?.fingerprint.source !== 's3') continue;
    const list = out.get(origin.id) ?? [];
    list.push(r);
    out.set(origin.id, list);
  }
  return out;
}

/** Bucket-level or account-level Block Public Access flag, true when either sets it. */
export function bpaFlag(
  ev: Evidence,
  bucket: BucketEvidence,
  flag: 'RestrictPublicBuckets' | 'IgnorePublicAcls' | 'BlockPublicPolicy' | 'BlockPublicAcls',
): boolean {
  const b = bucket.publicAccessBlock.ok ? bucket.publicAccessBlock.value?.[flag] : undefined;
  // a bucket of another account is governed by its owner account's configuration (issue 15)
  const account = bucket.accountPublicAccessBlock ?? ev.accountPublicAccessBlock;
  const a = account.ok ? account.value?.[flag] : undefined;
  return b === true || a === true;
}

/** True only when HeadObject answered and the key exists. */
export function objectExists(bucket: BucketEvidence, key: string): boolean {
  const o = bucket.objects[key];
  return o?.ok === true && o.value.exists;
}

// CloudFront's own viewer-side refusals, which answer before any origin is asked. A refused method is
// left out: the origin would not serve it either way.
const BEFORE_ORIGIN: readonly ProbeKind[] = [
  'cf-bad-request',
  'cf-geo-blocked',
  'cf-waf-blocked',
  'cf-missing-key',
  'cf-bad-signature',
  'cf-function-response',
  // CloudFront refused the prober itself (issue 10): the origin was not reached either
  'prober-refused',
];

/** Failing GET/HEAD requests for an S3 REST origin that CloudFront refused before the origin, by origin id. */
export function originNotReached(failing: readonly ResolvedRequest[]): Map<string, ResolvedRequest[]> {
  const out = new Map<string, ResolvedRequest[]>();
  for (const r of failing) {
    const origin = r.origin;
    const kind = r.probe?.fingerprint.kind;
    if (origin?.kind !== 's3-rest' || kind === undefined || !BEFORE_ORIGIN.includes(kind)) continue;
    if (!['GET', 'HEAD'].includes(r.request.method.toUpperCase())) continue;
    const list = out.get(origin.id) ?? [];
    list.push(r);
    out.set(origin.id, list);
  }
  return out;
}

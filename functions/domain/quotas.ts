// Size quotas a change must respect, known before anything is applied: a fix that grows a policy past its
// service's limit would be refused half-way through a remediation, so the plan escalates it instead.
import { mergeStatement } from './policy/merge.ts';
import type { Action, Evidence } from './types.ts';

/**
 * "Bucket policies are limited to 20 KB in size" (S3 user guide, "Adding a bucket policy by using the Amazon S3
 * console"); S3 counts the policy without insignificant whitespace.
 */
export const BUCKET_POLICY_MAX_BYTES = 20 * 1024;

/** "The key policy size quota is 32 kilobytes (32768 bytes)" (KMS API reference, PutKeyPolicy). */
export const KEY_POLICY_MAX_BYTES = 32 * 1024;

function utf8Bytes(text: string): number {
  return new TextEncoder().encode(text).length;
}

/** Bytes of a policy as S3 measures it: compact JSON, UTF-8 (the text itself when it is not JSON). */
export function compactPolicyBytes(text: string): number {
  let compact = text;
  try {
    compact = JSON.stringify(JSON.parse(text));
  } catch {
    // S3 would refuse it anyway; measure what is there
  }
  return utf8Bytes(compact);
}

function tooLarge(action: Action, what: string, bytes: number, limit: number): Action {
  return {
    ...action,
    change: undefined,
    risk: 'manual',
    description: `${action.description}. Not applied: the ${what} would grow to ${bytes} bytes, over AWS's ${limit}-byte limit, so AWS would refuse it; consolidate its statements (for example one CloudFront statement with several distribution ARNs in AWS:SourceArn) and add the statement by hand`,
  };
}

/** The action as planned, or escalated when applying it would break a size quota. */
export function withinQuotas(action: Action, ev: Evidence): Action {
  try {
    return checked(action, ev);
  } catch {
    // a policy the merge cannot read: the executor's own checks decide at apply time
    return action;
  }
}

function checked(action: Action, ev: Evidence): Action {
  const change = action.change;
  if (change?.type === 'merge-bucket-policy-statement') {
    const bucket = ev.buckets[change.bucket];
    const current = bucket?.policy.ok ? bucket.policy.value : null;
    const merged = mergeStatement(current, change.statement);
    const bytes = compactPolicyBytes(merged.policy);
    if (merged.changed && bytes > BUCKET_POLICY_MAX_BYTES)
      return tooLarge(action, `bucket policy of ${change.bucket}`, bytes, BUCKET_POLICY_MAX_BYTES);
  }
  if (change?.type === 'merge-key-policy-statement') {
    const key = Object.values(ev.kmsKeys).find((k) => k.keyId === change.keyId || k.arn === change.keyId);
    if (key?.policy.ok) {
      const merged = mergeStatement(key.policy.value, change.statement);
      const bytes = utf8Bytes(merged.policy);
      if (merged.changed && bytes > KEY_POLICY_MAX_BYTES)
        return tooLarge(action, `key policy of ${key.arn}`, bytes, KEY_POLICY_MAX_BYTES);
    }
  }
  return action;
}

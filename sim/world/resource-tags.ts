// The tags IAM sees as `aws:ResourceTag/KEY` on a request naming an existing resource (issue 12: approval
// executions tagged with their document, distributions and keys tagged by their owners). S3 buckets are left
// out: S3 evaluates aws:ResourceTag on a bucket only once ABAC is enabled on it (S3 User Guide, "Enabling ABAC
// in general purpose buckets"), which the scenario format does not model.
import type { WorldState } from './state.ts';

export function resourceTagsOf(state: WorldState, arn: string): Record<string, string> | undefined {
  const automation = /^arn:aws[\w-]*:ssm:[^:]*:\d{12}:automation-execution\/(.+)$/.exec(arn)?.[1];
  if (automation !== undefined) {
    const a = state.automations.get(automation);
    return a ? Object.fromEntries(a.tags.map((t) => [t.Key, t.Value])) : undefined;
  }
  const distribution = /^arn:aws[\w-]*:cloudfront::\d{12}:distribution\/(.+)$/.exec(arn)?.[1];
  if (distribution !== undefined) {
    const d = state.distributions.get(distribution);
    return d ? Object.fromEntries((d.tags ?? []).map((t) => [t.Key, t.Value])) : undefined;
  }
  if (/^arn:aws[\w-]*:kms:/.test(arn)) {
    const key = state.kmsKeys.find((k) => k.Arn === arn);
    return key ? Object.fromEntries((key.Tags ?? []).map((t) => [t.TagKey, t.TagValue])) : undefined;
  }
  return undefined;
}

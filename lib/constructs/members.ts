// Hub and spoke (issue 15), the CDK side both stacks agree on: which hub steps act in member accounts, the
// predictable names of their roles (the member roles trust exactly these), and what the member role grants.
import { STEPS, type StepName } from '../workflow/steps.ts';
import type { StepGrant } from './policy-resources.ts';
import { STEP_ACCESS } from './step-access.ts';

/**
 * The steps that call an account's CloudFront, S3, KMS, WAF, Lambda, CloudWatch or CloudWatch Logs: those with
 * any grant in STEP_ACCESS (the hub's own table, bucket, topic and approvals are not grants there). Derived, so a
 * step that gains a grant also gains its member access.
 */
export const MEMBER_STEPS: readonly StepName[] = STEPS.filter((step) => STEP_ACCESS[step].grants.length > 0);

/** IAM role names: 1–64 of `[\w+=,.@-]` (IAM API reference, CreateRole `RoleName`). */
export const IAM_ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** A hub step role's explicit name, so a member's trust policy can name it before the hub exists in its account. */
export function hubStepRoleName(stackName: string, step: StepName): string {
  return `${stackName}-${step}`;
}

/** The ARNs of the hub step roles a member role trusts (IAM User Guide, "IAM identifiers": role ARNs). */
export function hubStepRoleArns(hubAccount: string, hubStackName: string, partition = 'aws'): string[] {
  return MEMBER_STEPS.map(
    (step) => `arn:${partition}:iam::${hubAccount}:role/${hubStepRoleName(hubStackName, step)}`,
  );
}

/**
 * The union of the member steps' grants: one role serves every hub step in a member account, so it holds what
 * any of them may do there. Grants on the same resources and conditions are merged into one, actions in
 * first-seen order, so the policy stays small (IAM: 10,240 characters of inline policy per role).
 */
export function memberGrants(): StepGrant[] {
  const merged = new Map<string, { grant: StepGrant; actions: string[] }>();
  for (const step of MEMBER_STEPS) {
    for (const grant of STEP_ACCESS[step].grants) {
      const key = JSON.stringify([
        grant.resources.map((r) => [r.arn, r.kind ?? '']),
        grant.sameAccountBuckets ?? false,
        grant.conditions ?? {},
      ]);
      const entry = merged.get(key);
      if (!entry) merged.set(key, { grant, actions: [...grant.actions] });
      else for (const a of grant.actions) if (!entry.actions.includes(a)) entry.actions.push(a);
    }
  }
  return [...merged.values()].map(({ grant, actions }) => ({ ...grant, actions }));
}

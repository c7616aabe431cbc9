// Hub and spoke (issue 15): the names a hub and its member stacks agree on, and the pure helpers around them.
// A hub's steps act in a member account by assuming that account's member role; everything the hub keeps for
// itself (lock table, approvals, topic, state machine, artifacts) stays in the hub account.

/** Name of the role every member stack creates for the hub's steps. */
export const DEFAULT_MEMBER_ROLE_NAME = 'cf403-member';

/**
 * SSM parameter (in each member account, us-east-1) holding that account's remediation scope as JSON
 * `{kind, distributionIds?, originBucketNames?, originKeyArns?}`: each member stack carries its own scope.
 */
export const MEMBER_SCOPE_PARAMETER = '/cf403/member/scope';

/** 12 digits: IAM User Guide, "AWS account identifiers". */
export const ACCOUNT_ID = /^\d{12}$/;

/** Organization id: AWS Organizations API reference, `Organization.Id` pattern `^o-[a-z0-9]{10,32}$`. */
export const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/** The member role of `account`. IAM role ARNs: IAM User Guide, "IAM identifiers". */
export function memberRoleArn(
  account: string,
  roleName: string = DEFAULT_MEMBER_ROLE_NAME,
  partition = 'aws',
): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/**
 * A role session name for a hub step acting in a member account: 2–64 characters of `[\w+=,.@-]`
 * (STS API reference, AssumeRole `RoleSessionName`). CloudTrail in the member account shows it, so it names
 * the step and the execution.
 */
export function memberSessionName(step: string, executionId: string | undefined): string {
  const execution = (executionId ?? '').split(':').pop() ?? '';
  const raw = `cf403-${step}${execution ? `-${execution}` : ''}`.replace(/[^\w+=,.@-]/g, '-');
  return raw.slice(0, 64);
}

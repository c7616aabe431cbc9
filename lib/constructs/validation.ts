// Checks the props at synthesis, so a bad value fails `cdk synth` rather than a deployment or a remediation.
import { type Duration, Token } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import { ACCOUNT_ID, ORGANIZATION_ID } from '../../functions/domain/accounts.ts';
import { APPROVER_ARN, DOCUMENT_NAME, MAX_APPROVAL_TIMEOUT_SECONDS, MAX_APPROVERS } from '../approval.ts';
import { STEPS } from '../workflow/steps.ts';
import { hubStepRoleName, IAM_ROLE_NAME } from './members.ts';
import {
  APPROVAL_RISKS,
  MAX_CHANGES_PER_HOUR_LIMIT,
  type MemberAccountsProps,
  RemediationConfigError,
  type RemediationScope,
} from './props.ts';

/** The listed distributions when all their ids are known at synthesis; otherwise nothing may change. */
export function defaultScope(distributions: readonly IDistribution[] | undefined): RemediationScope {
  const ids = (distributions ?? []).map((d) => d.distributionId);
  if (ids.length === 0 || ids.some((id) => Token.isUnresolved(id))) return { kind: 'none' };
  return { kind: 'distributions', distributionIds: ids };
}

export function validateProps(p: {
  approvalTimeout: Duration;
  approvalRisks: readonly string[];
  retention: Duration;
  prefix: string | undefined;
  documentName: string;
}): void {
  const seconds = p.approvalTimeout.toSeconds();
  if (!Token.isUnresolved(seconds) && (seconds < 1 || seconds > MAX_APPROVAL_TIMEOUT_SECONDS)) {
    throw new RemediationConfigError(
      `approvalTimeout must be between 1 second and 30 days (the aws:approve limit), got ${seconds} s`,
    );
  }
  if (!Token.isUnresolved(p.documentName) && !DOCUMENT_NAME.test(p.documentName)) {
    throw new RemediationConfigError(
      `approvalDocumentName "${p.documentName}" is not a valid document name (3–128 of a-z A-Z 0-9 _ . -, not starting with aws, amazon or amzn)`,
    );
  }
  for (const risk of p.approvalRisks) {
    if (!(APPROVAL_RISKS as readonly string[]).includes(risk)) {
      throw new RemediationConfigError(
        `approvalRisks: unknown risk "${risk}" (expected ${APPROVAL_RISKS.join(' or ')})`,
      );
    }
  }
  if (p.retention.toDays() < 1) throw new RemediationConfigError('artifactRetention must be at least 1 day');
  if (p.prefix !== undefined && p.prefix.length === 0) {
    throw new RemediationConfigError('alarmNamePrefix must not be empty; leave it unset to match any alarm');
  }
}

const SCOPE_DISTRIBUTION_ID = /^E[A-Z0-9]{5,31}$/;
// S3 bucket naming rules (S3 User Guide, "General purpose bucket naming rules").
const SCOPE_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SCOPE_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

export function validateScope(scope: RemediationScope): void {
  if (scope.kind !== 'distributions') return;
  const check = (what: string, values: readonly string[] | undefined, pattern: RegExp) => {
    for (const v of values ?? []) {
      if (!Token.isUnresolved(v) && !pattern.test(v))
        throw new RemediationConfigError(`scope: "${v}" is not ${what}`);
    }
  };
  if (scope.distributionIds.length === 0)
    throw new RemediationConfigError('scope: a distributions scope needs at least one distribution id');
  check('a CloudFront distribution id', scope.distributionIds, SCOPE_DISTRIBUTION_ID);
  check('an S3 bucket name', scope.originBucketNames, SCOPE_BUCKET_NAME);
  check('a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', scope.originKeyArns, SCOPE_KEY_ARN);
}

// Tag keys: 1–128 characters of letters, digits, spaces and _ . : / = + - @ (tagging best practices).
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

export function validateControls(maxChangesPerHour: number, optOutTagKey: string): void {
  if (
    !Number.isInteger(maxChangesPerHour) ||
    maxChangesPerHour < 1 ||
    maxChangesPerHour > MAX_CHANGES_PER_HOUR_LIMIT
  ) {
    throw new RemediationConfigError(
      `maxChangesPerHour must be a whole number from 1 to ${MAX_CHANGES_PER_HOUR_LIMIT}, got ${maxChangesPerHour}`,
    );
  }
  if (!TAG_KEY.test(optOutTagKey) || optOutTagKey.startsWith('aws:'))
    throw new RemediationConfigError(`optOutTagKey "${optOutTagKey}" is not a tag key you can set`);
}

export function validateApprovers(approverArns: readonly string[] | undefined, minApprovals: number): void {
  const arns = approverArns ?? [];
  for (const arn of arns) {
    if (!Token.isUnresolved(arn) && !APPROVER_ARN.test(arn)) {
      throw new RemediationConfigError(
        `approverArns: "${arn}" is not an IAM user, role or assumed-role ARN (aws:approve accepts no groups)`,
      );
    }
  }
  if (new Set(arns).size !== arns.length) throw new RemediationConfigError('approverArns: duplicate ARN');
  if (arns.length > MAX_APPROVERS) {
    throw new RemediationConfigError(`approverArns: at most ${MAX_APPROVERS} approvers, got ${arns.length}`);
  }
  // Without approverArns the created approver role is the one approver.
  const approvers = Math.max(arns.length, 1);
  if (!Number.isInteger(minApprovals) || minApprovals < 1 || minApprovals > approvers) {
    throw new RemediationConfigError(
      `minApprovals must be a whole number from 1 to the number of approvers (${approvers}), got ${minApprovals}`,
    );
  }
}

/** Checks an organization id (`o-...`, AWS Organizations API reference, `Organization.Id`). */
export function validateOrganizationId(what: string, organizationId: string): void {
  if (!Token.isUnresolved(organizationId) && !ORGANIZATION_ID.test(organizationId))
    throw new RemediationConfigError(
      `${what}: "${organizationId}" is not an organization id (o- and 10 to 32 of a-z 0-9)`,
    );
}

/** Checks a role name given for the member role. */
export function validateMemberRoleName(what: string, roleName: string): void {
  if (!Token.isUnresolved(roleName) && !IAM_ROLE_NAME.test(roleName))
    throw new RemediationConfigError(
      `${what}: "${roleName}" is not an IAM role name (1–64 of letters, digits and + = , . @ _ -)`,
    );
}

/**
 * The hub's `members`: a valid organization id, at least one member account, each a 12-digit id listed once and
 * not the hub's own account (whose resources the steps reach without assuming a role), a valid member role name,
 * and step role names `<stack name>-<step>` IAM accepts.
 */
export function validateMembers(members: MemberAccountsProps, stackName: string, hubAccount: string): void {
  validateOrganizationId('members.organizationId', members.organizationId);
  if (members.accounts.length === 0)
    throw new RemediationConfigError('members.accounts: list at least one member account');
  for (const account of members.accounts) {
    if (!Token.isUnresolved(account) && !ACCOUNT_ID.test(account))
      throw new RemediationConfigError(`members.accounts: "${account}" is not a 12-digit account id`);
    if (!Token.isUnresolved(hubAccount) && account === hubAccount)
      throw new RemediationConfigError(
        `members.accounts: ${account} is the hub's own account; its distributions are served without a member stack`,
      );
  }
  if (new Set(members.accounts).size !== members.accounts.length)
    throw new RemediationConfigError('members.accounts: duplicate account id');
  if (members.memberRoleName !== undefined)
    validateMemberRoleName('members.memberRoleName', members.memberRoleName);
  if (!Token.isUnresolved(stackName)) {
    for (const step of STEPS) {
      const name = hubStepRoleName(stackName, step);
      if (!IAM_ROLE_NAME.test(name))
        throw new RemediationConfigError(
          `members: the step role name "${name}" (<stack name>-<step>) is longer than IAM's 64 characters; use a shorter stack name`,
        );
    }
  }
}

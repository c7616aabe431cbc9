// The stack `cdk deploy` creates: the remediation construct configured from CDK context.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { APPROVER_ARN, MAX_APPROVAL_TIMEOUT_SECONDS, MAX_APPROVERS } from './approval.ts';
import {
  APPROVAL_RISKS,
  type ApprovalRisk,
  CloudFront403Remediation,
  DEFAULT_MAX_CHANGES_PER_HOUR,
  DEFAULT_OPT_OUT_TAG_KEY,
  MAX_CHANGES_PER_HOUR_LIMIT,
  type MemberAccountsProps,
  type RemediationScope,
} from './cloudfront-403-remediation.ts';

/** Context keys read by the stack (`cdk.json` or `-c key=value`). */
export const CONTEXT_KEYS = {
  alarmNamePrefix: 'cf403:alarmNamePrefix',
  approvalTimeout: 'cf403:approvalTimeout',
  approverArns: 'cf403:approverArns',
  minApprovals: 'cf403:minApprovals',
  approvalRisks: 'cf403:approvalRisks',
  notificationEmail: 'cf403:notificationEmail',
  planOnly: 'cf403:planOnly',
  distributionIds: 'cf403:distributionIds',
  scope: 'cf403:scope',
  originBucketNames: 'cf403:originBucketNames',
  originKeyArns: 'cf403:originKeyArns',
  paused: 'cf403:paused',
  maxChangesPerHour: 'cf403:maxChangesPerHour',
  applyToManagedResources: 'cf403:applyToManagedResources',
  optOutTagKey: 'cf403:optOutTagKey',
} as const;

const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

/** The stack's settings, parsed once from context. */
export interface RemediationSettings {
  /** Only alarms with this name prefix start the workflow; undefined means any CloudFront 4xxErrorRate alarm. */
  readonly alarmNamePrefix?: string;
  readonly approvalTimeout: Duration;
  /** IAM users/roles/assumed-role sessions who approve in Systems Manager; empty: the stack's approver role. */
  readonly approverArns: readonly string[];
  /** Approvals needed before a fix is applied. */
  readonly minApprovals: number;
  /** Risk levels of a planned change that need approval; empty: never ask. */
  readonly approvalRisks: readonly ApprovalRisk[];
  readonly notificationEmail?: string;
  readonly planOnly: boolean;
  /** Distributions that get a 4xxErrorRate alarm, and the ones the workflow may change. */
  readonly distributionIds: readonly string[];
  /** What the workflow may change: the listed distributions (and their origins), the whole account, or nothing. */
  readonly scope: RemediationScope;
  /** Initial value of the pause switch (the SSM parameter `/cf403/<stack>/paused`). */
  readonly paused: boolean;
  readonly maxChangesPerHour: number;
  /** Apply fixes to resources CloudFormation (or another tool, by tag) manages. */
  readonly applyToManagedResources: boolean;
  readonly optOutTagKey: string;
}

export class InvalidContextError extends Error {
  readonly key: string;
  constructor(key: string, message: string, options?: ErrorOptions) {
    super(`context ${key}: ${message}`, options);
    this.name = 'InvalidContextError';
    this.key = key;
  }
}

const DISTRIBUTION_ID = /^E[A-Z0-9]{5,31}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

/** Parses and checks the stack's context values; throws InvalidContextError naming the key on a bad value. */
export function parseRemediationContext(get: (key: string) => unknown): RemediationSettings {
  const alarmNamePrefix = optionalString(CONTEXT_KEYS.alarmNamePrefix, get(CONTEXT_KEYS.alarmNamePrefix));
  const notificationEmail = optionalString(
    CONTEXT_KEYS.notificationEmail,
    get(CONTEXT_KEYS.notificationEmail),
  );
  if (notificationEmail !== undefined && !EMAIL.test(notificationEmail)) {
    throw new InvalidContextError(
      CONTEXT_KEYS.notificationEmail,
      `"${notificationEmail}" is not an email address`,
    );
  }
  const approverArns = parseList(
    CONTEXT_KEYS.approverArns,
    get(CONTEXT_KEYS.approverArns),
    APPROVER_ARN,
    'an IAM user, role or assumed-role ARN (aws:approve accepts no groups)',
  );
  if (approverArns.length > MAX_APPROVERS) {
    throw new InvalidContextError(
      CONTEXT_KEYS.approverArns,
      `at most ${MAX_APPROVERS} approvers, got ${approverArns.length}`,
    );
  }
  const minApprovals = parseMinApprovals(get(CONTEXT_KEYS.minApprovals), approverArns.length);
  const distributionIds = parseList(
    CONTEXT_KEYS.distributionIds,
    get(CONTEXT_KEYS.distributionIds),
    DISTRIBUTION_ID,
    'a CloudFront distribution id',
  );
  const optOutTagKey =
    optionalString(CONTEXT_KEYS.optOutTagKey, get(CONTEXT_KEYS.optOutTagKey)) ?? DEFAULT_OPT_OUT_TAG_KEY;
  if (!TAG_KEY.test(optOutTagKey) || optOutTagKey.startsWith('aws:'))
    throw new InvalidContextError(
      CONTEXT_KEYS.optOutTagKey,
      `"${optOutTagKey}" is not a tag key you can set`,
    );
  return {
    ...(alarmNamePrefix !== undefined ? { alarmNamePrefix } : {}),
    ...(notificationEmail !== undefined ? { notificationEmail } : {}),
    approvalTimeout: Duration.seconds(
      parseSeconds(CONTEXT_KEYS.approvalTimeout, get(CONTEXT_KEYS.approvalTimeout)),
    ),
    approverArns,
    minApprovals,
    approvalRisks: parseApprovalRisks(get(CONTEXT_KEYS.approvalRisks)),
    planOnly: parseBoolean(CONTEXT_KEYS.planOnly, get(CONTEXT_KEYS.planOnly)),
    distributionIds,
    scope: parseScope(get, distributionIds),
    paused: parseBoolean(CONTEXT_KEYS.paused, get(CONTEXT_KEYS.paused)),
    maxChangesPerHour: parseMaxChanges(get(CONTEXT_KEYS.maxChangesPerHour)),
    applyToManagedResources: parseBoolean(
      CONTEXT_KEYS.applyToManagedResources,
      get(CONTEXT_KEYS.applyToManagedResources),
    ),
    optOutTagKey,
  };
}

// Tag keys: 1–128 letters, digits, spaces and _ . : / = + - @ (Tagging AWS resources, "Tag naming limits").
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

/**
 * `cf403:distributionIds` scopes the workflow to those distributions (and their origin buckets and keys: listed
 * in context, else tagged); `cf403:scope=account` opts in to the whole account; neither: diagnose only.
 */
function parseScope(get: (key: string) => unknown, distributionIds: readonly string[]): RemediationScope {
  const scope = optionalString(CONTEXT_KEYS.scope, get(CONTEXT_KEYS.scope));
  const originBucketNames = parseList(
    CONTEXT_KEYS.originBucketNames,
    get(CONTEXT_KEYS.originBucketNames),
    BUCKET_NAME,
    'an S3 bucket name',
  );
  const originKeyArns = parseList(
    CONTEXT_KEYS.originKeyArns,
    get(CONTEXT_KEYS.originKeyArns),
    KEY_ARN,
    'a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)',
  );
  if (scope !== undefined && scope !== 'account' && scope !== 'distributions') {
    throw new InvalidContextError(
      CONTEXT_KEYS.scope,
      `"${scope}" is not a scope (expected account, or distributions with cf403:distributionIds)`,
    );
  }
  if (scope === 'account') {
    for (const [key, list] of [
      [CONTEXT_KEYS.originBucketNames, originBucketNames],
      [CONTEXT_KEYS.originKeyArns, originKeyArns],
    ] as const) {
      if (list.length > 0)
        throw new InvalidContextError(
          key,
          'means nothing with cf403:scope=account, which covers every bucket and key',
        );
    }
    return { kind: 'account' };
  }
  if (distributionIds.length === 0) {
    if (scope === 'distributions')
      throw new InvalidContextError(CONTEXT_KEYS.scope, 'distributions needs cf403:distributionIds');
    for (const [key, list] of [
      [CONTEXT_KEYS.originBucketNames, originBucketNames],
      [CONTEXT_KEYS.originKeyArns, originKeyArns],
    ] as const) {
      if (list.length > 0) throw new InvalidContextError(key, 'needs cf403:distributionIds');
    }
    return { kind: 'none' };
  }
  return {
    kind: 'distributions',
    distributionIds,
    ...(originBucketNames.length > 0 ? { originBucketNames } : {}),
    ...(originKeyArns.length > 0 ? { originKeyArns } : {}),
  };
}

function parseMaxChanges(value: unknown): number {
  const key = CONTEXT_KEYS.maxChangesPerHour;
  if (value === undefined || value === null || value === '') return DEFAULT_MAX_CHANGES_PER_HOUR;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_CHANGES_PER_HOUR_LIMIT) {
    throw new InvalidContextError(
      key,
      `expected a whole number from 1 to ${MAX_CHANGES_PER_HOUR_LIMIT}, got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

function optionalString(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw new InvalidContextError(key, `expected a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function parseSeconds(key: string, value: unknown): number {
  if (value === undefined || value === null || value === '') return DEFAULT_APPROVAL_TIMEOUT_SECONDS;
  const seconds =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > MAX_APPROVAL_TIMEOUT_SECONDS) {
    throw new InvalidContextError(
      key,
      `expected whole seconds between 60 and ${MAX_APPROVAL_TIMEOUT_SECONDS} (30 days, the aws:approve limit), got ${JSON.stringify(value)}`,
    );
  }
  return seconds;
}

/** Without approvers the stack's approver role is the only one, so at most 1. */
function parseMinApprovals(value: unknown, approverCount: number): number {
  const key = CONTEXT_KEYS.minApprovals;
  if (value === undefined || value === null || value === '') return 1;
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && /^\s*\d+\s*$/.test(value)
        ? Number(value)
        : Number.NaN;
  const max = Math.max(approverCount, 1);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw new InvalidContextError(
      key,
      `expected a whole number from 1 to the number of approvers (${max}${approverCount === 0 ? ": no cf403:approverArns, so the stack's approver role" : ''}), got ${JSON.stringify(value)}`,
    );
  }
  return n;
}

/** `none` turns approval off; unset or empty keeps the default (destructive), so a stray '' never does. */
function parseApprovalRisks(value: unknown): readonly ApprovalRisk[] {
  const key = CONTEXT_KEYS.approvalRisks;
  if (value === undefined || value === null || value === '') return ['destructive'];
  if (value === 'none') return [];
  const risks = parseList(key, value, /^[a-z]+$/, 'a risk (safe or destructive)');
  if (risks.length === 0) return ['destructive'];
  return risks.map((risk) => {
    const known = APPROVAL_RISKS.find((r) => r === risk);
    if (!known) {
      throw new InvalidContextError(
        key,
        `"${risk}" is not a risk (expected ${APPROVAL_RISKS.join(' or ')}, or none)`,
      );
    }
    return known;
  });
}

function parseBoolean(key: string, value: unknown): boolean {
  if (value === undefined || value === null || value === '') return false;
  if (typeof value === 'boolean') return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new InvalidContextError(key, `expected true or false, got ${JSON.stringify(value)}`);
}

function parseList(key: string, value: unknown, pattern: RegExp, what: string): readonly string[] {
  if (value === undefined || value === null) return [];
  const items =
    typeof value === 'string'
      ? value.split(',')
      : Array.isArray(value) && value.every((v): v is string => typeof v === 'string')
        ? value
        : undefined;
  if (!items)
    throw new InvalidContextError(key, `expected a comma-separated list, got ${JSON.stringify(value)}`);
  const list = items.map((item) => item.trim()).filter((item) => item !== '');
  for (const item of list) {
    if (!pattern.test(item)) throw new InvalidContextError(key, `"${item}" is not ${what}`);
  }
  return [...new Set(list)];
}

export interface RemediationStackProps extends StackProps {
  /**
   * The stack's settings.
   * @default - parsed from context (see CONTEXT_KEYS)
   */
  readonly settings?: RemediationSettings;
  /**
   * The organization's member accounts this stack serves as the hub (issue 15).
   * @default - single account
   */
  readonly members?: MemberAccountsProps;
}

/** Deploys CloudFront403Remediation, in us-east-1 by default (CloudFront metrics and alarms live there). */
export class RemediationStack extends Stack {
  readonly settings: RemediationSettings;
  readonly remediation: CloudFront403Remediation;

  constructor(scope: Construct, id: string, props: RemediationStackProps = {}) {
    super(scope, id, {
      description: 'cf403: self-healing CloudFront 403 remediation (Step Functions workflow)',
      ...props,
      env: props.env ?? { region: 'us-east-1' },
    });
    const settings = props.settings ?? parseRemediationContext((key) => this.node.tryGetContext(key));
    this.settings = settings;

    // Only the id matters for the alarm; the workflow reads the real domain name from GetDistribution.
    const distributions = settings.distributionIds.map((distributionId) =>
      Distribution.fromDistributionAttributes(this, `Distribution${distributionId}`, {
        distributionId,
        domainName: '',
      }),
    );

    this.remediation = new CloudFront403Remediation(this, 'Remediation', {
      approvalTimeout: settings.approvalTimeout,
      approvalRisks: settings.approvalRisks,
      minApprovals: settings.minApprovals,
      ...(settings.approverArns.length > 0 ? { approverArns: settings.approverArns } : {}),
      planOnly: settings.planOnly,
      distributions,
      scope: settings.scope,
      paused: settings.paused,
      maxChangesPerHour: settings.maxChangesPerHour,
      applyToManagedResources: settings.applyToManagedResources,
      optOutTagKey: settings.optOutTagKey,
      ...(settings.alarmNamePrefix !== undefined ? { alarmNamePrefix: settings.alarmNamePrefix } : {}),
      ...(settings.notificationEmail !== undefined ? { notificationEmail: settings.notificationEmail } : {}),
      ...(props.members ? { members: props.members } : {}),
    });

    new CfnOutput(this, 'StateMachineArn', { value: this.remediation.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TopicArn', { value: this.remediation.topic.topicArn });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.remediation.artifactBucket.bucketName });
    new CfnOutput(this, 'AlarmRuleName', { value: this.remediation.rule.ruleName });
    new CfnOutput(this, 'ApprovalDocumentName', {
      value: this.remediation.approvalDocumentName,
      description: 'Systems Manager → Automation: executions of this document wait for Approve/Deny',
    });
    new CfnOutput(this, 'TableName', { value: this.remediation.table.tableName });
    new CfnOutput(this, 'PauseParameterName', {
      value: this.remediation.pauseParameter.parameterName,
      description: 'Set to true to hold back every automatic change (diagnosis and notifications go on)',
    });
    new CfnOutput(this, 'ApproverPolicyArn', {
      value: this.remediation.approverPolicy.managedPolicyArn,
      description: 'Attach to the approvers so they can see and answer approvals',
    });
    if (this.remediation.approverRole) {
      new CfnOutput(this, 'ApproverRoleArn', {
        value: this.remediation.approverRole.roleArn,
        description: 'Assume this role to approve or deny (no cf403:approverArns configured)',
      });
    }
  }
}

// The stack `cdk deploy` creates: the remediation construct configured from CDK context.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { CloudFront403Remediation } from './cloudfront-403-remediation.ts';

/** Context keys read by the stack (`cdk.json` or `-c key=value`). */
export const CONTEXT_KEYS = {
  alarmNamePrefix: 'cf403:alarmNamePrefix',
  approvalTimeout: 'cf403:approvalTimeout',
  approverArns: 'cf403:approverArns',
  notificationEmail: 'cf403:notificationEmail',
  planOnly: 'cf403:planOnly',
  distributionIds: 'cf403:distributionIds',
} as const;

const DEFAULT_APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

/** The stack's settings, parsed once from context. */
export interface RemediationSettings {
  /** Only alarms with this name prefix start the workflow; undefined means any CloudFront 4xxErrorRate alarm. */
  readonly alarmNamePrefix?: string;
  readonly approvalTimeout: Duration;
  /** IAM principals allowed to answer approval requests (kept for the approval path; not yet granted). */
  readonly approverArns: readonly string[];
  readonly notificationEmail?: string;
  readonly planOnly: boolean;
  /** Distributions that get a 4xxErrorRate alarm. */
  readonly distributionIds: readonly string[];
}

export class InvalidContextError extends Error {
  readonly key: string;
  constructor(key: string, message: string, options?: ErrorOptions) {
    super(`context ${key}: ${message}`, options);
    this.name = 'InvalidContextError';
    this.key = key;
  }
}

const APPROVER_ARN = /^arn:aws[a-z-]*:(iam|sts)::\d{12}:(user|role|assumed-role|group)\/\S+$/;
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
  return {
    ...(alarmNamePrefix !== undefined ? { alarmNamePrefix } : {}),
    ...(notificationEmail !== undefined ? { notificationEmail } : {}),
    approvalTimeout: Duration.seconds(
      parseSeconds(CONTEXT_KEYS.approvalTimeout, get(CONTEXT_KEYS.approvalTimeout)),
    ),
    approverArns: parseList(
      CONTEXT_KEYS.approverArns,
      get(CONTEXT_KEYS.approverArns),
      APPROVER_ARN,
      'an IAM user/role ARN',
    ),
    planOnly: parseBoolean(CONTEXT_KEYS.planOnly, get(CONTEXT_KEYS.planOnly)),
    distributionIds: parseList(
      CONTEXT_KEYS.distributionIds,
      get(CONTEXT_KEYS.distributionIds),
      DISTRIBUTION_ID,
      'a CloudFront distribution id',
    ),
  };
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
  if (!Number.isInteger(seconds) || seconds < 60 || seconds > 364 * 24 * 60 * 60) {
    throw new InvalidContextError(
      key,
      `expected whole seconds between 60 and 31449600 (364 days), got ${JSON.stringify(value)}`,
    );
  }
  return seconds;
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
      planOnly: settings.planOnly,
      distributions,
      ...(settings.alarmNamePrefix !== undefined ? { alarmNamePrefix: settings.alarmNamePrefix } : {}),
      ...(settings.notificationEmail !== undefined ? { notificationEmail: settings.notificationEmail } : {}),
    });

    new CfnOutput(this, 'StateMachineArn', { value: this.remediation.stateMachine.stateMachineArn });
    new CfnOutput(this, 'TopicArn', { value: this.remediation.topic.topicArn });
    new CfnOutput(this, 'ArtifactBucketName', { value: this.remediation.artifactBucket.bucketName });
    new CfnOutput(this, 'AlarmRuleName', { value: this.remediation.rule.ruleName });
  }
}

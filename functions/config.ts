// Environment parsed once, typed, failing fast with the variable's name.

import { ACCOUNT_ID, DEFAULT_MEMBER_ROLE_NAME, ORGANIZATION_ID } from './domain/accounts.ts';
import type { Risk } from './domain/types.ts';
import { ConfigError } from './errors.ts';

export interface Config {
  readonly region: string;
  readonly artifactBucket: string;
  readonly topicArn: string | undefined;
  readonly approvalRisks: readonly Risk[];
  readonly planOnly: boolean;
  readonly probeTimeoutMs: number;
  /** DynamoDB table of locks, approval tokens and audit records; absent: no lock, no audit */
  readonly tableName: string | undefined;
  /** SSM Automation document whose aws:approve step asks operators */
  readonly approvalDocument: string | undefined;
  readonly approvers: readonly string[];
  readonly minApprovals: number;
  readonly lockSeconds: number;
  /** VersionName of the approval document this stack deployed: every approval runs that version */
  readonly approvalDocumentVersion: string | undefined;
  /**
   * What the workflow may change: `distributions` (those of distributionIds), `account`, or `none`. The construct
   * always sets it; unset (local runs) means `account`, the IAM roles being what really limits a deployment.
   */
  readonly scope: Scope;
  readonly distributionIds: readonly string[];
  /** SSM parameter whose value `true` pauses every change (diagnosis and notifications go on) */
  readonly pauseParameter: string | undefined;
  /** remediations that may change the account per clock hour */
  readonly maxChangesPerHour: number;
  /** apply fixes to resources managed by CloudFormation (or tagged cf403:managed-by) anyway */
  readonly applyManaged: boolean;
  /** tag key whose value `true` opts a distribution out of changes */
  readonly optOutTagKey: string;
  /** the apply step's role: the plan escalates a change its target's own policy would refuse that role */
  readonly applyRoleArn: string | undefined;
  /**
   * Hub and spoke (issue 15): the hub's own account (CF403_ACCOUNT). Unset: single-account mode, every call is
   * made with the step's own role.
   */
  readonly homeAccount: string | undefined;
  /** the role each member account creates for the hub's steps (CF403_MEMBER_ROLE_NAME) */
  readonly memberRoleName: string;
  /** the organization's member accounts (CF403_MEMBER_ACCOUNTS): where an origin bucket of another account is looked for */
  readonly memberAccounts: readonly string[];
  /** the organization (CF403_ORGANIZATION_ID), named in notifications */
  readonly organizationId: string | undefined;
}

export const SCOPES = ['distributions', 'account', 'none'] as const;
export type Scope = (typeof SCOPES)[number];

const RISKS: readonly Risk[] = ['safe', 'destructive', 'manual'];

export function parseConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const artifactBucket = env.CF403_ARTIFACT_BUCKET;
  if (!artifactBucket)
    throw new ConfigError('CF403_ARTIFACT_BUCKET is not set: the artifact bucket name is required');
  const risks = (env.CF403_APPROVAL_RISKS ?? 'destructive')
    .split(',')
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
  const approvalRisks = risks.map((r) => {
    const risk = RISKS.find((k) => k === r);
    if (!risk)
      throw new ConfigError(`CF403_APPROVAL_RISKS: unknown risk '${r}' (expected safe, destructive)`);
    return risk;
  });
  const planOnlyRaw = (env.CF403_PLAN_ONLY ?? 'false').toLowerCase();
  if (planOnlyRaw !== 'true' && planOnlyRaw !== 'false') {
    throw new ConfigError(`CF403_PLAN_ONLY: expected true or false, got '${env.CF403_PLAN_ONLY}'`);
  }
  const timeout = Number(env.CF403_PROBE_TIMEOUT_MS ?? '10000');
  if (!Number.isFinite(timeout) || timeout <= 0) {
    throw new ConfigError(
      `CF403_PROBE_TIMEOUT_MS: expected a positive number, got '${env.CF403_PROBE_TIMEOUT_MS}'`,
    );
  }
  const approvers = (env.CF403_APPROVERS ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  for (const a of approvers) {
    if (!/^arn:aws[a-z-]*:(iam|sts)::\d{12}:/.test(a))
      throw new ConfigError(`CF403_APPROVERS: '${a}' is not an IAM ARN`);
  }
  const minApprovals = positiveInt(env, 'CF403_MIN_APPROVALS', 1);
  const lockSeconds = positiveInt(env, 'CF403_LOCK_SECONDS', 93_600);
  const scope = SCOPES.find((s) => s === (env.CF403_SCOPE || 'account'));
  if (!scope) throw new ConfigError(`CF403_SCOPE: expected ${SCOPES.join(', ')}, got '${env.CF403_SCOPE}'`);
  const distributionIds = (env.CF403_DISTRIBUTION_IDS ?? '')
    .split(',')
    .map((d) => d.trim())
    .filter((d) => d.length > 0);
  if (scope === 'distributions' && distributionIds.length === 0)
    throw new ConfigError('CF403_DISTRIBUTION_IDS: a distributions scope needs at least one distribution id');
  const applyManagedRaw = (env.CF403_APPLY_MANAGED ?? 'false').toLowerCase();
  if (applyManagedRaw !== 'true' && applyManagedRaw !== 'false')
    throw new ConfigError(`CF403_APPLY_MANAGED: expected true or false, got '${env.CF403_APPLY_MANAGED}'`);
  return {
    ...accounts(env),
    approvalDocumentVersion: env.CF403_APPROVAL_DOCUMENT_VERSION || undefined,
    scope,
    distributionIds,
    pauseParameter: env.CF403_PAUSE_PARAMETER || undefined,
    maxChangesPerHour: positiveInt(env, 'CF403_MAX_CHANGES_PER_HOUR', 10),
    applyManaged: applyManagedRaw === 'true',
    optOutTagKey: env.CF403_OPT_OUT_TAG || 'cf403:opt-out',
    applyRoleArn: roleArn(env.CF403_APPLY_ROLE_ARN),
    region: env.AWS_REGION ?? 'us-east-1',
    tableName: env.CF403_TABLE_NAME || undefined,
    approvalDocument: env.CF403_APPROVAL_DOCUMENT || undefined,
    approvers,
    minApprovals,
    lockSeconds,
    artifactBucket,
    topicArn: env.CF403_TOPIC_ARN || undefined,
    approvalRisks,
    planOnly: planOnlyRaw === 'true',
    probeTimeoutMs: timeout,
  };
}

function positiveInt(
  env: Readonly<Record<string, string | undefined>>,
  name: string,
  fallback: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0)
    throw new ConfigError(`${name}: expected a positive integer, got '${raw}'`);
  return n;
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

function roleArn(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/.+/.test(value))
    throw new ConfigError(`CF403_APPLY_ROLE_ARN: '${value}' is not an IAM role ARN`);
  return value;
}

/** IAM role names: 1-64 characters of `[\w+=,.@-]` (IAM API reference, CreateRole `RoleName`). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

/** The hub-and-spoke settings: all optional, each checked against AWS's own format when set. */
function accounts(
  env: Readonly<Record<string, string | undefined>>,
): Pick<Config, 'homeAccount' | 'memberRoleName' | 'memberAccounts' | 'organizationId'> {
  const homeAccount = env.CF403_ACCOUNT || undefined;
  if (homeAccount !== undefined && !ACCOUNT_ID.test(homeAccount))
    throw new ConfigError(`CF403_ACCOUNT: '${homeAccount}' is not a 12-digit account id`);
  const memberRoleName = env.CF403_MEMBER_ROLE_NAME || DEFAULT_MEMBER_ROLE_NAME;
  if (!ROLE_NAME.test(memberRoleName))
    throw new ConfigError(`CF403_MEMBER_ROLE_NAME: '${memberRoleName}' is not an IAM role name`);
  const memberAccounts = (env.CF403_MEMBER_ACCOUNTS ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0);
  for (const a of memberAccounts)
    if (!ACCOUNT_ID.test(a))
      throw new ConfigError(`CF403_MEMBER_ACCOUNTS: '${a}' is not a 12-digit account id`);
  if (new Set(memberAccounts).size !== memberAccounts.length)
    throw new ConfigError(`CF403_MEMBER_ACCOUNTS: an account is listed twice (${memberAccounts.join(', ')})`);
  // Members without a hub would assume roles from an account nobody named: refuse the half configuration.
  if (memberAccounts.length > 0 && homeAccount === undefined)
    throw new ConfigError('CF403_MEMBER_ACCOUNTS is set but CF403_ACCOUNT (the hub account) is not');
  const organizationId = env.CF403_ORGANIZATION_ID || undefined;
  if (organizationId !== undefined && !ORGANIZATION_ID.test(organizationId))
    throw new ConfigError(`CF403_ORGANIZATION_ID: '${organizationId}' is not an organization id (o-...)`);
  return { homeAccount, memberRoleName, memberAccounts, organizationId };
}

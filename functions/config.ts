// Environment parsed once, typed, failing fast with the variable's name.

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
}

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
  return {
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

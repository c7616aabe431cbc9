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
  return {
    region: env.AWS_REGION ?? 'us-east-1',
    artifactBucket,
    topicArn: env.CF403_TOPIC_ARN || undefined,
    approvalRisks,
    planOnly: planOnlyRaw === 'true',
    probeTimeoutMs: timeout,
  };
}

let cached: Config | undefined;

export function config(): Config {
  cached ??= parseConfig(process.env);
  return cached;
}

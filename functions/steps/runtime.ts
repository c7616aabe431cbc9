// What every step gets injected: configuration, AWS clients, the artifact store, the prober, a logger, metrics.
import { Logger } from '@aws-lambda-powertools/logger';
import { type ArtifactStore, S3ArtifactStore } from '../adapters/artifacts.ts';
import { defaultRetryPolicy, realSleep, retrying } from '../adapters/aws-call.ts';
import { type AwsClients, type ClientName, createAwsClients } from '../adapters/clients.ts';
import { type MetricsPort, PowertoolsMetrics } from '../adapters/metrics.ts';
import { FetchProber, type Prober } from '../adapters/prober.ts';
import { type RequestLog, StandardLogRequestLog } from '../adapters/request-log.ts';
import { type Config, config } from '../config.ts';
import { InvalidStepInputError } from '../errors.ts';

export interface StepDeps {
  readonly config: Config;
  readonly clients: AwsClients;
  readonly artifacts: ArtifactStore;
  readonly prober: Prober;
  readonly requestLog: RequestLog;
  readonly logger: Logger;
  /** CloudWatch metrics (EMF on stdout in Lambda; an in-memory recorder in the simulator) */
  readonly metrics: MetricsPort;
  /** simulated or real clock, for timestamps in records */
  readonly now: () => Date;
  /** waits between in-process retries (the simulator advances its clock instead) */
  readonly sleep: (ms: number) => Promise<void>;
}

export type StepRun<O> = (input: unknown, deps: StepDeps) => Promise<O>;

let lambdaDeps: StepDeps | undefined;

async function depsFromEnvironment(clientNames: readonly ClientName[]): Promise<StepDeps> {
  const cfg = config();
  // The artifact store and the access logs read S3, so every step that has deps at all gets it.
  const clients = await createAwsClients(cfg.region, [...new Set<ClientName>(['s3', ...clientNames])]);
  return {
    config: cfg,
    clients,
    artifacts: new S3ArtifactStore(clients.s3, cfg.artifactBucket),
    prober: new FetchProber(cfg.probeTimeoutMs),
    requestLog: new StandardLogRequestLog(clients.s3),
    logger: new Logger({ serviceName: 'cf403' }),
    metrics: new PowertoolsMetrics(),
    now: () => new Date(),
    sleep: realSleep,
  };
}

/**
 * The Lambda entry point for a step: dependencies built once per container, correlation id = execution id.
 * `clients` names the AWS services the step calls; only their SDK packages are loaded.
 */
export function lambdaHandler<O>(
  run: StepRun<O>,
  clients: readonly ClientName[],
): (event: unknown) => Promise<O> {
  return async (event: unknown) => {
    lambdaDeps ??= await depsFromEnvironment(clients);
    const executionId = (event as { executionId?: unknown } | null)?.executionId;
    if (typeof executionId === 'string') lambdaDeps.logger.setCorrelationId(executionId);
    try {
      return await run(event, lambdaDeps);
    } finally {
      lambdaDeps.metrics.flush();
    }
  };
}

export type StepInput = Record<string, unknown>;

export function inputObject(input: unknown, step: string): StepInput {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new InvalidStepInputError(`${step}: input must be an object`);
  }
  return input as StepInput;
}

export function field(input: StepInput, name: string, step: string): string {
  const v = input[name];
  if (typeof v !== 'string' || v.length === 0)
    throw new InvalidStepInputError(`${step}: input.${name} must be a non-empty string`);
  return v;
}

export function refField(input: StepInput, name: string, step: string): { bucket: string; key: string } {
  const v = input[name] as { bucket?: unknown; key?: unknown } | undefined;
  if (typeof v?.bucket !== 'string' || typeof v.key !== 'string') {
    throw new InvalidStepInputError(`${step}: input.${name} must be an artifact reference {bucket, key}`);
  }
  return { bucket: v.bucket, key: v.key };
}

/**
 * Runs a side effect that must not decide the outcome (a notification): transient errors are retried
 * in-process, any remaining error is logged and swallowed. Returns undefined when it failed.
 */
export async function bestEffort<T>(
  deps: StepDeps,
  what: string,
  fn: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await retrying(defaultRetryPolicy(deps.sleep), fn);
  } catch (err) {
    deps.logger.warn(`${what} failed; continuing`, {
      error: err instanceof Error ? err.message : String(err),
    });
    return undefined;
  }
}

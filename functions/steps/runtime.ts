// What every step gets injected: configuration, AWS clients, the artifact store, the prober, a logger.
import { Logger } from '@aws-lambda-powertools/logger';
import { type ArtifactStore, S3ArtifactStore } from '../adapters/artifacts.ts';
import { type AwsClients, createAwsClients } from '../adapters/clients.ts';
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
  /** simulated or real clock, for timestamps in records */
  readonly now: () => Date;
}

export type StepRun<O> = (input: unknown, deps: StepDeps) => Promise<O>;

let lambdaDeps: StepDeps | undefined;

function depsFromEnvironment(): StepDeps {
  const cfg = config();
  const clients = createAwsClients(cfg.region);
  return {
    config: cfg,
    clients,
    artifacts: new S3ArtifactStore(clients.s3, cfg.artifactBucket),
    prober: new FetchProber(cfg.probeTimeoutMs),
    requestLog: new StandardLogRequestLog(clients.s3),
    logger: new Logger({ serviceName: 'cf403' }),
    now: () => new Date(),
  };
}

/** The Lambda entry point for a step: dependencies built once per container, correlation id = execution id. */
export function lambdaHandler<O>(run: StepRun<O>): (event: unknown) => Promise<O> {
  return async (event: unknown) => {
    lambdaDeps ??= depsFromEnvironment();
    const executionId = (event as { executionId?: unknown } | null)?.executionId;
    if (typeof executionId === 'string') lambdaDeps.logger.setCorrelationId(executionId);
    return run(event, lambdaDeps);
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

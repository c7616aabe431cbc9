// What every step gets injected: configuration, AWS clients, the artifact store, the prober, a logger, metrics.
import { Logger } from '@aws-lambda-powertools/logger';
import { type AccountAccess, MemberAccessError, StsAccountAccess } from '../adapters/accounts.ts';
import { type ArtifactStore, S3ArtifactStore } from '../adapters/artifacts.ts';
import { defaultRetryPolicy, realSleep, retrying } from '../adapters/aws-call.ts';
import {
  ALL_CLIENTS,
  type AwsClients,
  type ClientName,
  createAwsClients,
  makeStsClient,
} from '../adapters/clients.ts';
import { readMemberScopeParameter } from '../adapters/member-scope.ts';
import { type MetricsPort, PowertoolsMetrics } from '../adapters/metrics.ts';
import { FetchProber, type Prober } from '../adapters/prober.ts';
import { type RequestLog, StandardLogRequestLog } from '../adapters/request-log.ts';
import { type Config, config } from '../config.ts';
import { ACCOUNT_ID, memberSessionName } from '../domain/accounts.ts';
import { type MemberScope, missingScope, parseMemberScope, withMemberScope } from '../domain/member-scope.ts';
import { InvalidStepInputError } from '../errors.ts';
import { actsInMemberAccounts, MEMBER_SIDE_CLIENTS } from './step-clients.ts';

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
  /**
   * Hub and spoke (issue 15): clients acting in another account of the organization. Absent, or without a
   * `home`: single-account mode, every call goes through `clients`.
   */
  readonly accounts?: AccountAccess;
  /** the access-log reader over a set of clients, so depsForAccount reads a member's logs with its clients */
  readonly requestLogFor?: (clients: AwsClients) => RequestLog;
}

export type StepRun<O> = (input: unknown, deps: StepDeps) => Promise<O>;

let lambdaDeps: StepDeps | undefined;
/** one member access per execution: its sessions carry the execution in their name (CloudTrail in the member) */
let lambdaAccess: { session: string; access: AccountAccess } | undefined;

async function depsFromEnvironment(clientNames: readonly ClientName[]): Promise<StepDeps> {
  const cfg = config();
  // The artifact store and the access logs read S3, so every step that has deps at all gets it.
  const names = [...new Set<ClientName>(['s3', ...clientNames])];
  const clients = await createAwsClients(cfg.region, names);
  const requestLogFor = (c: AwsClients) =>
    new StandardLogRequestLog(c.s3, names.includes('logs') ? { logs: async () => c.logs } : {});
  return {
    config: cfg,
    clients,
    artifacts: new S3ArtifactStore(clients.s3, cfg.artifactBucket),
    prober: new FetchProber(cfg.probeTimeoutMs),
    requestLog: requestLogFor(clients),
    requestLogFor,
    logger: new Logger({ serviceName: 'cf403' }),
    metrics: new PowertoolsMetrics(),
    now: () => new Date(),
    sleep: realSleep,
  };
}

/**
 * The member access of a hub step (CF403_ACCOUNT set, the step calls a member-side service): STS AssumeRole
 * into each member's role with the step's own credentials, real clients over each session.
 */
async function memberAccess(
  deps: StepDeps,
  clientNames: readonly ClientName[],
  step: string,
  executionId: string | undefined,
): Promise<AccountAccess | undefined> {
  const cfg = deps.config;
  if (cfg.homeAccount === undefined || !actsInMemberAccounts(clientNames)) return undefined;
  const session = memberSessionName(step, executionId);
  if (lambdaAccess?.session === session) return lambdaAccess.access;
  // the member side the step declared, S3 (access logs, bucket owners) and SSM (the member's scope parameter)
  const memberNames = [
    ...new Set<ClientName>(['s3', 'ssm', ...clientNames.filter((c) => MEMBER_SIDE_CLIENTS.includes(c))]),
  ];
  const access = new StsAccountAccess({
    home: cfg.homeAccount,
    own: deps.clients,
    sts: await makeStsClient(cfg.region),
    roleName: cfg.memberRoleName,
    partition: partitionOf(cfg.region),
    sessionName: session,
    makeClients: (_account, credentials) => createAwsClients(cfg.region, memberNames, { credentials }),
    now: deps.now,
  });
  lambdaAccess = { session, access };
  return access;
}

/** ARN partition of a region (IAM identifiers): aws-cn for China, aws-us-gov for GovCloud, else aws. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/**
 * The Lambda entry point for a step: dependencies built once per container, correlation id = execution id.
 * `clients` names the AWS services the step calls; only their SDK packages are loaded. `step` names the
 * member-role sessions a hub step opens (functions/steps/step-clients.ts keys).
 */
export function lambdaHandler<O>(
  run: StepRun<O>,
  clients: readonly ClientName[],
  step = 'step',
): (event: unknown) => Promise<O> {
  return async (event: unknown) => {
    lambdaDeps ??= await depsFromEnvironment(clients);
    const base = lambdaDeps;
    const raw = (event as { executionId?: unknown } | null)?.executionId;
    const executionId = typeof raw === 'string' ? raw : undefined;
    if (executionId) base.logger.setCorrelationId(executionId);
    try {
      const accounts = await memberAccess(base, clients, step, executionId);
      const deps = await depsForAccount(accounts ? { ...base, accounts } : base, event, clients);
      return await run(event, deps);
    } finally {
      base.metrics.flush();
    }
  };
}

/**
 * The account an invocation acts in: `account` (every step after collect), the alarm event's `account`
 * (collect), or the state's `collect.account` (notify). Undefined when the input names none.
 */
export function invocationAccount(input: unknown): string | undefined {
  if (typeof input !== 'object' || input === null) return undefined;
  const i = input as {
    account?: unknown;
    event?: { account?: unknown } | null;
    state?: { collect?: { account?: unknown } | null } | null;
  };
  const found = [i.account, i.event?.account, i.state?.collect?.account].find(
    (a) => typeof a === 'string' && a !== '',
  );
  if (found === undefined) return undefined;
  if (typeof found !== 'string' || !ACCOUNT_ID.test(found))
    throw new InvalidStepInputError(`the input names account '${String(found)}', not a 12-digit account id`);
  return found;
}

/** The hub's clients with the member-side services (MEMBER_SIDE_CLIENTS) taken from `member`. */
export function memberSide(hub: AwsClients, member: AwsClients): AwsClients {
  return {
    get cloudfront() {
      return member.cloudfront;
    },
    get s3() {
      return member.s3;
    },
    get s3control() {
      return member.s3control;
    },
    get kms() {
      return member.kms;
    },
    get wafv2() {
      return member.wafv2;
    },
    get cloudwatch() {
      return member.cloudwatch;
    },
    get logs() {
      return member.logs;
    },
    get lambda() {
      return member.lambda;
    },
    get sns() {
      return hub.sns;
    },
    get sfn() {
      return hub.sfn;
    },
    get ssm() {
      return hub.ssm;
    },
    get dynamodb() {
      return hub.dynamodb;
    },
    ...(member.kmsIn ? { kmsIn: member.kmsIn } : {}),
    ...(member.lambdaIn ? { lambdaIn: member.lambdaIn } : {}),
  };
}

/** Member scopes already read, per access (one per execution in Lambda, per run in the simulator). */
const scopesRead = new WeakMap<AccountAccess, Map<string, Promise<MemberScope>>>();

/**
 * The member's own scope, from MEMBER_SCOPE_PARAMETER in its account (its ssm client, not the hub's). A missing
 * parameter is a member without a scope: nothing is changed there. Any other failure stops the step.
 */
export function memberScope(
  access: AccountAccess,
  account: string,
  member: AwsClients,
): Promise<MemberScope> {
  let byAccount = scopesRead.get(access);
  if (!byAccount) {
    byAccount = new Map();
    scopesRead.set(access, byAccount);
  }
  const held = byAccount.get(account);
  if (held) return held;
  const read = readMemberScopeParameter(member.ssm, account).then((value) =>
    value === undefined ? missingScope(account) : parseMemberScope(value, account),
  );
  byAccount.set(account, read);
  // a failed read is not kept: the step's retry reads again
  read.catch(() => byAccount.delete(account));
  return read;
}

/**
 * The dependencies of one invocation (issue 15): in the account its input names, the member-side clients are
 * those of that account's member role and its scope replaces the hub's; the hub's own services (topic, state
 * machine, approvals, table), the artifacts, logger and metrics stay the hub's. Unchanged in single-account
 * mode, for the hub's own account, and for a step that calls no member-side service (`declared`).
 * Used by lambdaHandler and by the simulator's workflow.
 */
export async function depsForAccount(
  base: StepDeps,
  input: unknown,
  declared: readonly ClientName[] = ALL_CLIENTS,
): Promise<StepDeps> {
  const access = base.accounts;
  if (!access || access.home === undefined || !actsInMemberAccounts(declared)) return base;
  const account = invocationAccount(input);
  if (account === undefined || account === access.home) return base;
  const members = base.config.memberAccounts;
  if (members.length > 0 && !members.includes(account))
    throw new MemberAccessError(
      `account ${account} is not a member of this hub (CF403_MEMBER_ACCOUNTS: ${members.join(', ')}): nothing of it is read or changed`,
    );
  const member = await access.clientsFor(account);
  const scope = await memberScope(access, account, member);
  const clients = memberSide(base.clients, member);
  if (scope.reason) base.logger.warn('member scope', { account, reason: scope.reason });
  return {
    ...base,
    config: withMemberScope(base.config, scope),
    clients,
    requestLog: base.requestLogFor ? base.requestLogFor(clients) : base.requestLog,
  };
}

/** Clients of another account of the organization (a bucket's or key's owner); undefined in single-account mode. */
export function otherAccountClients(deps: StepDeps): ((account: string) => Promise<AwsClients>) | undefined {
  const access = deps.accounts;
  if (!access || access.home === undefined) return undefined;
  return (account) => access.clientsFor(account);
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

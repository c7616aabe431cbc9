// The simulated AWS account: scenario state, a simulated clock, and SDK v3 clients answered from memory.
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type { MetadataBearer, MiddlewareStack } from '@smithy/types';
import { PROBE_USER_AGENT } from '../../functions/adapters/prober.ts';
import { DEFAULT_PROBE_ADDRESS } from '../edge/networks.ts';
import type { EdgeView } from '../edge/types.ts';
import { withCanonicalWafIds } from '../scenario/canonical-ids.ts';
import type { Scenario, ScenarioDistribution, Simulation } from '../scenario/types.ts';
import { AccessLogStore } from './access-logs.ts';
import { cloudFrontHandlers } from './cloudfront.ts';
import { cloudFrontFunctionHandlers } from './cloudfront-functions.ts';
import { cloudWatchHandlers, ViewerMetrics } from './cloudwatch.ts';
import { dynamoDbHandlers, tableItems } from './dynamodb.ts';
import type { DynamoItem } from './dynamodb-expr.ts';
import { type CachedError, cachedErrorFor, remainingErrorCache } from './error-cache.ts';
import { faultError, type ServiceName, serviceError } from './errors.ts';
import { ENFORCE_ALL, type Enforcement, gate, type IamUse, type Refusal } from './gate.ts';
import type { Handlers } from './handlers.ts';
import type { StackResourcePolicies, StepIdentity } from './iam/roles.ts';
import { hashSeed, IdGenerator } from './ids.ts';
import { kmsHandlers } from './kms.ts';
import { lambdaHandlers, lambdaScenario, lambdaState } from './lambda.ts';
import { logsHandlers } from './logs.ts';
import { sfnHandlers, snsHandlers } from './messaging.ts';
import { RateLimits } from './rate-limit.ts';
import { s3Handlers } from './s3.ts';
import { s3ListHandlers } from './s3-list.ts';
import { s3ControlHandlers } from './s3control.ts';
import { settleAutomations, ssmHandlers } from './ssm.ts';
import type { DistributionState, StoredObject, WorldState } from './state.ts';
import { stsHandlers } from './sts.ts';
import { wafv2Handlers } from './wafv2.ts';

/** The simulated clock starts here, so runs are reproducible. */
export const WORLD_START_MS = Date.UTC(2026, 10, 28, 0, 0, 0);
export const DEFAULT_DEPLOYMENT_SECONDS = 300;
export const DEFAULT_INVALIDATION_SECONDS = 60;
/** The workflow's probe: a Lambda function in us-east-1, so an AWS address in the US, with its own user agent. */
export const DEFAULT_PROBE = {
  country: 'US',
  clientIp: DEFAULT_PROBE_ADDRESS,
  userAgent: PROBE_USER_AGENT,
} as const;

const MIDDLEWARE_NAME = 'cf403World';

/** Calls after which viewers may get another answer (the viewer metrics record the new rates). */
const CHANGES_WHAT_VIEWERS_GET = /^(Put|Update|Create|Delete)/;

const CLIENT_SERVICES: Record<string, ServiceName> = {
  CloudFrontClient: 'cloudfront',
  S3Client: 's3',
  S3ControlClient: 's3control',
  KMSClient: 'kms',
  WAFV2Client: 'wafv2',
  SNSClient: 'sns',
  SFNClient: 'sfn',
  // issue 5: the workflow's table and approval automations (both answer 200)
  DynamoDBClient: 'dynamodb',
  SSMClient: 'ssm',
  // issue 10: viewer-side verification (metrics, alarms) and standard logging (v2) deliveries
  CloudWatchClient: 'cloudwatch',
  CloudWatchLogsClient: 'logs',
  // issue 11: function URL origins (the function behind the URL, its resource policy)
  LambdaClient: 'lambda',
  // issue 15: the hub's steps assume the member role of another account of the organization
  STSClient: 'sts',
};

/** Success codes other than 200, as the real APIs answer. */
const SUCCESS_STATUS: Record<string, number> = {
  'cloudfront:CreateOriginAccessControl': 201,
  'cloudfront:CreateInvalidation': 201,
  'cloudfront:DeleteOriginAccessControl': 204,
  's3:PutBucketPolicy': 204,
  's3:DeleteBucketPolicy': 204,
  's3:DeleteBucketOwnershipControls': 204,
  'cloudfront:CreateFunction': 201,
  'cloudfront:DeleteFunction': 204,
  'lambda:AddPermission': 201,
  'lambda:RemovePermission': 204,
};

export interface WorldCall {
  service: string;
  api: string;
  ok: boolean;
  /** error name when the call failed */
  error?: string;
  /** simulated epoch ms */
  at: number;
  /** who made the call: a step's folder name, `operator`, `cli`... (`unknown` for a client attached without one) */
  step: string;
  /** the client's region */
  region: string;
  /** the SDK client's name without `Client`: CloudFront, S3, SFN... */
  sdkService: string;
  /** the command input as sent (a deep copy; binary bodies by length) */
  input: unknown;
  /** issue 15: the account whose world answered (the resource's owner) */
  account?: string;
  /** issue 15: the account the caller acts in (its credentials' account) */
  callerAccount?: string;
}

/** Who calls: every SDK client the world answers is attached with one. */
export interface Caller {
  /** a step's folder name (`collect`, `request-approval`, `relay`), `operator`, `cli`... */
  readonly step: string;
  /** the role the caller acts as; every call is authorized against its policies (none: not checked) */
  readonly identity?: StepIdentity;
  /** issue 15: the account the caller acts in; default the identity's, else the answering world's */
  readonly account?: string;
}

/** The account of a caller: its own, its identity's (`arn:aws:sts::ACCOUNT:...`), else `fallback`. */
export function callerAccountOf(caller: Caller, fallback: string): string {
  return caller.account ?? caller.identity?.sessionArn.split(':')[4] ?? fallback;
}

/**
 * The simulated clock, shared by the worlds of one organization (issue 15): advancing it settles every world
 * on it, so a deployment in a member account completes while the hub waits.
 */
export class SimClock {
  ms = WORLD_START_MS;
  readonly worlds = new Set<World>();
}

/** What a world asks the organization it belongs to (sim/world/organization.ts); absent for a lone account. */
export interface OrganizationView {
  /** the organization's id, `o-...` */
  readonly id: string;
  /** the scenario the organization was loaded from (every account's sections) */
  readonly scenario: Scenario;
  /** whether `account` is a member of the organization (aws:PrincipalOrgID is set only for members) */
  isMember(account: string): boolean;
  /** the role's trust policy when the role exists (sts:AssumeRole judges the caller against it) */
  trustPolicy(roleArn: string): object | undefined;
  /** answers sts:AssumeRole once IAM allowed it: the session's credentials */
  assumeRole(input: Record<string, unknown>, caller: CallContext): object;
}

/** What the deployed stack adds to the account: its own resources' policies, its state machine. */
export interface DeployedStack {
  readonly policies: StackResourcePolicies;
  readonly stateMachineArn: string;
}

/** A call as the world receives it from a client's middleware. */
export interface CallContext extends Caller {
  readonly region: string;
  readonly sdkService: string;
}

export interface WorldNotification {
  topicArn: string;
  subject?: string;
  message: string;
}

export interface TaskSignal {
  kind: 'success' | 'failure';
  taskToken: string;
  output?: string;
  error?: string;
  cause?: string;
  at: number;
}

export interface WorldOptions {
  /** seed of the id generator; defaults to a hash of the scenario name */
  seed?: number;
  /** issue 15: a clock shared with the other worlds of an organization (default: the world's own) */
  clock?: SimClock;
  /** what the world refuses as AWS would: service models and quotas, IAM (both by default) */
  enforce?: Partial<Enforcement>;
}

export class World implements EdgeView {
  readonly name: string;
  readonly description: string;
  readonly account: string;
  readonly region: string;
  readonly calls: WorldCall[] = [];
  readonly notifications: WorldNotification[] = [];
  readonly taskSignals: TaskSignal[] = [];
  /** EventBridge events the account emitted (SSM Automation status changes), oldest first */
  readonly events: Array<Record<string, unknown>> = [];
  /** calls the world refused as AWS would (model, quota, IAM), in order */
  readonly refusals: Refusal[] = [];
  /** every IAM request an authorized caller made, allowed or not: what each role was seen to need */
  readonly iamUsage: IamUse[] = [];
  /** values that must never reach a report or a trace (task tokens handed out by the runner) */
  readonly secrets = new Set<string>();
  /** the identity of the simulated caller (SSM approvals check it); see asCaller */
  callerArn: string;
  readonly ids: IdGenerator;
  /** internal state, for the service handlers and the edge model; treat as read-only outside sim/world */
  readonly state: WorldState;

  /** the distribution's access logs, when the scenario has `logs` (issue 10) */
  readonly accessLogs: AccessLogStore | undefined;
  /** the viewers' error rates over time, for CloudWatch metrics and alarms (issue 10) */
  readonly viewerMetrics: ViewerMetrics;

  private readonly clock: SimClock;
  private readonly enforce: Enforcement;
  /** issue 15: what the edge model reads for this world's viewers (an organization spans its accounts) */
  edge: EdgeView = this;
  /** issue 15: the organization this account belongs to, when the scenario has `accounts` */
  organization: OrganizationView | undefined;
  /** issue 15: another list every call is also recorded in (the organization's, in call order) */
  callSink: WorldCall[] | undefined;
  private stack: DeployedStack | undefined;
  private readonly initial: Scenario;
  private readonly handlers: Record<ServiceName, Handlers>;
  /** cf403 scan: `simulation.rateLimit`, enforced in real time */
  private readonly rateLimits: RateLimits;

  constructor(scenario: Scenario, options: WorldOptions = {}) {
    // the world owns its copy: callers' scenario objects are never changed
    this.initial = withCanonicalWafIds(structuredClone(scenario));
    this.clock = options.clock ?? new SimClock();
    this.clock.worlds.add(this);
    const sc = this.initial;
    this.name = sc.name;
    this.description = sc.description;
    this.account = sc.account;
    this.region = sc.region;
    this.ids = new IdGenerator(options.seed ?? hashSeed(sc.name));
    this.state = this.initialState(sc);
    this.callerArn = `arn:aws:sts::${sc.account}:assumed-role/cf403-simulated-operator/operator`;
    this.rateLimits = new RateLimits(sc.simulation?.rateLimit);
    this.enforce = { ...ENFORCE_ALL, ...options.enforce };
    this.handlers = {
      cloudfront: cloudFrontHandlers(this),
      s3: s3Handlers(this),
      s3control: s3ControlHandlers(this),
      kms: kmsHandlers(this),
      wafv2: wafv2Handlers(this),
      sns: snsHandlers(this),
      sfn: sfnHandlers(this),
      dynamodb: dynamoDbHandlers(this),
      ssm: ssmHandlers(this),
      cloudwatch: cloudWatchHandlers(this),
      logs: logsHandlers(this),
      lambda: lambdaHandlers(this),
      sts: stsHandlers(this),
    };
    this.handlers.cloudfront = { ...this.handlers.cloudfront, ...cloudFrontFunctionHandlers(this) };
    this.handlers.s3 = { ...this.handlers.s3, ...s3ListHandlers(this, this.handlers.s3) };
    this.viewerMetrics = new ViewerMetrics(this, sc);
    // written last: each record is what the edge model answers that viewer in the account as loaded
    this.accessLogs = sc.logs === undefined ? undefined : new AccessLogStore(this, sc);
  }

  /** The scenario as loaded (read-only): facts that never change during a run, such as logging and alarms. */
  initialScenario(): Readonly<Scenario> {
    return this.initial;
  }

  /** Standard logging (v2) configuration: CloudWatch Logs delivery sources, destinations and deliveries. */
  scenarioLogging(): NonNullable<Scenario['cloudwatchLogs']> {
    return this.initial.cloudwatchLogs ?? {};
  }

  private initialState(sc: Scenario): WorldState {
    const deployMs = this.deploymentSeconds * 1000;
    const distributions = new Map<string, DistributionState>();
    for (const d of sc.cloudfront.distributions) {
      const inProgress = d.Status === 'InProgress';
      const deployAt =
        d.DeployedAt !== undefined && d.DeployedAt * 1000 > WORLD_START_MS
          ? d.DeployedAt * 1000
          : WORLD_START_MS + deployMs;
      distributions.set(d.Id, {
        Id: d.Id,
        ARN: d.ARN,
        DomainName: d.DomainName,
        ETag: d.ETag,
        status: d.Status,
        config: structuredClone(d.DistributionConfig),
        deployedConfig: structuredClone(d.DistributionConfig),
        deployAt: inProgress ? deployAt : undefined,
        staleEdge: inProgress,
        lastModified: WORLD_START_MS,
        invalidations: [],
        ...(d.Tags ? { tags: structuredClone(d.Tags) } : {}),
      });
    }
    const etag = () => this.ids.alnum('E', 12);
    const cf = sc.cloudfront;
    return {
      distributions,
      oacs: new Map(
        (cf.originAccessControls ?? []).map((o) => [
          o.Id,
          { Id: o.Id, ETag: o.ETag ?? etag(), config: o.OriginAccessControlConfig },
        ]),
      ),
      oais: new Map((cf.originAccessIdentities ?? []).map((o) => [o.Id, { ...o, ETag: etag() }])),
      keyGroups: new Map((cf.keyGroups ?? []).map((k) => [k.Id, { ...k, ETag: etag() }])),
      functions: new Map((cf.functions ?? []).map((f) => [f.Name, { ...f, ETag: etag() }])),
      originRequestPolicies: new Map(
        (cf.originRequestPolicies ?? []).map((p) => [p.Id, { ...p, ETag: etag() }]),
      ),
      accountPublicAccessBlock: sc.s3.accountPublicAccessBlock ?? null,
      buckets: new Map(sc.s3.buckets.map((b) => [b.Name, b])),
      systemBuckets: new Map(),
      kmsKeys: sc.kms?.keys ?? [],
      webAcls: sc.wafv2?.webAcls ?? [],
      ipSets: sc.wafv2?.ipSets ?? [],
      sampledRequests: sc.wafv2?.sampledRequests ?? [],
      faults: (sc.simulation?.faults ?? []).map((f) => ({ ...f, remaining: f.times })),
      tables: new Map(),
      automations: new Map(),
      lambdaFunctions: lambdaState(sc),
    };
  }

  // ---- clock ----

  /** simulated epoch ms */
  now(): number {
    return this.clock.ms;
  }

  /** Advances the clock, shared with the organization's other worlds, and settles every world on it. */
  advance(seconds: number): void {
    if (!Number.isFinite(seconds) || seconds < 0)
      throw new RangeError(`advance: expected seconds >= 0, got ${seconds}`);
    this.clock.ms += Math.round(seconds * 1000);
    for (const world of this.clock.worlds) world.settle();
  }

  get simulation(): Simulation {
    return structuredClone(this.initial.simulation ?? {});
  }

  get deploymentSeconds(): number {
    return this.initial.simulation?.deploymentSeconds ?? DEFAULT_DEPLOYMENT_SECONDS;
  }

  get invalidationSeconds(): number {
    return this.initial.simulation?.invalidationSeconds ?? DEFAULT_INVALIDATION_SECONDS;
  }

  get probe(): { country: string; clientIp: string; userAgent: string } {
    const p = this.initial.simulation?.probe;
    return p === undefined ? { ...DEFAULT_PROBE } : { userAgent: DEFAULT_PROBE.userAgent, ...p };
  }

  /** What viewers get may have changed: in an organization a bucket's change shows on another account's metrics. */
  private viewersMayChange(): void {
    for (const world of this.clock.worlds) world.viewerMetrics?.changed();
  }

  /** Completes deployments whose time has come; every read goes through here (lazy evaluation). */
  settle(): void {
    for (const d of this.state.distributions.values()) {
      if (d.status === 'InProgress' && d.deployAt !== undefined && d.deployAt <= this.clock.ms) {
        d.status = 'Deployed';
        d.deployedConfig = structuredClone(d.config);
        d.deployAt = undefined;
        d.staleEdge = false;
        // what viewers get changes now (the metrics exist only once the constructor is done)
        this.viewersMayChange();
      }
    }
    settleAutomations(this);
  }

  // ---- reads for the edge model and tests (deep copies) ----

  private distributionState(distId: string): DistributionState {
    this.settle();
    const d = this.state.distributions.get(distId);
    if (!d) throw new Error(`World: no distribution ${distId}`);
    return d;
  }

  distributionIds(): string[] {
    return [...this.state.distributions.keys()];
  }

  /** The distribution as the API shows it now (current config, status as of now). */
  distribution(distId: string): ScenarioDistribution {
    const d = this.distributionState(distId);
    return {
      Id: d.Id,
      ARN: d.ARN,
      DomainName: d.DomainName,
      Status: d.status,
      ETag: d.ETag,
      DistributionConfig: structuredClone(d.config),
    };
  }

  /** The config the edge serves: the last one whose deployment completed. */
  deployedConfig(distId: string): DistributionConfig {
    return structuredClone(this.distributionState(distId).deployedConfig);
  }

  /** True while a distribution that was InProgress in the scenario has not finished deploying. */
  staleEdge(distId: string): boolean {
    return this.distributionState(distId).staleEdge;
  }

  /** An error response CloudFront still serves from its cache for this path (issue 11), if any. */
  cachedError(distributionId: string, path: string): CachedError | undefined {
    this.settle();
    return cachedErrorFor(
      this.initial.simulation?.errorCache ?? [],
      this.state.distributions,
      this.initial.cloudfront.distributions[0]?.Id ?? '',
      distributionId,
      path,
      { now: this.clock.ms, start: WORLD_START_MS },
    );
  }

  accountPublicAccessBlock(): PublicAccessBlockConfiguration | null {
    return structuredClone(this.state.accountPublicAccessBlock);
  }

  /** The current account state in the scenario format (a fresh copy on every read), for the edge model. */
  get scenario(): Scenario {
    return this.toScenario();
  }

  /** The world's current state in the scenario format (without `expect`), ready to be simulated again. */
  toScenario(): Scenario {
    this.settle();
    const sc = this.initial;
    const st = this.state;
    const distributions: ScenarioDistribution[] = [...st.distributions.values()].map((d) => {
      const out: ScenarioDistribution = {
        Id: d.Id,
        ARN: d.ARN,
        DomainName: d.DomainName,
        Status: d.status,
        ETag: d.ETag,
        DistributionConfig: d.config,
        ...(d.tags ? { Tags: d.tags } : {}),
      };
      // remaining deployment time, counted from the start of a fresh world
      if (d.status === 'InProgress' && d.deployAt !== undefined) {
        out.DeployedAt = (WORLD_START_MS + (d.deployAt - this.clock.ms)) / 1000;
      }
      return out;
    });
    const cloudfront: Scenario['cloudfront'] = { distributions };
    const cf = sc.cloudfront;
    if (cf.originAccessControls !== undefined || st.oacs.size > 0) {
      cloudfront.originAccessControls = [...st.oacs.values()].map((o) => ({
        Id: o.Id,
        OriginAccessControlConfig: o.config,
        ETag: o.ETag,
      }));
    }
    if (cf.originAccessIdentities !== undefined) {
      cloudfront.originAccessIdentities = [...st.oais.values()].map(({ ETag: _e, ...o }) => o);
    }
    if (cf.keyGroups !== undefined)
      cloudfront.keyGroups = [...st.keyGroups.values()].map(({ ETag: _e, ...k }) => k);
    if (cf.functions !== undefined || st.functions.size > 0)
      cloudfront.functions = [...st.functions.values()].map(({ ETag: _e, ...f }) => f);
    if (cf.originRequestPolicies !== undefined) {
      cloudfront.originRequestPolicies = [...st.originRequestPolicies.values()].map(
        ({ ETag: _e, ...p }) => p,
      );
    }
    const out: Scenario = {
      name: sc.name,
      description: sc.description,
      account: sc.account,
      region: sc.region,
      cloudfront,
      s3: { buckets: [...st.buckets.values()] },
      requests: sc.requests,
    };
    if (sc.s3.accountPublicAccessBlock !== undefined || st.accountPublicAccessBlock !== null) {
      out.s3 = { accountPublicAccessBlock: st.accountPublicAccessBlock, buckets: out.s3.buckets };
    }
    if (sc.kms) out.kms = { keys: st.kmsKeys };
    if (sc.lambda || st.lambdaFunctions.size > 0) out.lambda = lambdaScenario(st.lambdaFunctions);
    if (sc.wafv2) out.wafv2 = { webAcls: st.webAcls, ipSets: st.ipSets, sampledRequests: st.sampledRequests };
    if (sc.alarmEvent) out.alarmEvent = sc.alarmEvent;
    // the viewers' side does not change during a run (issue 10)
    if (sc.logs) out.logs = sc.logs;
    if (sc.cloudwatchLogs) out.cloudwatchLogs = sc.cloudwatchLogs;
    if (sc.metrics) out.metrics = sc.metrics;
    if (sc.cloudwatch) out.cloudwatch = sc.cloudwatch;
    if (sc.simulation) {
      const simulation: Simulation = { ...sc.simulation };
      // faults already spent do not fire again
      const faults = st.faults
        .filter((f) => f.remaining > 0)
        .map((f) => ({ api: f.api, error: f.error, times: f.remaining }));
      if (sc.simulation.faults) simulation.faults = faults;
      // cached errors expire and are invalidated (issue 11)
      if (sc.simulation.errorCache)
        simulation.errorCache = remainingErrorCache(
          sc.simulation.errorCache,
          st.distributions,
          sc.cloudfront.distributions[0]?.Id ?? '',
          { now: this.clock.ms, start: WORLD_START_MS },
        );
      out.simulation = simulation;
    }
    return structuredClone(out);
  }

  // ---- system buckets (the workflow's own artifacts) ----

  /** A bucket for the workflow's own artifacts: stored apart from the scenario, never in toScenario(). */
  addSystemBucket(name: string): void {
    if (this.state.buckets.has(name)) throw new Error(`World: ${name} is a scenario bucket`);
    if (!this.state.systemBuckets.has(name)) this.state.systemBuckets.set(name, new Map());
  }

  /** Text of an object in a system bucket, or undefined. */
  systemObject(bucket: string, key: string): string | undefined {
    const obj: StoredObject | undefined = this.state.systemBuckets.get(bucket)?.get(key);
    return obj ? new TextDecoder().decode(obj.body) : undefined;
  }

  systemObjectKeys(bucket: string): string[] {
    return [...(this.state.systemBuckets.get(bucket)?.keys() ?? [])];
  }

  // ---- the caller's identity ----

  /**
   * Runs `fn` with `callerArn` set to `arn`, then restores the previous caller. Calls made by concurrent
   * code during `fn` also see `arn`: keep callers that should differ sequential.
   */
  async asCaller<T>(arn: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.callerArn;
    this.callerArn = arn;
    try {
      return await fn();
    } finally {
      this.callerArn = previous;
    }
  }

  // ---- DynamoDB tables (the workflow's own: apart from the scenario, never in toScenario()) ----

  /** Items of a table sorted by pk then sk (deep copies); [] for a table never used. */
  tableItems(tableName: string): DynamoItem[] {
    return tableItems(this, tableName);
  }

  // ---- answering calls ----

  /** The workflow's stack is deployed in this account: its resource policies apply from now on. */
  useStack(stack: DeployedStack): void {
    this.stack = stack;
  }

  /** Every operation this world answers, by service (the model table and the IAM table must cover them). */
  operations(): Record<ServiceName, string[]> {
    const out = {} as Record<ServiceName, string[]>;
    for (const [service, handlers] of Object.entries(this.handlers) as [ServiceName, Handlers][])
      out[service] = Object.keys(handlers).sort();
    return out;
  }

  /**
   * Answers one SDK call: waits `apiLatencyMs`, fires a pending fault, else runs the handler. Records the call.
   * `api` is the command name without `Command`.
   */
  async call(
    service: ServiceName,
    api: string,
    input: object,
    context: CallContext = { step: 'unknown', region: this.region, sdkService: service },
  ): Promise<object & MetadataBearer> {
    const latency = this.initial.simulation?.apiLatencyMs ?? 0;
    // cf403 scan: the rate limit counts requests as they arrive; a throttled one still costs the round trip
    const admitted = this.rateLimits.admit(service);
    if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
    const requestId = this.ids.uuid();
    const callerAccount = callerAccountOf(context, this.account);
    const record = (ok: boolean, error?: string) => {
      const call: WorldCall = {
        service,
        api,
        ok,
        ...(error === undefined ? {} : { error }),
        at: this.clock.ms,
        step: context.step,
        region: context.region,
        sdkService: context.sdkService,
        input: snapshotInput(input),
        account: this.account,
        callerAccount,
      };
      this.calls.push(call);
      this.callSink?.push(call);
    };
    try {
      if (!admitted) throw faultError(service, 'ThrottlingException', requestId);
      this.settle();
      gate(
        {
          account: this.account,
          state: this.state,
          ...(this.organization ? { organization: this.organization } : {}),
          ...(this.stack
            ? { stackPolicies: this.stack.policies, stateMachineArn: this.stack.stateMachineArn }
            : {}),
        },
        this.enforce,
        {
          service,
          operation: api,
          input,
          step: context.step,
          region: context.region,
          identity: context.identity,
          requestId,
        },
        this.refusals,
        this.iamUsage,
      );
      ownerOnly(service, api, input, this.account, callerAccount, requestId);
      const fault = this.state.faults.find((f) => f.api === api && f.remaining > 0);
      if (fault) {
        fault.remaining--;
        throw faultError(service, fault.error, requestId);
      }
      const handle = this.handlers[service][api];
      if (!handle) throw new Error(`World: no simulated ${service} command ${api}Command`);
      this.settle();
      const output = await handle(input, context);
      this.settle();
      record(true);
      if (CHANGES_WHAT_VIEWERS_GET.test(api) && service !== 'dynamodb' && service !== 'sns')
        this.viewersMayChange();
      return {
        ...output,
        $metadata: {
          httpStatusCode: SUCCESS_STATUS[`${service}:${api}`] ?? 200,
          requestId,
          attempts: 1,
          totalRetryDelay: 0,
        },
      };
    } catch (error) {
      const name = error instanceof Error ? error.name : 'Error';
      record(false, name);
      throw error;
    }
  }

  /**
   * Answers every command of an AWS SDK v3 client from this world, as `caller`: a middleware at `initialize`
   * that never calls the network (no serialization, signing or retries). Attaching again replaces the previous world.
   */
  attach<C extends { middlewareStack: unknown; config?: unknown }>(
    client: C,
    caller: Caller = { step: 'unknown' },
  ): C {
    return answerFrom(client, MIDDLEWARE_NAME, this.region, async (service, api, input, at) =>
      this.call(service, api, input, { ...caller, ...at }),
    );
  }
}

/** S3 bucket operations only the bucket owner's account may call, whatever the policies say. */
const OWNER_ONLY_S3 = new Set(['GetBucketPolicy', 'PutBucketPolicy', 'DeleteBucketPolicy']);

/**
 * Account checks S3 makes once IAM allowed the call (issue 15). The bucket policy APIs: "If you have the correct
 * permissions, but you're not using an identity that belongs to the bucket owner's account, Amazon S3 returns
 * a 405 Method Not Allowed error" (S3 API reference, PutBucketPolicy / GetBucketPolicy / DeleteBucketPolicy).
 * `ExpectedBucketOwner`: "If the account ID that you provide does not match the actual owner of the bucket, the
 * request fails with the HTTP status code 403 Forbidden (access denied)" (every bucket API's request syntax).
 */
function ownerOnly(
  service: ServiceName,
  api: string,
  input: object,
  owner: string,
  callerAccount: string,
  requestId: string,
): void {
  if (service !== 's3') return;
  const expected = (input as { ExpectedBucketOwner?: unknown }).ExpectedBucketOwner;
  if (typeof expected === 'string' && expected !== owner) {
    const name = api.startsWith('Head') ? '403' : 'AccessDenied';
    throw serviceError({ service, name, message: 'Access Denied', status: 403, requestId });
  }
  if (OWNER_ONLY_S3.has(api) && callerAccount !== owner)
    throw serviceError({
      service,
      name: 'MethodNotAllowed',
      message: 'The specified method is not allowed against this resource.',
      status: 405,
      requestId,
    });
}

/** Where an SDK call is, for the world or organization that answers it. */
export interface ClientSite {
  readonly region: string;
  /** the SDK client's name without `Client`: CloudFront, S3, SFN... */
  readonly sdkService: string;
}

/**
 * Answers every command of an AWS SDK v3 client with `answer`: a middleware at `initialize` that never calls
 * the network (no serialization, signing or retries). Attaching again under `name` replaces the previous one.
 */
export function answerFrom<C extends { middlewareStack: unknown; config?: unknown }>(
  client: C,
  name: string,
  defaultRegion: string,
  answer: (
    service: ServiceName,
    api: string,
    input: object,
    at: ClientSite,
  ) => Promise<object & MetadataBearer>,
): C {
  const stack = client.middlewareStack as MiddlewareStack<object, MetadataBearer>;
  const regionOf = (client.config as { region?: unknown } | undefined)?.region;
  stack.remove(name);
  stack.add(
    (_next, context) => async (args) => {
      const clientName = context.clientName ?? '';
      const service = CLIENT_SERVICES[clientName];
      const commandName = context.commandName ?? '';
      if (!service) throw new Error(`no simulated service for ${clientName || 'an unnamed client'}`);
      const region =
        typeof regionOf === 'function' ? String(await regionOf()) : String(regionOf ?? defaultRegion);
      const output = await answer(service, commandName.replace(/Command$/, ''), args.input, {
        region,
        sdkService: clientName.replace(/Client$/, ''),
      });
      return { output, response: {} };
    },
    { step: 'initialize', priority: 'high', name },
  );
  return client;
}

/** A JSON-safe deep copy of a command input: binary and streamed bodies become their length in bytes. */
export function snapshotInput(value: unknown): unknown {
  if (value instanceof Uint8Array) return { bytes: value.byteLength };
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(snapshotInput);
  if (typeof value === 'object' && value !== null) {
    if (typeof (value as { pipe?: unknown }).pipe === 'function') return { stream: true };
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      // an object body is an artifact, not a parameter: its size tells the story
      out[k] = k === 'Body' && typeof v === 'string' ? { bytes: Buffer.byteLength(v) } : snapshotInput(v);
    }
    return out;
  }
  if (typeof value === 'bigint') return value.toString();
  return value;
}

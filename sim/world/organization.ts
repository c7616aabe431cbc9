// Several simulated accounts (issue 15): one World per account of the organization (the hub is the scenario's
// top level), one clock, and the calls routed as AWS routes them: account-scoped services to the caller's
// account, a bucket's operations to the bucket owner's account, a key or function named by ARN to its account.
// Each world judges IAM with the caller's identity (principal account = the caller's) against its own
// resources (resource account = the owner's), so a cross-account call needs both the identity policy and the
// resource policy. STS AssumeRole is answered here: a role's trust policy comes from the member stack
// deployed in its account, and the credentials it returns map back to the session's identity.

import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type { MetadataBearer } from '@smithy/types';
import { lookupDistribution } from '../edge/match.ts';
import type { EdgeView } from '../edge/types.ts';
import type { Scenario, ScenarioAccount } from '../scenario/types.ts';
import { type ServiceName, serviceError } from './errors.ts';
import type { IamPolicy, StepIdentity } from './iam/roles.ts';
import {
  answerFrom,
  type CallContext,
  type Caller,
  callerAccountOf,
  type OrganizationView,
  SimClock,
  World,
  type WorldCall,
  type WorldOptions,
} from './world.ts';

/** A role a member stack created: its ARN, trust policy and identity policies, resolved for its account. */
export interface SimulatedRole {
  readonly roleArn: string;
  readonly trustPolicy: Record<string, unknown>;
  readonly policies: IamPolicy[];
  /** AWS::IAM::Role MaxSessionDuration (default 3600 s: IAM API reference, CreateRole) */
  readonly maxSessionSeconds: number;
}

/**
 * Who calls, resolved per call: a session's identity is known only once its credentials are read (an
 * unknown or expired key is refused with `service`'s error).
 */
export type CallerSource = Caller | ((service: ServiceName) => Promise<Caller>);

export class OrganizationError extends Error {
  override name = 'OrganizationError';
}

interface Session {
  identity: StepIdentity;
  expiresMs: number;
}

const MIDDLEWARE_NAME = 'cf403Organization';

/** AssumeRole DurationSeconds default: 3600 (STS API reference, AssumeRole). */
const DEFAULT_SESSION_SECONDS = 3600;

/** The sections an account of a scenario holds (ScenarioAccountSections). */
export const ACCOUNT_SECTIONS = [
  'cloudfront',
  's3',
  'kms',
  'wafv2',
  'lambda',
  'cloudwatch',
  'logs',
  'metrics',
  'cloudwatchLogs',
] as const;

/** The hub account's own scenario: the top level without the organization's other accounts. */
export function hubScenario(scenario: Scenario): Scenario {
  const { accounts: _a, organization: _o, ...hub } = structuredClone(scenario);
  return hub;
}

/**
 * One member account as a scenario of its own: its sections, the organization's viewers (`requests` reach
 * the edge, whichever account holds the distribution) and the simulation settings except faults and rate
 * limits, which stay with the hub's world (a fault fires once, where the top level declares it).
 */
export function memberScenario(scenario: Scenario, member: ScenarioAccount): Scenario {
  const { faults: _f, rateLimit: _r, ...simulation } = scenario.simulation ?? {};
  const out: Scenario = {
    name: `${scenario.name}-${member.account}`,
    description: `${scenario.description} (member account ${member.account})`,
    account: member.account,
    region: scenario.region,
    cloudfront: structuredClone(member.cloudfront ?? { distributions: [] }),
    s3: structuredClone(member.s3 ?? { buckets: [] }),
    requests: structuredClone(scenario.requests),
    ...(scenario.simulation ? { simulation: structuredClone(simulation) } : {}),
  };
  for (const key of ACCOUNT_SECTIONS) {
    if (key === 'cloudfront' || key === 's3') continue;
    const section = member[key];
    if (section !== undefined) Object.assign(out, { [key]: structuredClone(section) });
  }
  return out;
}

function accountOfArn(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account !== undefined && /^\d{12}$/.test(account) ? account : undefined;
}

function str(input: object, key: string): string | undefined {
  const value = (input as Record<string, unknown>)[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** The simulated organization: its accounts' worlds, their roles, and the sessions STS handed out. */
export class Organization implements OrganizationView {
  readonly id: string;
  readonly hub: World;
  /** every call any account answered, in order, with the caller's and the answering account */
  readonly calls: WorldCall[] = [];
  readonly edge: EdgeView;
  private readonly worlds = new Map<string, World>();
  private readonly outside = new Set<string>();
  private readonly roles = new Map<string, SimulatedRole>();
  private readonly sessions = new Map<string, Session>();
  private readonly clock = new SimClock();

  constructor(
    readonly scenario: Scenario,
    options: WorldOptions = {},
  ) {
    if (!scenario.organization)
      throw new OrganizationError(
        `scenario ${scenario.name} has no organization (issue 15: accounts need one)`,
      );
    this.id = scenario.organization.id;
    const make = (sc: Scenario) => {
      const world = new World(sc, { ...options, clock: this.clock });
      world.organization = this;
      world.callSink = this.calls;
      this.worlds.set(world.account, world);
      return world;
    };
    this.hub = make(hubScenario(scenario));
    for (const member of scenario.accounts ?? []) {
      make(memberScenario(scenario, member));
      if (member.inOrganization === false) this.outside.add(member.account);
    }
    this.edge = new OrganizationEdge(this);
    for (const world of this.worlds.values()) world.edge = this.edge;
    // `simulation.faults` are the scenario's, not one account's: a fault fires in whichever account answers the
    // call (a member's UpdateDistribution as much as the hub's PutItem), its count shared by all of them
    for (const world of this.worlds.values()) world.state.faults = this.hub.state.faults;
  }

  /** Every account of the scenario, the hub first. */
  get accounts(): string[] {
    return [...this.worlds.keys()];
  }

  /** Member accounts (every account but the hub), in scenario order. */
  get members(): string[] {
    return this.accounts.filter((a) => a !== this.hub.account);
  }

  world(account: string): World {
    const world = this.worlds.get(account);
    if (!world) throw new OrganizationError(`no account ${account} in the simulated organization`);
    return world;
  }

  allWorlds(): World[] {
    return [...this.worlds.values()];
  }

  /** The world of the account holding the distribution, if any account does. */
  worldOfDistribution(distributionId: string): World | undefined {
    return this.allWorlds().find((w) => w.state.distributions.has(distributionId));
  }

  /** The world of the account owning the bucket (scenario or system bucket), if any account does. */
  worldOfBucket(bucket: string): World | undefined {
    return this.allWorlds().find((w) => w.state.buckets.has(bucket) || w.state.systemBuckets.has(bucket));
  }

  // ---- OrganizationView ----

  /** Accounts of the scenario are members unless marked `inOrganization: false`; any other account is not. */
  isMember(account: string): boolean {
    return this.worlds.has(account) && !this.outside.has(account);
  }

  trustPolicy(roleArn: string): object | undefined {
    return this.roles.get(roleArn)?.trustPolicy;
  }

  /** A role now exists in its account (a member stack was deployed there). */
  defineRole(role: SimulatedRole): void {
    const account = accountOfArn(role.roleArn);
    if (account === undefined || !this.worlds.has(account))
      throw new OrganizationError(`role ${role.roleArn} is not in an account of the organization`);
    this.roles.set(role.roleArn, role);
  }

  role(roleArn: string): SimulatedRole | undefined {
    return this.roles.get(roleArn);
  }

  /** The identity as its account's membership makes it: aws:PrincipalOrgID only for members' principals. */
  withOrganization(identity: StepIdentity): StepIdentity {
    const account = accountOfArn(identity.roleArn) ?? '';
    const { organizationId: _drop, ...rest } = identity;
    return this.isMember(account) ? { ...rest, organizationId: this.id } : rest;
  }

  /**
   * sts:AssumeRole once IAM allowed it (identity policy and trust policy: sim/world/gate.ts). Output as the
   * STS API reference shows it (AssumeRole: Credentials, AssumedRoleUser); the access key id maps back to the
   * session's identity, whose policies are the role's.
   */
  assumeRole(input: Record<string, unknown>, caller: CallContext): object {
    // AssumeRole needs a signed request; AWS refuses an unsigned one before any policy is read
    // (STS API reference, Common Errors: MissingAuthenticationToken, 403)
    if (!caller.identity)
      throw serviceError({
        service: 'sts',
        name: 'MissingAuthenticationToken',
        message: 'Request is missing Authentication Token',
        status: 403,
      });
    const roleArn = str(input, 'RoleArn') ?? '';
    const sessionName = str(input, 'RoleSessionName') ?? '';
    const role = this.roles.get(roleArn);
    if (!role)
      throw serviceError({
        service: 'sts',
        name: 'AccessDenied',
        message: `User: ${caller.identity?.sessionArn ?? 'anonymous'} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        status: 403,
      });
    const duration =
      typeof input.DurationSeconds === 'number' ? input.DurationSeconds : DEFAULT_SESSION_SECONDS;
    // "The requested DurationSeconds exceeds the MaxSessionDuration set for this role." (STS AssumeRole)
    if (duration > role.maxSessionSeconds)
      throw serviceError({
        service: 'sts',
        name: 'ValidationError',
        message: 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
        status: 400,
      });
    const account = accountOfArn(roleArn) ?? '';
    const roleName = roleArn.split('/').pop() ?? '';
    const ids = this.hub.ids;
    const accessKeyId = ids.alnum('ASIA', 16);
    const expiresMs = this.hub.now() + duration * 1000;
    const sessionArn = `arn:aws:sts::${account}:assumed-role/${roleName}/${sessionName}`;
    const identity: StepIdentity = this.withOrganization({
      step: (caller.identity?.step ?? caller.step) as StepIdentity['step'],
      roleArn,
      sessionArn,
      functionArn: '',
      policies: role.policies,
    });
    this.sessions.set(accessKeyId, { identity, expiresMs });
    const secret = ids.alnum('', 40);
    const token = ids.alnum('IQoJb3JpZ2luX2Vj', 64);
    this.hub.secrets.add(secret);
    this.hub.secrets.add(token);
    return {
      Credentials: {
        AccessKeyId: accessKeyId,
        SecretAccessKey: secret,
        SessionToken: token,
        Expiration: new Date(expiresMs),
      },
      AssumedRoleUser: { AssumedRoleId: `AROA${ids.alnum('', 17)}:${sessionName}`, Arn: sessionArn },
      PackedPolicySize: 0,
    };
  }

  /**
   * The identity behind a session's access key id. Unknown or expired keys are refused as AWS refuses them:
   * InvalidClientTokenId (403) and ExpiredToken (400) (IAM User Guide, troubleshoot_general.html; STS errors).
   */
  sessionIdentity(accessKeyId: string, service: ServiceName): StepIdentity {
    const session = this.sessions.get(accessKeyId);
    if (!session)
      throw serviceError({
        service,
        name: 'InvalidClientTokenId',
        message: 'The security token included in the request is invalid.',
        status: 403,
      });
    if (session.expiresMs <= this.hub.now())
      throw serviceError({
        service,
        name: 'ExpiredToken',
        message: 'The security token included in the request is expired',
        status: 400,
      });
    return session.identity;
  }

  // ---- routing ----

  /** The account that answers a call: the resource owner's when the input names one, else the caller's. */
  route(service: ServiceName, input: object, callerAccount: string): World {
    const own = this.worlds.get(callerAccount) ?? this.hub;
    const byArn = (arn: string | undefined) => {
      const account = arn === undefined ? undefined : accountOfArn(arn);
      return account === undefined ? undefined : this.worlds.get(account);
    };
    switch (service) {
      case 's3': {
        const bucket = str(input, 'Bucket');
        return (bucket === undefined ? undefined : this.worldOfBucket(bucket)) ?? own;
      }
      case 's3control': {
        const account = str(input, 'AccountId');
        return (account === undefined ? undefined : this.worlds.get(account)) ?? own;
      }
      case 'kms':
        return byArn(str(input, 'KeyId')) ?? own;
      case 'lambda': {
        const name = str(input, 'FunctionName') ?? '';
        const partial = /^(\d{12}):function:/.exec(name)?.[1];
        return byArn(name) ?? (partial ? this.worlds.get(partial) : undefined) ?? own;
      }
      case 'cloudfront':
        return byArn(str(input, 'Resource')) ?? own;
      case 'wafv2':
        return byArn(str(input, 'WebAclArn') ?? str(input, 'ResourceArn')) ?? own;
      // the role's account holds the trust policy; the caller's identity travels with the call
      case 'sts':
        return byArn(str(input, 'RoleArn')) ?? own;
      default:
        return own;
    }
  }

  /** Answers one call in the account it belongs to, as the caller. */
  async call(
    service: ServiceName,
    api: string,
    input: object,
    context: CallContext,
  ): Promise<object & MetadataBearer> {
    const world = this.route(service, input, callerAccountOf(context, this.hub.account));
    return world.call(service, api, input, context);
  }

  /**
   * Answers every command of an SDK v3 client from the organization, as `caller` (resolved per call for a
   * session, whose identity its credentials name). Like World.attach: no network, no signing, no retries.
   */
  attach<C extends { middlewareStack: unknown; config?: unknown }>(client: C, caller: CallerSource): C {
    return answerFrom(client, MIDDLEWARE_NAME, this.hub.region, async (service, api, input, at) => {
      const who = typeof caller === 'function' ? await caller(service) : caller;
      return this.call(service, api, input, { ...who, ...at });
    });
  }

  /** The caller of a session's clients: the identity its credentials' access key id maps to. */
  sessionCaller(
    step: string,
    credentials: () => Promise<{ accessKeyId: string }>,
  ): (service: ServiceName) => Promise<Caller> {
    return async (service) => {
      const { accessKeyId } = await credentials();
      const identity = this.sessionIdentity(accessKeyId, service);
      return { step, identity, account: accountOfArn(identity.roleArn) ?? this.hub.account };
    };
  }

  /** The organization's current state in the scenario format: the hub's top level and each member's sections. */
  toScenario(): Scenario {
    const out = this.hub.toScenario();
    out.organization = { id: this.id };
    out.accounts = (this.scenario.accounts ?? []).map((member) => {
      const sc = this.world(member.account).toScenario();
      const account: ScenarioAccount = { account: member.account };
      if (member.inOrganization === false) account.inOrganization = false;
      if (member.memberStack === false) account.memberStack = false;
      for (const key of ACCOUNT_SECTIONS) {
        if (key !== 'cloudfront' && key !== 's3' && member[key] === undefined) continue;
        if (sc[key] !== undefined) Object.assign(account, { [key]: sc[key] });
      }
      return account;
    });
    return out;
  }
}

/** The edge model's view of an organization: every account's distributions, buckets, keys and functions. */
class OrganizationEdge implements EdgeView {
  constructor(
    private readonly org: Organization,
    /** the account whose distribution a request reaches (the hub's until a host names one) */
    private readonly account?: string,
  ) {}

  get scenario(): Scenario {
    const parts = this.org.allWorlds().map((w) => w.scenario);
    const [hub, ...rest] = parts;
    if (!hub) throw new OrganizationError('an organization without accounts');
    const out = hub;
    for (const p of rest) {
      const cf = out.cloudfront;
      cf.distributions.push(...p.cloudfront.distributions);
      for (const key of [
        'originAccessControls',
        'originAccessIdentities',
        'keyGroups',
        'functions',
        'originRequestPolicies',
      ] as const) {
        const more = p.cloudfront[key];
        if (more) Object.assign(cf, { [key]: [...(cf[key] ?? []), ...more] });
      }
      out.s3.buckets.push(...p.s3.buckets);
      if (p.kms) out.kms = { keys: [...(out.kms?.keys ?? []), ...p.kms.keys] };
      if (p.lambda) out.lambda = { functions: [...(out.lambda?.functions ?? []), ...p.lambda.functions] };
      if (p.wafv2)
        out.wafv2 = {
          webAcls: [...(out.wafv2?.webAcls ?? []), ...(p.wafv2.webAcls ?? [])],
          ipSets: [...(out.wafv2?.ipSets ?? []), ...(p.wafv2.ipSets ?? [])],
          sampledRequests: [...(out.wafv2?.sampledRequests ?? []), ...(p.wafv2.sampledRequests ?? [])],
        };
    }
    if (this.account !== undefined) out.account = this.account;
    return out;
  }

  private distributionWorld(id: string): World {
    const world = this.org.worldOfDistribution(id);
    if (!world) throw new OrganizationError(`no account holds distribution ${id}`);
    return world;
  }

  deployedConfig(distributionId: string): DistributionConfig {
    return this.distributionWorld(distributionId).deployedConfig(distributionId);
  }

  staleEdge(distributionId: string): boolean {
    return this.distributionWorld(distributionId).staleEdge(distributionId);
  }

  cachedError(distributionId: string, path: string) {
    return this.distributionWorld(distributionId).cachedError(distributionId, path);
  }

  accountPublicAccessBlock(bucket?: string): PublicAccessBlockConfiguration | null {
    const owner = bucket === undefined ? undefined : this.org.worldOfBucket(bucket);
    return (owner ?? this.org.world(this.account ?? this.org.hub.account)).accountPublicAccessBlock();
  }

  bucketAccount(bucket: string): string | undefined {
    return this.org.worldOfBucket(bucket)?.account;
  }

  /** The distribution's own account: OAC requests carry aws:SourceAccount of the distribution's owner. */
  forHost(hostname: string): EdgeView {
    const found = lookupDistribution(this, hostname);
    const world = found ? this.org.worldOfDistribution(found.distribution.Id) : undefined;
    return new OrganizationEdge(this.org, world?.account ?? this.org.hub.account);
  }
}

// Issue 15 in the simulator: the hub and member templates as the CDK app synthesizes them for a scenario's
// organization, the member stack deployed into each member account (its role and scope parameter), and the
// clients a hub step uses in a member account (attached to the organization as the member role's session).
import { STSClient } from '@aws-sdk/client-sts';
import { type SessionCredentials, StsAccountAccess } from '../../functions/adapters/accounts.ts';
import type { AwsClients } from '../../functions/adapters/clients.ts';
import {
  DEFAULT_MEMBER_ROLE_NAME,
  memberRoleArn,
  memberSessionName,
} from '../../functions/domain/accounts.ts';
import type { Scenario } from '../scenario/types.ts';
import {
  type CfnTemplate,
  rolePolicies,
  type StepIdentity,
  TemplateResolutionError,
  TemplateResolver,
} from '../world/iam/roles.ts';
import type { Organization, SimulatedRole } from '../world/organization.ts';
import { putParameter } from '../world/ssm.ts';
import type { Caller, World } from '../world/world.ts';
import {
  cachedSynthesis,
  definitionFromTemplate,
  SIMULATOR_CONTEXT,
  type SynthesizedStack,
  type Template,
} from './definition.ts';

/** The member stack's name in the CDK app (lib/app.ts MEMBER_STACK_NAME). */
export const SIM_MEMBER_STACK = 'Cf403Member';

/** The hub's and the member's templates for one organization. */
export interface SynthesizedOrganization {
  hub: SynthesizedStack;
  /** the member stack, tokens unresolved (`AWS::AccountId` is the member account it is deployed in) */
  member: CfnTemplate;
}

/**
 * The context the simulator synthesizes an organization with (lib/member-stack.ts ORGANIZATION_CONTEXT_KEYS):
 * the simulator's whole-account opt-in for the hub and for every member (issue 12), the scenario's organization,
 * its member accounts and the hub's account.
 */
export function organizationContext(scenario: Scenario): Record<string, unknown> {
  return {
    ...SIMULATOR_CONTEXT,
    'cf403:organization-id': scenario.organization?.id ?? '',
    'cf403:member-accounts': (scenario.accounts ?? []).map((a) => a.account).join(','),
    'cf403:hub-account': scenario.account,
    'cf403:member-scope': JSON.stringify({ kind: 'account' }),
  };
}

/** Synthesizes the hub and member stacks for `context` (cached like synthesizedStack). */
export async function synthesizedOrganization(
  context: Readonly<Record<string, unknown>>,
): Promise<SynthesizedOrganization> {
  return cachedSynthesis('organization', context, async (outdir) => {
    const { synthesizeOrganization } = await import('../../lib/app.ts');
    const out = synthesizeOrganization(context, outdir);
    const hub = out.hub as Template;
    return { hub: { asl: definitionFromTemplate(hub), template: hub }, member: out.member as CfnTemplate };
  });
}

/** IAM: a role's maximum session, 3600 s unless MaxSessionDuration says otherwise (CreateRole API reference). */
const DEFAULT_MAX_SESSION_SECONDS = 3600;

/**
 * Deploys the member stack in `account`: every role it creates exists from now on (trust policy and identity
 * policies resolved with the member's account), and every SSM parameter it creates holds its value there.
 */
export function deployMemberStack(
  org: Organization,
  account: string,
  template: CfnTemplate,
): SimulatedRole[] {
  const world = org.world(account);
  const resolver = new TemplateResolver(template, {
    account,
    region: world.region,
    stackName: SIM_MEMBER_STACK,
    // the member stack has no artifact bucket, table, topic, document or state machine of its own
    artifactBucket: '',
    tableName: '',
    topicArn: '',
    approvalDocument: '',
    stateMachineArn: '',
  });
  const roles: SimulatedRole[] = [];
  for (const id of resolver.logicalIds('AWS::IAM::Role')) {
    const props = resolver.resource(id).Properties ?? {};
    const role: SimulatedRole = {
      roleArn: resolver.physical(id).attrs.Arn ?? '',
      trustPolicy: resolver.resolveDocument(props.AssumeRolePolicyDocument, `${id} trust policy`),
      policies: rolePolicies(resolver, id),
      maxSessionSeconds:
        typeof props.MaxSessionDuration === 'number' ? props.MaxSessionDuration : DEFAULT_MAX_SESSION_SECONDS,
    };
    org.defineRole(role);
    roles.push(role);
  }
  for (const id of resolver.logicalIds('AWS::SSM::Parameter')) {
    const props = resolver.resource(id).Properties ?? {};
    const name = resolver.resolve(props.Name);
    const value = resolver.resolve(props.Value);
    if (typeof name !== 'string' || typeof value !== 'string')
      throw new TemplateResolutionError(`${id}: the parameter's Name and Value must resolve to strings`);
    putParameter(world, name, value);
  }
  return roles;
}

/**
 * Deploys the member stack in every member account whose scenario entry does not say `memberStack: false`:
 * `template` where the entry names no `memberScope`, else the member template synthesized with that scope.
 */
export async function deployMemberStacks(org: Organization, template: CfnTemplate): Promise<void> {
  for (const member of org.scenario.accounts ?? []) {
    if (member.memberStack === false) continue;
    const scoped =
      member.memberScope === undefined
        ? template
        : (
            await synthesizedOrganization({
              ...organizationContext(org.scenario),
              'cf403:member-scope':
                typeof member.memberScope === 'string'
                  ? member.memberScope
                  : JSON.stringify(member.memberScope),
            })
          ).member;
    deployMemberStack(org, member.account, scoped);
  }
}

/** Where a call made through clients attached to the organization goes: `attach` as World.attach does. */
export interface AttachTarget {
  readonly region: string;
  attach<C extends { middlewareStack: unknown; config?: unknown }>(client: C, caller: Caller): C;
}

/** The organization as seen by clients of one caller (the hub's own clients in a hub step). */
export function organizationTarget(org: Organization): AttachTarget {
  return { region: org.hub.region, attach: (client, caller) => org.attach(client, caller) };
}

export interface MemberAccessOptions {
  readonly org: Organization;
  /** the step's folder name (trace, sessions) */
  readonly step: string;
  /** the step's hub identity (it assumes the member role) */
  readonly identity: StepIdentity | undefined;
  /** the hub step's own clients, attached to the organization */
  readonly own: AwsClients;
  /** builds a set of clients attached to `target` (simulatedClients) */
  readonly clients: (target: AttachTarget, caller: Caller) => AwsClients;
  readonly roleName?: string;
  readonly world: World;
}

/**
 * The product's own StsAccountAccess, wired to the organization: STS AssumeRole is the simulated one (IAM judges
 * the hub step's identity policy and the member role's trust policy), and a member's clients call as the session
 * whose access key id the credentials carry.
 */
export function simulatedAccountAccess(opts: MemberAccessOptions): StsAccountAccess {
  const { org, step, identity } = opts;
  const caller: Caller = { step, ...(identity ? { identity } : {}) };
  const sts = org.attach(new STSClient({ region: org.hub.region, credentials: SIMULATED }), caller);
  return new StsAccountAccess({
    home: org.hub.account,
    own: opts.own,
    sts,
    roleName: opts.roleName ?? DEFAULT_MEMBER_ROLE_NAME,
    sessionName: memberSessionName(step, undefined),
    now: () => new Date(opts.world.now()),
    makeClients: async (_account: string, credentials: () => Promise<SessionCredentials>) => {
      const session = org.sessionCaller(step, credentials);
      const target: AttachTarget = {
        region: org.hub.region,
        attach: (client) => org.attach(client, session),
      };
      return opts.clients(target, { step });
    },
  });
}

const SIMULATED = { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' };

export { memberRoleArn };

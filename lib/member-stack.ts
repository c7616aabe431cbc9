// The member (spoke) stack of issue 15, deployed in us-east-1 of every member account (e.g. by a StackSet), and
// the CDK context that turns the app into a hub and adds it.
import { Aws, BootstraplessSynthesizer, Stack, type StackProps } from 'aws-cdk-lib';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Role } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ACCOUNT_ID, DEFAULT_MEMBER_ROLE_NAME, ORGANIZATION_ID } from '../functions/domain/accounts.ts';
import { CloudFront403Member, hubEventBusArn } from './constructs/member.ts';
import { hubStepRoleArns } from './constructs/members.ts';
import type { MemberAccountsProps, RemediationScope } from './constructs/props.ts';
import { InvalidContextError } from './remediation-stack.ts';

/** Context keys of an organization deployment (`cdk synth -c cf403:organization-id=o-... -c ...`). */
export const ORGANIZATION_CONTEXT_KEYS = {
  organizationId: 'cf403:organization-id',
  memberAccounts: 'cf403:member-accounts',
  /** The hub's account, named in the member roles' trust policy; @default CDK_DEFAULT_ACCOUNT (the CLI's) */
  hubAccount: 'cf403:hub-account',
  /** JSON RemediationScope, or `account` / `none`; @default account */
  memberScope: 'cf403:member-scope',
  /** @default cf403-member */
  memberRoleName: 'cf403:member-role-name',
} as const;

/** An organization deployment's settings, parsed once from context. */
export interface OrganizationSettings {
  readonly members: MemberAccountsProps;
  readonly hubAccount: string;
  /** The member stack's scope (the same template goes to every member account). */
  readonly memberScope: RemediationScope;
}

/**
 * Reads the organization context: undefined unless `cf403:organization-id` or `cf403:member-accounts` is set
 * (then both are needed, and the hub account). `defaultHubAccount` is the CLI's CDK_DEFAULT_ACCOUNT.
 */
export function parseOrganizationContext(
  get: (key: string) => unknown,
  defaultHubAccount: string | undefined = process.env.CDK_DEFAULT_ACCOUNT,
): OrganizationSettings | undefined {
  const K = ORGANIZATION_CONTEXT_KEYS;
  const organizationId = text(K.organizationId, get(K.organizationId));
  const accounts = list(K.memberAccounts, get(K.memberAccounts));
  if (organizationId === undefined && accounts.length === 0) return undefined;
  if (organizationId === undefined)
    throw new InvalidContextError(K.organizationId, `needed with ${K.memberAccounts}`);
  if (!ORGANIZATION_ID.test(organizationId))
    throw new InvalidContextError(K.organizationId, `"${organizationId}" is not an organization id (o-...)`);
  if (accounts.length === 0)
    throw new InvalidContextError(K.memberAccounts, `list the member accounts of ${organizationId}`);
  for (const account of accounts)
    if (!ACCOUNT_ID.test(account))
      throw new InvalidContextError(K.memberAccounts, `"${account}" is not a 12-digit account id`);
  const hubAccount = text(K.hubAccount, get(K.hubAccount)) ?? defaultHubAccount;
  if (hubAccount === undefined)
    throw new InvalidContextError(
      K.hubAccount,
      'the member roles trust the hub account: set it (or run the CDK CLI with credentials of the hub account)',
    );
  if (!ACCOUNT_ID.test(hubAccount))
    throw new InvalidContextError(K.hubAccount, `"${hubAccount}" is not a 12-digit account id`);
  const memberRoleName = text(K.memberRoleName, get(K.memberRoleName));
  return {
    members: {
      organizationId,
      accounts,
      ...(memberRoleName !== undefined ? { memberRoleName } : {}),
    },
    hubAccount,
    memberScope: parseMemberScope(get(K.memberScope)),
  };
}

function text(key: string, value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  // cdk.json may hold an account id as a number; one with leading zeros then fails the 12-digit check
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string')
    throw new InvalidContextError(key, `expected a string, got ${JSON.stringify(value)}`);
  return value.trim() === '' ? undefined : value.trim();
}

/** A comma-separated list, a JSON array text, or an array; trimmed and de-duplicated. */
function list(key: string, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  let items: unknown = value;
  if (typeof value === 'string' && value.trim().startsWith('[')) items = parseJson(key, value);
  else if (typeof value === 'string') items = value.split(',');
  if (!Array.isArray(items) || !items.every((v): v is string => typeof v === 'string'))
    throw new InvalidContextError(key, `expected a comma-separated list, got ${JSON.stringify(value)}`);
  return [...new Set(items.map((v) => v.trim()).filter((v) => v !== ''))];
}

function parseJson(key: string, value: string): unknown {
  try {
    return JSON.parse(value);
  } catch (error) {
    throw new InvalidContextError(key, 'is not valid JSON', { cause: error });
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringList(key: string, field: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === 'string'))
    throw new InvalidContextError(key, `${field} must be a list of strings`);
  return value;
}

/** `account`, `none`, or a RemediationScope (JSON text or object); the construct checks ids and ARNs. */
export function parseMemberScope(value: unknown): RemediationScope {
  const key = ORGANIZATION_CONTEXT_KEYS.memberScope;
  if (value === undefined || value === null || value === '' || value === 'account')
    return { kind: 'account' };
  if (value === 'none') return { kind: 'none' };
  const scope = typeof value === 'string' ? parseJson(key, value) : value;
  if (!isRecord(scope)) throw new InvalidContextError(key, `expected account, none or a JSON scope`);
  if (scope.kind === 'account' || scope.kind === 'none') return { kind: scope.kind };
  if (scope.kind !== 'distributions')
    throw new InvalidContextError(
      key,
      `kind must be distributions, account or none, got ${JSON.stringify(scope.kind)}`,
    );
  const distributionIds = stringList(key, 'distributionIds', scope.distributionIds) ?? [];
  const originBucketNames = stringList(key, 'originBucketNames', scope.originBucketNames);
  const originKeyArns = stringList(key, 'originKeyArns', scope.originKeyArns);
  return {
    kind: 'distributions',
    distributionIds,
    ...(originBucketNames ? { originBucketNames } : {}),
    ...(originKeyArns ? { originKeyArns } : {}),
  };
}

export interface MemberStackProps extends StackProps {
  /** The hub's account id. */
  readonly hubAccount: string;
  /** The hub stack's name: its step roles are named `<hub stack name>-<step>`. */
  readonly hubStackName: string;
  readonly organizationId: string;
  /** What the hub may change in this account; a `distributions` scope also gets an alarm per distribution. */
  readonly scope: RemediationScope;
  /**
   * @default 'cf403-member'
   */
  readonly memberRoleName?: string;
  /**
   * Forward only alarms with this name prefix (the hub's `alarmNamePrefix`).
   * @default - any CloudFront error-rate alarm
   */
  readonly alarmNamePrefix?: string;
}

/**
 * One member account's stack. Account-agnostic (region us-east-1 only), so one template serves every account a
 * StackSet deploys it to: the hub's account and role names are literals, this account is `AWS::AccountId`.
 * It holds no assets and needs no bootstrap.
 */
export class MemberStack extends Stack {
  readonly member: CloudFront403Member;

  constructor(scope: Construct, id: string, props: MemberStackProps) {
    super(scope, id, {
      description: 'cf403 member: lets the hub account repair CloudFront 403s in this account',
      ...props,
      env: props.env ?? { region: 'us-east-1' },
      // No assets and no bootstrap: a StackSet deploys the plain template to accounts never `cdk bootstrap`ped
      // (the default synthesizer would add a BootstrapVersion parameter read from each account's SSM).
      synthesizer: props.synthesizer ?? new BootstraplessSynthesizer(),
    });
    const hubStepRoles = hubStepRoleArns(props.hubAccount, props.hubStackName, Aws.PARTITION).map((arn, i) =>
      Role.fromRoleArn(this, `HubStepRole${i}`, arn, { mutable: false }),
    );
    const distributions =
      props.scope.kind === 'distributions'
        ? props.scope.distributionIds.map((distributionId) =>
            Distribution.fromDistributionAttributes(this, `Distribution${distributionId}`, {
              distributionId,
              domainName: '',
            }),
          )
        : [];
    this.member = new CloudFront403Member(this, 'Member', {
      hubEventBus: EventBus.fromEventBusArn(this, 'HubEventBus', hubEventBusArn(props.hubAccount)),
      hubStepRoles,
      organizationId: props.organizationId,
      hubAccount: props.hubAccount,
      scope: props.scope,
      distributions,
      memberRoleName: props.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME,
      ...(props.alarmNamePrefix !== undefined ? { alarmNamePrefix: props.alarmNamePrefix } : {}),
    });
  }
}

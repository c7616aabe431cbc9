// A member (spoke) account of a hub (issue 15): the role the hub's steps assume there, holding that account's
// part of the steps' grants narrowed to the member's own scope; the scope itself as an SSM parameter the steps
// read; a rule forwarding the account's CloudFront error-rate alarms to the hub's bus; optional alarms.
import { Annotations, Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import { type IEventBus, type IRule, Rule } from 'aws-cdk-lib/aws-events';
import { EventBus as EventBusTarget } from 'aws-cdk-lib/aws-events-targets';
import {
  ArnPrincipal,
  CompositePrincipal,
  Effect,
  type IRole,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { type IStringParameter, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import {
  ACCOUNT_ID,
  DEFAULT_MEMBER_ROLE_NAME,
  MEMBER_SCOPE_PARAMETER,
} from '../../functions/domain/accounts.ts';
import { acknowledge } from '../nag.ts';
import { alarmEventPattern, createAlarm } from './alarm-rule.ts';
import { memberGrants } from './members.ts';
import { RemediationConfigError, type RemediationScope } from './props.ts';
import { scopedStatements } from './scoped-statements.ts';
import { defaultScope, validateMemberRoleName, validateOrganizationId, validateScope } from './validation.ts';

export { MEMBER_SCOPE_PARAMETER };

/** A standard-tier SSM parameter value holds at most 4 KB (Systems Manager User Guide, "Managing parameter tiers"). */
const STANDARD_PARAMETER_MAX = 4096;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]+$/;

export interface CloudFront403MemberProps {
  /** The hub account's default event bus, which receives this account's alarm events. */
  readonly hubEventBus: IEventBus;
  /**
   * The hub's step roles that act in member accounts (`CloudFront403Remediation.hubStepRoles`, or imported by
   * the ARNs `hubStepRoleArns()` gives). The member role trusts exactly these.
   */
  readonly hubStepRoles: readonly IRole[];
  /** The organization the hub and this account belong to (`o-...`). */
  readonly organizationId: string;
  /** The hub's account id: the trust policy's `aws:PrincipalAccount`. */
  readonly hubAccount: string;
  /**
   * What the hub's workflow may change in this account; the member role gets write access to nothing else.
   * @default - `distributions` with the ids of `distributions` when they are all known at synthesis, else
   *   `none` (diagnose and notify only), as the hub's own scope
   */
  readonly scope?: RemediationScope;
  /**
   * This account's distributions to watch: each gets a `4xxErrorRate` alarm (5 %, 3 of 5 one-minute periods).
   * @default - no alarms are created; bring your own
   */
  readonly distributions?: readonly IDistribution[];
  /**
   * Name of the role the hub's steps assume; the hub's `members.memberRoleName` must be the same.
   * @default 'cf403-member' (DEFAULT_MEMBER_ROLE_NAME)
   */
  readonly memberRoleName?: string;
  /**
   * Only alarms whose name starts with this prefix are forwarded; also prefixes the alarms created here.
   * @default - any CloudFront `4xxErrorRate`, `403ErrorRate` or `TotalErrorRate` alarm is forwarded
   */
  readonly alarmNamePrefix?: string;
  /**
   * Value of the scope tag (`cf403:remediation`) that puts an origin bucket, KMS key or Lambda function in a
   * `distributions` scope listing none of them.
   * @default - the name of the stack this construct is in
   */
  readonly scopeTagValue?: string;
}

/** The member side of a hub: see the file comment. Deploy it in us-east-1 of every member account. */
export class CloudFront403Member extends Construct {
  /** The role the hub's steps assume in this account. */
  readonly role: IRole;
  /** Forwards this account's CloudFront error-rate alarms (entering ALARM) to the hub's bus. */
  readonly rule: IRule;
  /** Alarm events the rule could not deliver to the hub's bus. */
  readonly deadLetterQueue: IQueue;
  /** The scope as JSON at MEMBER_SCOPE_PARAMETER, read by the hub's steps through the member role. */
  readonly scopeParameter: IStringParameter;
  /** What the hub may change in this account. */
  readonly scope: RemediationScope;
  /** Alarms created for `distributions`. */
  readonly alarms: readonly IAlarm[];

  constructor(scope: Construct, id: string, props: CloudFront403MemberProps) {
    super(scope, id);
    // One trust statement naming every hub role, and merged grants: the role's policies stay small. Context
    // must be set before any child exists.
    this.node.setContext('@aws-cdk/aws-iam:minimizePolicies', true);
    const stack = Stack.of(this);
    const roleName = props.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
    const prefix = props.alarmNamePrefix;
    this.scope = props.scope ?? defaultScope(props.distributions);
    validateMember(props, roleName, stack.region);
    validateScope(this.scope);
    const scopeJson = stack.toJsonString(this.scope);
    if (!Token.isUnresolved(scopeJson) && scopeJson.length > STANDARD_PARAMETER_MAX)
      throw new RemediationConfigError(
        `scope: ${scopeJson.length} characters of JSON, over the ${STANDARD_PARAMETER_MAX} of an SSM parameter; tag the origins instead of listing them`,
      );
    warnAboutScope(this, this.scope);

    // Trusts only the hub's step roles, and only while they are principals of the hub account in the
    // organization. No aws:SourceAccount: it is absent when a role assumes a role (IAM User Guide, "AWS global
    // condition context keys", aws:SourceAccount).
    const role = new Role(this, 'Role', {
      roleName,
      description: 'cf403 member role: assumed by the hub account steps of the CloudFront 403 remediation',
      assumedBy: new CompositePrincipal(
        ...props.hubStepRoles.map((hubRole) => new ArnPrincipal(hubRole.roleArn)),
      ).withConditions({
        StringEquals: {
          'aws:PrincipalOrgID': props.organizationId,
          'aws:PrincipalAccount': props.hubAccount,
        },
      }),
      maxSessionDuration: Duration.hours(1),
    });
    this.role = role;
    grantMemberRole(this, role, this.scope, props.scopeTagValue ?? stack.stackName);

    this.scopeParameter = new StringParameter(this, 'ScopeParameter', {
      parameterName: MEMBER_SCOPE_PARAMETER,
      description: 'cf403: what the hub account workflow may change in this account (JSON RemediationScope)',
      stringValue: scopeJson,
    });
    // The steps read this account's scope through the role (the plan and apply narrow their changes to it).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: Effect.ALLOW,
        actions: ['ssm:GetParameter'],
        resources: [this.scopeParameter.parameterArn],
      }),
    );

    this.deadLetterQueue = new Queue(this, 'ForwardDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the EventBridge rule target; it needs no DLQ of its own.',
    );
    // A cross-account bus target with a role (EventBridge User Guide, "Sending and receiving events between AWS
    // accounts"); the hub's bus policy admits the organization's listed member accounts.
    this.rule = new Rule(this, 'ForwardRule', {
      description:
        'Forwards CloudFront 4xxErrorRate, 403ErrorRate and TotalErrorRate alarms entering ALARM to the cf403 hub account',
      eventPattern: alarmEventPattern(prefix),
      targets: [new EventBusTarget(props.hubEventBus, { deadLetterQueue: this.deadLetterQueue })],
    });

    this.alarms = (props.distributions ?? []).map((distribution, index) =>
      createAlarm(this, distribution, index, prefix),
    );
  }
}

/** The union of the member steps' grants (members.ts), narrowed to this account's scope (scoped-statements.ts). */
function grantMemberRole(
  scope: Construct,
  role: Role,
  remediationScope: RemediationScope,
  tagValue: string,
): void {
  const findings = new Map<string, string[]>();
  for (const grant of memberGrants()) {
    for (const statement of scopedStatements(grant, remediationScope, tagValue)) {
      role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...statement.actions],
          resources: statement.resources.map((r) => r.arn),
          ...(statement.conditions ? { conditions: statement.conditions } : {}),
        }),
      );
      for (const r of statement.resources) {
        if (!r.wildcard) continue;
        const whys = findings.get(r.wildcard.finding) ?? [];
        findings.set(r.wildcard.finding, [...whys, `${statement.actions.join(', ')}: ${r.wildcard.why}`]);
      }
    }
  }
  for (const [finding, whys] of findings)
    acknowledge(scope, 'AwsSolutions-IAM5', whys.join(' | '), [finding]);
}

function validateMember(props: CloudFront403MemberProps, roleName: string, region: string): void {
  // CloudFront's metrics and alarms, and so their events, exist only in us-east-1 (CloudFront Developer Guide,
  // "Monitoring CloudFront metrics with Amazon CloudWatch"); the hub's steps read the scope parameter there.
  if (!Token.isUnresolved(region) && region !== 'us-east-1')
    throw new RemediationConfigError(
      `the member stack must be in us-east-1, where CloudFront's alarms and the scope parameter are; got ${region}`,
    );
  validateOrganizationId('organizationId', props.organizationId);
  if (!Token.isUnresolved(props.hubAccount) && !ACCOUNT_ID.test(props.hubAccount))
    throw new RemediationConfigError(`hubAccount: "${props.hubAccount}" is not a 12-digit account id`);
  validateMemberRoleName('memberRoleName', roleName);
  if (props.hubStepRoles.length === 0)
    throw new RemediationConfigError("hubStepRoles: list the hub's step roles the member role trusts");
  for (const hubRole of props.hubStepRoles) {
    const arn = hubRole.roleArn;
    if (Token.isUnresolved(arn)) continue;
    const account = ROLE_ARN.exec(arn)?.[1];
    if (account === undefined)
      throw new RemediationConfigError(`hubStepRoles: "${arn}" is not an IAM role ARN`);
    if (!Token.isUnresolved(props.hubAccount) && account !== props.hubAccount)
      throw new RemediationConfigError(
        `hubStepRoles: ${arn} is not a role of the hub account ${props.hubAccount}`,
      );
  }
  if (new Set(props.hubStepRoles.map((r) => r.roleArn)).size !== props.hubStepRoles.length)
    throw new RemediationConfigError('hubStepRoles: duplicate role');
  if (props.alarmNamePrefix !== undefined && props.alarmNamePrefix.length === 0)
    throw new RemediationConfigError(
      'alarmNamePrefix must not be empty; leave it unset to forward any alarm',
    );
}

/** Synthesis says what the hub may change here when that is not a list of distributions. */
function warnAboutScope(scope: Construct, remediationScope: RemediationScope): void {
  if (remediationScope.kind === 'account') {
    Annotations.of(scope).addWarningV2(
      'cf403:member-scope-account',
      'member scope account: the hub may change any CloudFront distribution, S3 bucket policy and KMS key policy of this account. List the distributions to limit it.',
    );
  } else if (remediationScope.kind === 'none') {
    Annotations.of(scope).addWarningV2(
      'cf403:member-scope-none',
      'member scope none: the hub diagnoses and notifies for this account but may change nothing in it.',
    );
  }
}

/** The ARN of the default event bus of the hub account in us-east-1. */
export function hubEventBusArn(hubAccount: string, partition: string = Aws.PARTITION): string {
  return `arn:${partition}:events:us-east-1:${hubAccount}:event-bus/default`;
}

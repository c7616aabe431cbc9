// The deployable remediation: alarm → EventBridge → Step Functions workflow of per-step Lambda functions,
// with an artifact bucket for evidence/plans/snapshots, an SNS topic for approvals and outcomes, a DynamoDB
// table for the per-distribution lock, approval tokens and the audit trail, and a Systems Manager Automation
// document whose aws:approve step lets people approve or deny in the AWS console.
//
// The parts live in lib/constructs/ (storage, approval, step-functions, grants, alarm-rule, dashboard; props,
// validation and the step grants beside them). They add their resources to this construct itself, not to child
// constructs, so every logical id and construct path is that of one flat construct.
import { Annotations, Aws, Duration, Stack, Token } from 'aws-cdk-lib';
import type { Dashboard, IAlarm } from 'aws-cdk-lib/aws-cloudwatch';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { CfnEventBusPolicy, type IRule } from 'aws-cdk-lib/aws-events';
import { Effect, type IManagedPolicy, type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { type CfnDocument, type IStringParameter, StringParameter } from 'aws-cdk-lib/aws-ssm';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { DEFAULT_MEMBER_ROLE_NAME, memberRoleArn } from '../functions/domain/accounts.ts';
import { createAlarm, createAlarmRule, createSweepRule } from './constructs/alarm-rule.ts';
import {
  createApprovalDocument,
  createApprovalRelay,
  createApproverPolicy,
  createApproverRole,
} from './constructs/approval.ts';
import { createDashboard } from './constructs/dashboard.ts';
import { grantStep } from './constructs/grants.ts';
import { hubStepRoleName, MEMBER_STEPS } from './constructs/members.ts';
import {
  type CloudFront403RemediationProps,
  DEFAULT_MAX_CHANGES_PER_HOUR,
  DEFAULT_OPT_OUT_TAG_KEY,
  type MemberAccountsProps,
  POST_APPROVAL_ALLOWANCE,
  type RemediationScope,
} from './constructs/props.ts';
import { STEP_ACCESS } from './constructs/step-access.ts';
import { createStateMachine, createStepLambdas, mapSteps } from './constructs/step-functions.ts';
import { createArtifactBucket, createTable, createTopic } from './constructs/storage.ts';
import {
  defaultScope,
  validateApprovers,
  validateControls,
  validateMembers,
  validateProps,
  validateScope,
} from './constructs/validation.ts';
import { STEPS, type StepName } from './workflow/steps.ts';

export {
  CloudFront403Member,
  type CloudFront403MemberProps,
  MEMBER_SCOPE_PARAMETER,
} from './constructs/member.ts';
export { hubStepRoleArns, hubStepRoleName, MEMBER_STEPS } from './constructs/members.ts';
// The public surface, unchanged by the split (tests, the stack, the bench and the CLI import it from here).
export {
  APPROVAL_RISKS,
  type ApprovalRisk,
  type CloudFront403RemediationProps,
  DEFAULT_MAX_CHANGES_PER_HOUR,
  DEFAULT_OPT_OUT_TAG_KEY,
  MAX_CHANGES_PER_HOUR_LIMIT,
  type MemberAccountsProps,
  POST_APPROVAL_ALLOWANCE,
  RemediationConfigError,
  type RemediationScope,
  SCOPE_TAG_KEY,
  SWEEP_INTERVAL,
} from './constructs/props.ts';
export { GRANT_REASONS } from './constructs/step-access.ts';

/**
 * Repairs CloudFront 403 outages: a CloudFront `4xxErrorRate` alarm going to ALARM starts a Step Functions
 * workflow that collects evidence, classifies the cause, plans a fix, optionally waits for approval,
 * applies it, waits for deployment, invalidates, verifies, and rolls back if the fix did not cure the 403s.
 */
export class CloudFront403Remediation extends Construct {
  readonly stateMachine: IStateMachine;
  readonly topic: ITopic;
  readonly artifactBucket: IBucket;
  readonly rule: IRule;
  /** One function per step: the state machine's Task steps plus the approval relay. */
  readonly functions: Readonly<Record<StepName, IFunction>>;
  /** Alarms created for `distributions`. */
  readonly alarms: readonly IAlarm[];
  /** Receives events the rule could not deliver to the state machine. */
  readonly deadLetterQueue: IQueue;
  /** Per-distribution lock (with expiry), approval task tokens, and the audit record of every execution. */
  readonly table: ITable;
  /** The Systems Manager Automation document whose `aws:approve` step asks the approvers. */
  readonly approvalDocument: CfnDocument;
  readonly approvalDocumentName: string;
  /** Who may approve: `approverArns`, or the created approver role's ARN. */
  readonly approverArns: readonly string[];
  /** The approver role created when no `approverArns` are given. */
  readonly approverRole?: IRole;
  /** Lets a principal view and answer (Approve/Deny) the approval automations; attach it to your approvers. */
  readonly approverPolicy: IManagedPolicy;
  /** Runs the relay when an approval automation ends. */
  readonly approvalRule: IRule;
  /** Approval-end events the relay could not take, or failed on after its retries. */
  readonly approvalDeadLetterQueue: IQueue;
  /** The document version this stack deployed; every approval runs it and the relay checks it. */
  readonly approvalDocumentVersionName: string;
  /** Runs the sweep every SWEEP_INTERVAL. */
  readonly sweepRule: IRule;
  /** What the workflow may change. */
  readonly scope: RemediationScope;
  /** The pause switch: `true` holds every change back (diagnosis and notifications go on). */
  readonly pauseParameter: IStringParameter;
  /** Outcomes, causes, time to verified, approvals, executions and step errors (lib/constructs/dashboard.ts). */
  readonly dashboard: Dashboard;
  /** The organization this hub serves (`members`), if any. */
  readonly members?: MemberAccountsProps;
  /**
   * With `members`: the roles of the steps that act in member accounts (MEMBER_STEPS), named
   * `<stack name>-<step>`; the member roles trust exactly these. Empty without `members`.
   */
  readonly hubStepRoles: readonly IRole[];
  /** The ARNs of `hubStepRoles` (tokens of this stack; a member stack elsewhere uses `hubStepRoleArns()`). */
  readonly hubStepRoleArns: readonly string[];

  constructor(scope: Construct, id: string, props: CloudFront403RemediationProps = {}) {
    super(scope, id);
    // Server access logs are delivered under a bucket policy (not the legacy log-delivery ACL), which works
    // with BucketOwnerEnforced; context must be set before any child exists.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
    const approvalRisks = props.approvalRisks ?? ['destructive'];
    const retention = props.artifactRetention ?? Duration.days(90);
    const prefix = props.alarmNamePrefix;
    const stackName = Stack.of(this).stackName;
    const documentName = props.approvalDocumentName ?? `${stackName}-Approval`;
    const minApprovals = props.minApprovals ?? 1;
    const maxChangesPerHour = props.maxChangesPerHour ?? DEFAULT_MAX_CHANGES_PER_HOUR;
    const optOutTagKey = props.optOutTagKey ?? DEFAULT_OPT_OUT_TAG_KEY;
    validateProps({ approvalTimeout, approvalRisks, retention, prefix, documentName });
    validateApprovers(props.approverArns, minApprovals);
    validateControls(maxChangesPerHour, optOutTagKey);
    const members = props.members;
    if (members) validateMembers(members, stackName, Stack.of(this).account);
    const memberRoleName = members?.memberRoleName ?? DEFAULT_MEMBER_ROLE_NAME;
    this.scope = props.scope ?? defaultScope(props.distributions);
    validateScope(this.scope);
    this.warnAboutScope(this.scope);

    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      Annotations.of(this).addWarningV2(
        'cf403:region',
        `CloudFront metrics and alarm events exist only in us-east-1; this stack is in ${region}, so the rule will never fire.`,
      );
    }

    // Storage (lib/constructs/storage.ts).
    this.topic = props.topic ?? createTopic(this);
    if (props.notificationEmail) this.topic.addSubscription(new EmailSubscription(props.notificationEmail));
    const artifactBucket = createArtifactBucket(this, retention);
    this.artifactBucket = artifactBucket;
    this.table = createTable(this);

    // The console approval (lib/constructs/approval.ts).
    this.approvalDocumentName = documentName;
    this.approverPolicy = createApproverPolicy(this, documentName, this.table);
    if (props.approverArns && props.approverArns.length > 0) {
      this.approverArns = [...props.approverArns];
    } else {
      this.approverRole = createApproverRole(this, stackName, this.approverPolicy);
      this.approverArns = [this.approverRole.roleArn];
    }
    const approval = createApprovalDocument(this, {
      documentName,
      approvers: this.approverArns,
      minApprovals,
      timeout: approvalTimeout,
    });
    this.approvalDocument = approval.document;
    this.approvalDocumentVersionName = approval.versionName;
    this.pauseParameter = new StringParameter(this, 'PauseParameter', {
      parameterName: `/cf403/${stackName}/paused`,
      description:
        'cf403 pause switch: true holds back every automatic change (diagnosis and notifications go on)',
      stringValue: props.paused ? 'true' : 'false',
    });

    // Functions, state machine and grants (lib/constructs/step-functions.ts, grants.ts).
    const environment = {
      CF403_ARTIFACT_BUCKET: artifactBucket.bucketName,
      CF403_TOPIC_ARN: this.topic.topicArn,
      CF403_APPROVAL_RISKS: approvalRisks.join(','),
      // With no scope the roles can change nothing, so the workflow only diagnoses and notifies.
      CF403_PLAN_ONLY: String((props.planOnly ?? false) || this.scope.kind === 'none'),
      CF403_TABLE_NAME: this.table.tableName,
      CF403_APPROVAL_DOCUMENT: documentName,
      CF403_APPROVERS: this.approverArns.join(','),
      CF403_MIN_APPROVALS: String(minApprovals),
      CF403_APPROVAL_DOCUMENT_VERSION: this.approvalDocumentVersionName,
      CF403_SCOPE: this.scope.kind,
      CF403_DISTRIBUTION_IDS: this.scope.kind === 'distributions' ? this.scope.distributionIds.join(',') : '',
      CF403_PAUSE_PARAMETER: this.pauseParameter.parameterName,
      CF403_MAX_CHANGES_PER_HOUR: String(maxChangesPerHour),
      CF403_APPLY_MANAGED: String(props.applyToManagedResources ?? false),
      CF403_OPT_OUT_TAG: optOutTagKey,
      // The lock outlives the longest execution (approval wait + the run after it), then expires on its own.
      CF403_LOCK_SECONDS: String(approvalTimeout.plus(POST_APPROVAL_ALLOWANCE).toSeconds()),
      // A hub (issue 15); unset, the steps act in this account only (functions/config.ts).
      ...(members
        ? {
            CF403_ACCOUNT: Stack.of(this).account,
            CF403_MEMBER_ROLE_NAME: memberRoleName,
            CF403_MEMBER_ACCOUNTS: members.accounts.join(','),
            CF403_ORGANIZATION_ID: members.organizationId,
          }
        : {}),
    };
    const lambdas = createStepLambdas(
      this,
      environment,
      members ? (step) => hubStepRoleName(stackName, step) : undefined,
    );
    this.functions = mapSteps((step) => lambdas[step].function);

    const stateMachine = createStateMachine(this, this.functions, approvalTimeout, members !== undefined);
    this.stateMachine = stateMachine;
    for (const step of STEPS) {
      grantStep(lambdas[step], STEP_ACCESS[step], {
        bucket: artifactBucket,
        documentName,
        stateMachine,
        scope: this.scope,
        scopeTagValue: stackName,
        pauseParameter: this.pauseParameter,
        table: this.table,
        topic: this.topic,
      });
    }

    // A hub: the member-acting steps may assume exactly the listed accounts' member roles, and the members'
    // alarm events may reach this account's default bus.
    if (members) {
      this.members = members;
      const memberRoles = members.accounts.map((account) =>
        memberRoleArn(account, memberRoleName, Aws.PARTITION),
      );
      for (const step of MEMBER_STEPS) {
        lambdas[step].role.addToPrincipalPolicy(
          new PolicyStatement({ effect: Effect.ALLOW, actions: ['sts:AssumeRole'], resources: memberRoles }),
        );
      }
      this.hubStepRoles = MEMBER_STEPS.map((step) => lambdas[step].role);
      this.hubStepRoleArns = this.hubStepRoles.map((role) => role.roleArn);
      createMemberEventsPolicy(this, stackName, members);
    } else {
      this.hubStepRoles = [];
      this.hubStepRoleArns = [];
    }

    // What starts the work (lib/constructs/alarm-rule.ts), and the approval relay.
    const alarmRule = createAlarmRule(this, stateMachine, prefix);
    this.rule = alarmRule.rule;
    this.deadLetterQueue = alarmRule.deadLetterQueue;
    const relay = createApprovalRelay(this, lambdas.relay.function, documentName);
    this.approvalRule = relay.rule;
    this.approvalDeadLetterQueue = relay.deadLetterQueue;
    this.sweepRule = createSweepRule(this, lambdas.sweep.function);

    this.alarms = (props.distributions ?? []).map((distribution, index) =>
      createAlarm(this, distribution, index, prefix),
    );

    // What operators watch (lib/constructs/dashboard.ts); the metrics come from the functions' logs (EMF).
    this.dashboard = createDashboard(this, stateMachine, this.functions);
  }

  /** Synthesis says what the roles may change when that is not a list of distributions. */
  private warnAboutScope(scope: RemediationScope): void {
    if (scope.kind === 'account') {
      Annotations.of(this).addWarningV2(
        'cf403:scope-account',
        'cf403:scope=account: the workflow may change any CloudFront distribution, S3 bucket policy and KMS key policy of this account. List the distributions with cf403:distributionIds to limit it.',
      );
    } else if (scope.kind === 'none') {
      Annotations.of(this).addWarningV2(
        'cf403:scope-none',
        'No scope: the workflow diagnoses and notifies but may change nothing. Set cf403:distributionIds (or opt in to the whole account with cf403:scope=account) to let it repair.',
      );
    }
  }
}

/**
 * Lets the members forward their alarm events to this account's default bus: `events:PutEvents` by principals
 * of the organization's listed member accounts only (EventBridge User Guide, "Sending and receiving events
 * between AWS accounts": the receiving bus's resource-based policy, here with aws:PrincipalOrgID).
 */
function createMemberEventsPolicy(scope: Construct, stackName: string, members: MemberAccountsProps): void {
  // StatementId: 1–64 of [a-zA-Z0-9-_] (EventBridge API reference, PutPermission), unique on the bus.
  const statementId = `cf403-members-${stackName}`.slice(0, 64);
  new CfnEventBusPolicy(scope, 'MemberEventsPolicy', {
    eventBusName: 'default',
    statementId,
    statement: {
      Sid: statementId,
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:event-bus/default`,
      Condition: {
        StringEquals: {
          'aws:PrincipalOrgID': members.organizationId,
          'aws:PrincipalAccount': [...members.accounts],
        },
      },
    },
  });
}

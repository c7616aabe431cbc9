// The deployable remediation: alarm → EventBridge → Step Functions workflow of per-step Lambda functions,
// with an artifact bucket for evidence/plans/snapshots, an SNS topic for approvals and outcomes, a DynamoDB
// table for the per-distribution lock, approval tokens and the audit trail, and a Systems Manager Automation
// document whose aws:approve step lets people approve or deny in the AWS console.
import { Annotations, Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { AttributeType, BillingMode, type ITable, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { type IRule, Match, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import {
  AccountRootPrincipal,
  Effect,
  type IManagedPolicy,
  type IRole,
  ManagedPolicy,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { type ITopic, Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import { type IStateMachine, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  APPROVER_ARN,
  AUTOMATION_STATUS_DETAIL_TYPE,
  approvalDocumentContent,
  DOCUMENT_NAME,
  FINAL_AUTOMATION_STATUSES,
  MAX_APPROVAL_TIMEOUT_SECONDS,
  MAX_APPROVERS,
} from './approval.ts';
import { acknowledge, nagAttRef, XRAY_WILDCARD_REASON } from './nag.ts';
import { buildWorkflowDefinition } from './workflow/definition.ts';
import { StepLambda } from './workflow/step-function.ts';
import { STEPS, type StepName, TASK_STATES } from './workflow/steps.ts';

export const APPROVAL_RISKS = ['safe', 'destructive'] as const;
export type ApprovalRisk = (typeof APPROVAL_RISKS)[number];

/** Room after the approval for apply, deployment (often 5–20 min), invalidation, verification and a rollback. */
export const POST_APPROVAL_ALLOWANCE = Duration.hours(2);

export class RemediationConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RemediationConfigError';
  }
}

export interface CloudFront403RemediationProps {
  /**
   * Topic for approval requests and outcomes.
   * @default - a new topic encrypted with a new customer-managed KMS key, publishing over TLS only
   */
  readonly topic?: ITopic;
  /**
   * Email address subscribed to the topic.
   * @default - no subscription
   */
  readonly notificationEmail?: string;
  /**
   * Only alarms whose name starts with this prefix start the workflow; also prefixes the alarms created here.
   * @default - any CloudFront `4xxErrorRate` alarm starts the workflow
   */
  readonly alarmNamePrefix?: string;
  /**
   * How long a fix that needs approval waits for an answer; expiry counts as a rejection. Also the
   * `aws:approve` step's `timeoutSeconds`, so at most 30 days.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
  /**
   * IAM users, roles or assumed-role sessions (ARNs, at most 10) who approve or deny in Systems Manager
   * Automation. IAM groups are not accepted by `aws:approve`.
   * @default - a role named `<stack name>-Approver`, assumable by principals of this account that are allowed
   *   to assume it, is created and is the only approver
   */
  readonly approverArns?: readonly string[];
  /**
   * Approvals needed before a fix is applied (one denial rejects it); at most the number of approvers.
   * @default 1
   */
  readonly minApprovals?: number;
  /**
   * Name of the Systems Manager Automation document with the `aws:approve` step.
   * @default `<stack name>-Approval`
   */
  readonly approvalDocumentName?: string;
  /**
   * Risk levels of a planned change that need a person's approval before it is applied.
   * @default ['destructive']
   */
  readonly approvalRisks?: readonly ApprovalRisk[];
  /**
   * Diagnose and plan, but never change anything.
   * @default false
   */
  readonly planOnly?: boolean;
  /**
   * Distributions to watch: each gets a `4xxErrorRate` alarm (5 %, 3 of 5 one-minute periods).
   * @default - no alarms are created; bring your own
   */
  readonly distributions?: readonly IDistribution[];
  /**
   * How long evidence, plans and snapshots are kept in the artifact bucket (and access logs in the log bucket).
   * @default Duration.days(90)
   */
  readonly artifactRetention?: Duration;
}

/** A resource ARN for a policy, and for wildcard ARNs the cdk-nag finding it produces and why it is needed. */
interface PolicyResource {
  readonly arn: string;
  readonly wildcard?: { readonly finding: string; readonly why: string };
}

interface StepGrant {
  readonly actions: readonly string[];
  readonly resources: readonly PolicyResource[];
  /** Restrict S3 access to buckets owned by this account. */
  readonly sameAccountBuckets?: boolean;
}

// ARNs built from pseudo parameters so cdk-nag prints them the same way whatever the stack's env.
const NAG_PARTITION = '<AWS::Partition>';
const NAG_ACCOUNT = '<AWS::AccountId>';

function cloudFront(resourceType: string, what: string): PolicyResource {
  const tail = `${resourceType}/*`;
  return {
    arn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:${tail}`,
    wildcard: {
      finding: `Resource::arn:${NAG_PARTITION}:cloudfront::${NAG_ACCOUNT}:${tail}`,
      why: `${what} is known only when the alarm fires, so access is scoped to this account's ${resourceType}/*`,
    },
  };
}

const DISTRIBUTIONS = cloudFront('distribution', 'the failing distribution');
const ORIGIN_ACCESS_CONTROLS = cloudFront('origin-access-control', 'the origin access control in use');
const ORIGIN_ACCESS_IDENTITIES = cloudFront(
  'origin-access-identity',
  'the legacy origin access identity in use',
);
const CLOUDFRONT_FUNCTIONS = cloudFront('function', 'the CloudFront Function on the failing behavior');
const ORIGIN_REQUEST_POLICIES = cloudFront('origin-request-policy', 'the origin request policy in use');
const ORIGIN_BUCKETS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:s3:::*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:s3:::*`,
    why: 'the S3 origin bucket is known only when the alarm fires; limited to buckets of this account by s3:ResourceAccount',
  },
};
const ORIGIN_OBJECTS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:s3:::*/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:s3:::*/*`,
    why: 'HeadObject on the failing path of an origin bucket known only at run time; limited to this account by s3:ResourceAccount',
  },
};
const ORIGIN_KEYS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:kms:*:${Aws.ACCOUNT_ID}:key/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:kms:*:${NAG_ACCOUNT}:key/*`,
    why: "the SSE-KMS key of the origin bucket is known only at run time; limited to this account's keys",
  },
};
const WEB_ACLS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:wafv2:*:${Aws.ACCOUNT_ID}:global/webacl/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:wafv2:*:${NAG_ACCOUNT}:global/webacl/*`,
    why: "the distribution's web ACL is known only at run time; limited to CloudFront-scope (global) web ACLs",
  },
};
const IP_SETS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:wafv2:*:${Aws.ACCOUNT_ID}:global/ipset/*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:wafv2:*:${NAG_ACCOUNT}:global/ipset/*`,
    why: 'IP sets referenced by the web ACL are known only at run time; limited to CloudFront-scope (global) IP sets',
  },
};
/** For actions that support no resource-level permissions at all. */
const ANY_RESOURCE: PolicyResource = {
  arn: '*',
  wildcard: { finding: 'Resource::*', why: 'these actions support no resource-level permissions' },
};

// Read-only CloudFront/S3/KMS/WAF access of the collector.
const COLLECT_GRANTS: readonly StepGrant[] = [
  {
    actions: ['cloudfront:GetDistribution', 'cloudfront:GetDistributionConfig'],
    resources: [DISTRIBUTIONS],
  },
  { actions: ['cloudfront:GetOriginAccessControl'], resources: [ORIGIN_ACCESS_CONTROLS] },
  { actions: ['cloudfront:GetCloudFrontOriginAccessIdentity'], resources: [ORIGIN_ACCESS_IDENTITIES] },
  { actions: ['cloudfront:DescribeFunction', 'cloudfront:TestFunction'], resources: [CLOUDFRONT_FUNCTIONS] },
  { actions: ['cloudfront:GetOriginRequestPolicy'], resources: [ORIGIN_REQUEST_POLICIES] },
  noResourceLevel([
    'cloudfront:ListOriginAccessControls',
    'cloudfront:GetKeyGroup',
    'cloudfront:GetPublicKey',
  ]),
  {
    actions: [
      's3:GetBucketPolicy',
      's3:GetBucketPublicAccessBlock',
      's3:GetBucketOwnershipControls',
      's3:GetBucketRequestPayment',
      's3:GetEncryptionConfiguration',
      's3:GetBucketWebsite',
      's3:GetBucketAcl',
      's3:GetBucketLocation',
      's3:ListBucket',
    ],
    resources: [ORIGIN_BUCKETS],
    sameAccountBuckets: true,
  },
  { actions: ['s3:GetObject', 's3:GetObjectAcl'], resources: [ORIGIN_OBJECTS], sameAccountBuckets: true },
  noResourceLevel(['s3:GetAccountPublicAccessBlock']),
  { actions: ['kms:GetKeyPolicy', 'kms:DescribeKey'], resources: [ORIGIN_KEYS] },
  { actions: ['wafv2:GetWebACL', 'wafv2:GetSampledRequests'], resources: [WEB_ACLS] },
  { actions: ['wafv2:GetIPSet'], resources: [IP_SETS] },
];

const PLAN_GRANTS: readonly StepGrant[] = [
  { actions: ['cloudfront:GetDistributionConfig'], resources: [DISTRIBUTIONS] },
  noResourceLevel(['cloudfront:ListOriginAccessControls']),
];

const APPLY_GRANTS: readonly StepGrant[] = [
  {
    actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
    resources: [DISTRIBUTIONS],
  },
  { actions: ['cloudfront:GetOriginAccessControl'], resources: [ORIGIN_ACCESS_CONTROLS] },
  noResourceLevel(['cloudfront:CreateOriginAccessControl', 'cloudfront:ListOriginAccessControls']),
  {
    actions: [
      's3:GetBucketPolicy',
      's3:PutBucketPolicy',
      's3:GetBucketOwnershipControls',
      's3:PutBucketOwnershipControls',
    ],
    resources: [ORIGIN_BUCKETS],
    sameAccountBuckets: true,
  },
  { actions: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], resources: [ORIGIN_KEYS] },
];

// Rollback restores snapshots, so it may also remove what apply created.
const ROLLBACK_GRANTS: readonly StepGrant[] = [
  ...APPLY_GRANTS,
  { actions: ['cloudfront:DeleteOriginAccessControl'], resources: [ORIGIN_ACCESS_CONTROLS] },
  { actions: ['s3:DeleteBucketPolicy'], resources: [ORIGIN_BUCKETS], sameAccountBuckets: true },
];

function noResourceLevel(actions: readonly string[]): StepGrant {
  return { actions, resources: [ANY_RESOURCE] };
}

type ArtifactAccess = 'none' | 'read' | 'readWrite';
type TableAction = 'dynamodb:GetItem' | 'dynamodb:PutItem' | 'dynamodb:DeleteItem';

interface StepAccess {
  readonly grants: readonly StepGrant[];
  readonly artifacts: ArtifactAccess;
  /** Publishes to the notification topic. */
  readonly publish: boolean;
  /** Item actions on the lock/approval/audit table. */
  readonly table: readonly TableAction[];
  /** Starts the approval automation. */
  readonly startsApproval?: boolean;
  /** Reads the approval automation's decisions and answers the waiting task token. */
  readonly answersApproval?: boolean;
}

/** What each step may do beyond writing its logs and traces. */
const STEP_ACCESS: Readonly<Record<StepName, StepAccess>> = {
  collect: { grants: COLLECT_GRANTS, artifacts: 'readWrite', publish: false, table: [] },
  // Takes the per-distribution lock (conditional PutItem) and reads its holder.
  lock: { grants: [], artifacts: 'none', publish: false, table: ['dynamodb:PutItem', 'dynamodb:GetItem'] },
  // Publishes "diagnosis done".
  classify: { grants: [], artifacts: 'readWrite', publish: true, table: [] },
  plan: { grants: PLAN_GRANTS, artifacts: 'readWrite', publish: false, table: [] },
  // Starts the console approval and keeps the task token in the table, never in a message.
  requestApproval: {
    grants: [],
    artifacts: 'readWrite',
    publish: true,
    table: ['dynamodb:PutItem'],
    startsApproval: true,
  },
  // Publishes "change applied".
  apply: { grants: APPLY_GRANTS, artifacts: 'readWrite', publish: true, table: [] },
  checkDeployment: {
    grants: [{ actions: ['cloudfront:GetDistribution'], resources: [DISTRIBUTIONS] }],
    artifacts: 'none',
    publish: false,
    table: [],
  },
  invalidate: {
    grants: [{ actions: ['cloudfront:CreateInvalidation'], resources: [DISTRIBUTIONS] }],
    artifacts: 'none',
    publish: false,
    table: [],
  },
  checkInvalidation: {
    grants: [{ actions: ['cloudfront:GetInvalidation'], resources: [DISTRIBUTIONS] }],
    artifacts: 'none',
    publish: false,
    table: [],
  },
  // Probes are plain HTTPS requests to the distribution; no AWS API is needed.
  verify: { grants: [], artifacts: 'read', publish: false, table: [] },
  rollback: { grants: ROLLBACK_GRANTS, artifacts: 'readWrite', publish: false, table: [] },
  // Releases the lock (conditional DeleteItem) and writes the audit record.
  notify: {
    grants: [],
    artifacts: 'read',
    publish: true,
    table: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
  },
  // Reads the approval record and deletes it (conditionally) so a token is answered once.
  relay: {
    grants: [],
    artifacts: 'none',
    publish: false,
    table: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
    answersApproval: true,
  },
};

/** Steps the state machine invokes (the relay runs on an EventBridge rule instead). */
const TASK_STEPS: readonly StepName[] = [...new Set<StepName>(Object.values(TASK_STATES))];

// Systems Manager ARNs, and how cdk-nag prints them.
const NAG_REGION = '<AWS::Region>';
function ssmArn(resource: string): string {
  return `arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
}
function ssmNagArn(resource: string): string {
  return `Resource::arn:${NAG_PARTITION}:ssm:${NAG_REGION}:${NAG_ACCOUNT}:${resource}`;
}
const AUTOMATION_EXECUTIONS = 'automation-execution/*';

function mapSteps<T>(make: (step: StepName) => T): Record<StepName, T> {
  // Object.fromEntries loses the key type; STEPS lists every StepName, so the record is complete.
  return Object.fromEntries(STEPS.map((step) => [step, make(step)])) as Record<StepName, T>;
}

function pascal(step: StepName): string {
  return step.charAt(0).toUpperCase() + step.slice(1);
}

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
    validateProps({ approvalTimeout, approvalRisks, retention, prefix, documentName });
    validateApprovers(props.approverArns, minApprovals);

    const region = Stack.of(this).region;
    if (!Token.isUnresolved(region) && region !== 'us-east-1') {
      Annotations.of(this).addWarningV2(
        'cf403:region',
        `CloudFront metrics and alarm events exist only in us-east-1; this stack is in ${region}, so the rule will never fire.`,
      );
    }

    this.topic = props.topic ?? this.createTopic();
    if (props.notificationEmail) this.topic.addSubscription(new EmailSubscription(props.notificationEmail));

    const artifactBucket = this.createArtifactBucket(retention);
    this.artifactBucket = artifactBucket;
    this.table = this.createTable();

    this.approvalDocumentName = documentName;
    this.approverPolicy = this.createApproverPolicy(documentName);
    if (props.approverArns && props.approverArns.length > 0) {
      this.approverArns = [...props.approverArns];
    } else {
      this.approverRole = this.createApproverRole(stackName, this.approverPolicy);
      this.approverArns = [this.approverRole.roleArn];
    }
    this.approvalDocument = new CfnDocument(this, 'ApprovalDocument', {
      name: documentName,
      documentType: 'Automation',
      documentFormat: 'JSON',
      content: approvalDocumentContent({
        approvers: this.approverArns,
        minApprovals,
        timeout: approvalTimeout,
      }),
      // A named document cannot be replaced in place; a content change becomes its new default version.
      updateMethod: 'NewVersion',
    });

    const environment = {
      CF403_ARTIFACT_BUCKET: artifactBucket.bucketName,
      CF403_TOPIC_ARN: this.topic.topicArn,
      CF403_APPROVAL_RISKS: approvalRisks.join(','),
      CF403_PLAN_ONLY: String(props.planOnly ?? false),
      CF403_TABLE_NAME: this.table.tableName,
      CF403_APPROVAL_DOCUMENT: documentName,
      CF403_APPROVERS: this.approverArns.join(','),
      CF403_MIN_APPROVALS: String(minApprovals),
      // The lock outlives the longest execution (approval wait + the run after it), then expires on its own.
      CF403_LOCK_SECONDS: String(approvalTimeout.plus(POST_APPROVAL_ALLOWANCE).toSeconds()),
    };
    const lambdas = mapSteps((step) => new StepLambda(this, pascal(step), { step, environment }));
    this.functions = mapSteps((step) => lambdas[step].function);

    const stateMachine = this.createStateMachine(approvalTimeout);
    this.stateMachine = stateMachine;
    for (const step of STEPS) {
      this.grantStep(lambdas[step], STEP_ACCESS[step], {
        bucket: artifactBucket,
        documentName,
        stateMachine,
      });
    }

    this.deadLetterQueue = new Queue(this, 'RuleDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      this.deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the EventBridge rule target; it needs no DLQ of its own.',
    );

    const metric = { namespace: ['AWS/CloudFront'], name: ['4xxErrorRate'] };
    this.rule = new Rule(this, 'AlarmRule', {
      description: 'Starts the CloudFront 403 remediation when a CloudFront 4xxErrorRate alarm enters ALARM',
      eventPattern: {
        source: ['aws.cloudwatch'],
        detailType: ['CloudWatch Alarm State Change'],
        detail: {
          ...(prefix ? { alarmName: Match.prefix(prefix) } : {}),
          state: { value: ['ALARM'] },
          // EventBridge matches each element of `metrics`, so this is "any metric of the alarm".
          configuration: { metrics: { metricStat: { metric } } },
        },
      },
      targets: [
        new SfnStateMachine(stateMachine, {
          deadLetterQueue: this.deadLetterQueue,
          retryAttempts: 4,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });

    const relay = this.createApprovalRelay(lambdas.relay.function, documentName);
    this.approvalRule = relay.rule;
    this.approvalDeadLetterQueue = relay.deadLetterQueue;

    this.alarms = (props.distributions ?? []).map((distribution, index) =>
      this.createAlarm(distribution, index, prefix),
    );
  }

  private createTable(): Table {
    return new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      // Locks and approval tokens expire on their own; audit records carry no ttl and stay.
      timeToLiveAttribute: 'ttl',
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      // The audit trail outlives the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }

  /** What a person needs to see and answer the approval automations, in the console or with `cf403 approve`. */
  private createApproverPolicy(documentName: string): ManagedPolicy {
    const policy = new ManagedPolicy(this, 'ApproverPolicy', {
      description:
        'cf403: view and approve or deny the CloudFront 403 remediation approvals (Systems Manager Automation)',
      statements: [
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [
            'ssm:SendAutomationSignal',
            'ssm:GetAutomationExecution',
            'ssm:DescribeAutomationStepExecutions',
          ],
          resources: [ssmArn(AUTOMATION_EXECUTIONS)],
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:DescribeAutomationExecutions'],
          resources: ['*'],
        }),
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:DescribeDocument', 'ssm:GetDocument'],
          resources: [ssmArn(`document/${documentName}`)],
        }),
      ],
    });
    acknowledge(
      policy,
      'AwsSolutions-IAM5',
      'ssm:SendAutomationSignal, ssm:GetAutomationExecution, ssm:DescribeAutomationStepExecutions: automation execution ids are ' +
        'generated per approval and their ARNs do not name the document; aws:approve accepts a signal only from the ' +
        "approvers listed on that execution. | ssm:DescribeAutomationExecutions supports no resource-level permissions (the console's list).",
      [ssmNagArn(AUTOMATION_EXECUTIONS), 'Resource::*'],
    );
    return policy;
  }

  private createApproverRole(stackName: string, policy: IManagedPolicy): Role {
    const roleName = `${stackName}-Approver`;
    return new Role(this, 'ApproverRole', {
      // A fixed name so people can switch to it in the console; IAM names are per account, hence the stack name.
      ...(roleName.length <= 64 ? { roleName } : {}),
      assumedBy: new AccountRootPrincipal(),
      description: 'cf403: assume to approve or deny CloudFront 403 fixes in Systems Manager Automation',
      managedPolicies: [policy],
      maxSessionDuration: Duration.hours(1),
    });
  }

  /** The relay runs when an approval automation ends and answers the waiting task token with the decisions. */
  private createApprovalRelay(
    relay: IFunction,
    documentName: string,
  ): { rule: IRule; deadLetterQueue: IQueue } {
    const deadLetterQueue = new Queue(this, 'ApprovalDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    acknowledge(
      deadLetterQueue,
      'AwsSolutions-SQS3',
      'This queue is the dead-letter queue of the approval rule target and of the relay function; it needs no DLQ of its own.',
    );
    // EventBridge invokes asynchronously: a relay that keeps failing must not drop the approval silently.
    relay.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(6),
      onFailure: new SqsDestination(deadLetterQueue),
    });
    const rule = new Rule(this, 'ApprovalRule', {
      description:
        'Relays the end of a cf403 approval automation (approved, denied, timed out) to the waiting workflow',
      eventPattern: {
        source: ['aws.ssm'],
        detailType: [AUTOMATION_STATUS_DETAIL_TYPE],
        detail: { Definition: [documentName], Status: [...FINAL_AUTOMATION_STATUSES] },
      },
      targets: [
        new LambdaFunction(relay, { deadLetterQueue, retryAttempts: 2, maxEventAge: Duration.hours(6) }),
      ],
    });
    return { rule, deadLetterQueue };
  }

  private createTopic(): ITopic {
    const key = new Key(this, 'TopicKey', {
      description: 'Encrypts the cf403 remediation notification topic',
      enableKeyRotation: true,
    });
    return new Topic(this, 'Topic', {
      displayName: 'CloudFront 403 remediation',
      masterKey: key,
      enforceSSL: true,
    });
  }

  private createArtifactBucket(retention: Duration): Bucket {
    const common = {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    };
    const accessLogs = new Bucket(this, 'AccessLogsBucket', {
      ...common,
      lifecycleRules: [{ id: 'expire-access-logs', expiration: retention }],
    });
    return new Bucket(this, 'ArtifactBucket', {
      ...common,
      versioned: true,
      serverAccessLogsBucket: accessLogs,
      serverAccessLogsPrefix: 'artifact-bucket/',
      lifecycleRules: [
        {
          id: 'expire-artifacts',
          expiration: retention,
          noncurrentVersionExpiration: retention,
          abortIncompleteMultipartUploadAfter: Duration.days(1),
        },
      ],
    });
  }

  private grantStep(
    lambda: StepLambda,
    access: StepAccess,
    targets: { bucket: Bucket; documentName: string; stateMachine: IStateMachine },
  ): void {
    const { bucket, documentName, stateMachine } = targets;
    const findings = new Map<string, string[]>();
    const note = (finding: string, why: string) =>
      findings.set(finding, [...(findings.get(finding) ?? []), why]);
    note('Resource::*', XRAY_WILDCARD_REASON);

    for (const grant of access.grants) {
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...grant.actions],
          resources: grant.resources.map((r) => r.arn),
          ...(grant.sameAccountBuckets
            ? { conditions: { StringEquals: { 's3:ResourceAccount': Aws.ACCOUNT_ID } } }
            : {}),
        }),
      );
      for (const r of grant.resources)
        if (r.wildcard) note(r.wildcard.finding, `${grant.actions.join(', ')}: ${r.wildcard.why}`);
    }

    if (access.artifacts !== 'none') {
      const actions = access.artifacts === 'readWrite' ? ['s3:GetObject', 's3:PutObject'] : ['s3:GetObject'];
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({ effect: Effect.ALLOW, actions, resources: [bucket.arnForObjects('*')] }),
      );
      // Without ListBucket a missing key reads as AccessDenied instead of NoSuchKey.
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['s3:ListBucket'],
          resources: [bucket.bucketArn],
        }),
      );
      note(
        `Resource::${nagAttRef(bucket)}/*`,
        `${actions.join(', ')}: artifact keys are per execution (evidence, plan, snapshots) inside this stack's own artifact bucket`,
      );
    }
    if (access.table.length > 0) {
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...access.table],
          resources: [this.table.tableArn],
        }),
      );
    }
    if (access.startsApproval) {
      // StartAutomationExecution authorizes the document, its versions and the new execution. The document has
      // no assumeRole, so the automation runs as this role; its only step (aws:approve) calls no other API.
      const definitions = `automation-definition/${documentName}:*`;
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:StartAutomationExecution'],
          resources: [ssmArn(`document/${documentName}`), ssmArn(definitions), ssmArn(AUTOMATION_EXECUTIONS)],
        }),
      );
      note(
        ssmNagArn(definitions),
        "ssm:StartAutomationExecution: any version ($DEFAULT, $LATEST, n) of this stack's own approval document",
      );
      note(
        ssmNagArn(AUTOMATION_EXECUTIONS),
        'ssm:StartAutomationExecution: the execution it creates has an id known only afterwards; the document resource limits what can be started',
      );
    }
    if (access.answersApproval) {
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:GetAutomationExecution'],
          resources: [ssmArn(AUTOMATION_EXECUTIONS)],
        }),
      );
      note(
        ssmNagArn(AUTOMATION_EXECUTIONS),
        'ssm:GetAutomationExecution: the ended approval automation is known only from the event; its ARN does not name the document',
      );
      // Task-token calls are authorized against the state machine that issued the token.
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['states:SendTaskSuccess', 'states:SendTaskFailure'],
          resources: [stateMachine.stateMachineArn],
        }),
      );
    }
    if (access.publish) {
      // Not topic.grantPublish: it grants kms:GenerateDataKey*, wider than publishing needs.
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['sns:Publish'],
          resources: [this.topic.topicArn],
        }),
      );
      const key = this.topic.masterKey;
      if (key) {
        lambda.role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
            resources: [key.keyArn],
          }),
        );
      }
    }

    for (const [finding, whys] of findings) {
      acknowledge(lambda, 'AwsSolutions-IAM5', whys.join(' | '), [finding]);
    }
    acknowledge(
      lambda,
      'AwsSolutions-L1',
      'Steps target nodejs22.x on purpose: the local simulator and its Step Functions runner run the same handler code on Node.js 22.',
    );
  }

  private createStateMachine(approvalTimeout: Duration): StateMachine {
    const logGroup = new LogGroup(this, 'StateMachineLogs', {
      // Step Functions' vended-logs prefix keeps the CloudWatch Logs resource policy small.
      logGroupName: `/aws/vendedlogs/states/${Stack.of(this).stackName}-${this.node.addr.slice(0, 8)}`,
      retention: RetentionDays.ONE_MONTH,
      // A named log group left behind would block redeploying the stack; the artifact bucket keeps the record.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const stateMachine = new StateMachine(this, 'StateMachine', {
      stateMachineType: StateMachineType.STANDARD,
      comment: 'CloudFront 403 remediation',
      // States get their own scope: their ids (e.g. CheckInvalidation) would clash with the step functions'.
      definitionBody: buildWorkflowDefinition(new Construct(this, 'Workflow'), {
        functions: this.functions,
        approvalTimeout,
      }),
      timeout: approvalTimeout.plus(POST_APPROVAL_ALLOWANCE),
      tracingEnabled: true,
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: true },
    });
    acknowledge(
      stateMachine,
      'AwsSolutions-IAM5',
      `${XRAY_WILDCARD_REASON} | logs:CreateLogDelivery, logs:GetLogDelivery, logs:UpdateLogDelivery, logs:DeleteLogDelivery, logs:ListLogDeliveries, logs:PutResourcePolicy, logs:DescribeResourcePolicies, logs:DescribeLogGroups (vended log delivery) support no resource-level permissions.`,
      ['Resource::*'],
    );
    acknowledge(
      stateMachine,
      'AwsSolutions-IAM5',
      'lambda:InvokeFunction on <function ARN>:* lets the state machine invoke any version or alias of its own step functions only.',
      TASK_STEPS.map((step) => `Resource::${nagAttRef(this.functions[step])}:*`),
    );
    return stateMachine;
  }

  private createAlarm(distribution: IDistribution, index: number, prefix: string | undefined): IAlarm {
    const id = distribution.distributionId;
    return new Alarm(this, Token.isUnresolved(id) ? `Alarm${index}` : `Alarm${id}`, {
      alarmName: `${prefix ?? 'cf403-'}${id}-4xxErrorRate`,
      alarmDescription: `CloudFront 4xx error rate of ${id}; entering ALARM starts the 403 remediation`,
      metric: new Metric({
        namespace: 'AWS/CloudFront',
        metricName: '4xxErrorRate',
        dimensionsMap: { DistributionId: id, Region: 'Global' },
        statistic: Stats.AVERAGE,
        period: Duration.minutes(1),
        region: 'us-east-1',
      }),
      threshold: 5,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      evaluationPeriods: 5,
      datapointsToAlarm: 3,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}

function validateProps(p: {
  approvalTimeout: Duration;
  approvalRisks: readonly string[];
  retention: Duration;
  prefix: string | undefined;
  documentName: string;
}): void {
  const seconds = p.approvalTimeout.toSeconds();
  if (!Token.isUnresolved(seconds) && (seconds < 1 || seconds > MAX_APPROVAL_TIMEOUT_SECONDS)) {
    throw new RemediationConfigError(
      `approvalTimeout must be between 1 second and 30 days (the aws:approve limit), got ${seconds} s`,
    );
  }
  if (!Token.isUnresolved(p.documentName) && !DOCUMENT_NAME.test(p.documentName)) {
    throw new RemediationConfigError(
      `approvalDocumentName "${p.documentName}" is not a valid document name (3–128 of a-z A-Z 0-9 _ . -, not starting with aws, amazon or amzn)`,
    );
  }
  for (const risk of p.approvalRisks) {
    if (!(APPROVAL_RISKS as readonly string[]).includes(risk)) {
      throw new RemediationConfigError(
        `approvalRisks: unknown risk "${risk}" (expected ${APPROVAL_RISKS.join(' or ')})`,
      );
    }
  }
  if (p.retention.toDays() < 1) throw new RemediationConfigError('artifactRetention must be at least 1 day');
  if (p.prefix !== undefined && p.prefix.length === 0) {
    throw new RemediationConfigError('alarmNamePrefix must not be empty; leave it unset to match any alarm');
  }
}

function validateApprovers(approverArns: readonly string[] | undefined, minApprovals: number): void {
  const arns = approverArns ?? [];
  for (const arn of arns) {
    if (!Token.isUnresolved(arn) && !APPROVER_ARN.test(arn)) {
      throw new RemediationConfigError(
        `approverArns: "${arn}" is not an IAM user, role or assumed-role ARN (aws:approve accepts no groups)`,
      );
    }
  }
  if (new Set(arns).size !== arns.length) throw new RemediationConfigError('approverArns: duplicate ARN');
  if (arns.length > MAX_APPROVERS) {
    throw new RemediationConfigError(`approverArns: at most ${MAX_APPROVERS} approvers, got ${arns.length}`);
  }
  // Without approverArns the created approver role is the one approver.
  const approvers = Math.max(arns.length, 1);
  if (!Number.isInteger(minApprovals) || minApprovals < 1 || minApprovals > approvers) {
    throw new RemediationConfigError(
      `minApprovals must be a whole number from 1 to the number of approvers (${approvers}), got ${minApprovals}`,
    );
  }
}

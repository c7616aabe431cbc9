// The deployable remediation: alarm → EventBridge → Step Functions workflow of per-step Lambda functions,
// with an artifact bucket for evidence/plans/snapshots and an SNS topic for approvals and outcomes.
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
import { type IRule, Match, Rule } from 'aws-cdk-lib/aws-events';
import { SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
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
import { type IStateMachine, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { acknowledge, nagAttRef, XRAY_WILDCARD_REASON } from './nag.ts';
import { buildWorkflowDefinition, type WorkflowFunctions } from './workflow/definition.ts';
import { StepLambda } from './workflow/step-function.ts';
import { STEPS, type StepName } from './workflow/steps.ts';

export const APPROVAL_RISKS = ['safe', 'destructive'] as const;
export type ApprovalRisk = (typeof APPROVAL_RISKS)[number];

/** Step Functions caps a STANDARD execution at one year; keep the approval wait plus the run below that. */
const MAX_APPROVAL_TIMEOUT = Duration.days(364);
/** Room after the approval for apply, deployment (often 5–20 min), invalidation, verification and a rollback. */
const POST_APPROVAL_ALLOWANCE = Duration.hours(2);

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
   * How long a fix that needs approval waits for an answer; expiry counts as a rejection.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
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
  /**
   * Pause between deployment status polls.
   * @default Duration.seconds(20)
   */
  readonly deploymentPollInterval?: Duration;
  /**
   * Pause between invalidation status polls.
   * @default Duration.seconds(10)
   */
  readonly invalidationPollInterval?: Duration;
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

/** What each step may do beyond writing its logs and traces. */
const STEP_ACCESS: Readonly<
  Record<StepName, { grants: readonly StepGrant[]; artifacts: ArtifactAccess; publish: boolean }>
> = {
  collect: { grants: COLLECT_GRANTS, artifacts: 'readWrite', publish: false },
  classify: { grants: [], artifacts: 'readWrite', publish: false },
  plan: { grants: PLAN_GRANTS, artifacts: 'readWrite', publish: false },
  // Keeps the task token in the artifact bucket rather than in the message.
  requestApproval: { grants: [], artifacts: 'readWrite', publish: true },
  apply: { grants: APPLY_GRANTS, artifacts: 'readWrite', publish: false },
  checkDeployment: {
    grants: [{ actions: ['cloudfront:GetDistribution'], resources: [DISTRIBUTIONS] }],
    artifacts: 'none',
    publish: false,
  },
  invalidate: {
    grants: [{ actions: ['cloudfront:CreateInvalidation'], resources: [DISTRIBUTIONS] }],
    artifacts: 'none',
    publish: false,
  },
  checkInvalidation: {
    grants: [{ actions: ['cloudfront:GetInvalidation'], resources: [DISTRIBUTIONS] }],
    artifacts: 'none',
    publish: false,
  },
  // Probes are plain HTTPS requests to the distribution; no AWS API is needed.
  verify: { grants: [], artifacts: 'read', publish: false },
  rollback: { grants: ROLLBACK_GRANTS, artifacts: 'readWrite', publish: false },
  notify: { grants: [], artifacts: 'read', publish: true },
};

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
  /** One function per workflow step. */
  readonly functions: WorkflowFunctions;
  /** Alarms created for `distributions`. */
  readonly alarms: readonly IAlarm[];
  /** Receives events the rule could not deliver to the state machine. */
  readonly deadLetterQueue: IQueue;

  constructor(scope: Construct, id: string, props: CloudFront403RemediationProps = {}) {
    super(scope, id);
    // Server access logs are delivered under a bucket policy (not the legacy log-delivery ACL), which works
    // with BucketOwnerEnforced; context must be set before any child exists.
    this.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);

    const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
    const approvalRisks = props.approvalRisks ?? ['destructive'];
    const retention = props.artifactRetention ?? Duration.days(90);
    const prefix = props.alarmNamePrefix;
    validateProps({ approvalTimeout, approvalRisks, retention, prefix });

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

    const environment = {
      CF403_ARTIFACT_BUCKET: artifactBucket.bucketName,
      CF403_TOPIC_ARN: this.topic.topicArn,
      CF403_APPROVAL_RISKS: approvalRisks.join(','),
      CF403_PLAN_ONLY: String(props.planOnly ?? false),
    };
    const lambdas = mapSteps((step) => new StepLambda(this, pascal(step), { step, environment }));
    for (const step of STEPS) this.grantStep(lambdas[step], STEP_ACCESS[step], artifactBucket);
    this.functions = mapSteps((step) => lambdas[step].function);

    const stateMachine = this.createStateMachine(props, approvalTimeout);
    this.stateMachine = stateMachine;

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

    this.alarms = (props.distributions ?? []).map((distribution, index) =>
      this.createAlarm(distribution, index, prefix),
    );
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

  private grantStep(lambda: StepLambda, access: (typeof STEP_ACCESS)[StepName], bucket: Bucket): void {
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

  private createStateMachine(props: CloudFront403RemediationProps, approvalTimeout: Duration): StateMachine {
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
        ...(props.deploymentPollInterval ? { deploymentPollInterval: props.deploymentPollInterval } : {}),
        ...(props.invalidationPollInterval
          ? { invalidationPollInterval: props.invalidationPollInterval }
          : {}),
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
      STEPS.map((step) => `Resource::${nagAttRef(this.functions[step])}:*`),
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
}): void {
  const seconds = p.approvalTimeout.toSeconds();
  if (!Token.isUnresolved(seconds) && (seconds < 1 || seconds > MAX_APPROVAL_TIMEOUT.toSeconds())) {
    throw new RemediationConfigError(
      `approvalTimeout must be between 1 second and 364 days, got ${seconds} s`,
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

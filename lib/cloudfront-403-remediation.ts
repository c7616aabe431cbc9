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
import { type IRule, Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
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
import { CfnDocument, type IStringParameter, StringParameter } from 'aws-cdk-lib/aws-ssm';
import { type IStateMachine, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { indexFunctionName } from '../functions/domain/causes/directory-index-missing.ts';
import { VIEWER_CHECK } from '../functions/domain/verification.ts';
import {
  APPROVAL_TAG_KEY,
  APPROVER_ARN,
  AUTOMATION_STATUS_DETAIL_TYPE,
  approvalDocumentContent,
  approvalDocumentVersionName,
  DOCUMENT_NAME,
  FINAL_AUTOMATION_STATUSES,
  MAX_APPROVAL_TIMEOUT_SECONDS,
  MAX_APPROVERS,
  PENDING_APPROVAL_VISIBLE_ATTRIBUTES,
  PENDING_APPROVALS_PARTITION,
} from './approval.ts';
import { acknowledge, nagAttRef, XRAY_WILDCARD_REASON } from './nag.ts';
import { buildWorkflowDefinition } from './workflow/definition.ts';
import { StepLambda } from './workflow/step-function.ts';
import { STEPS, type StepName, TASK_STATES } from './workflow/steps.ts';

export const APPROVAL_RISKS = ['safe', 'destructive'] as const;
export type ApprovalRisk = (typeof APPROVAL_RISKS)[number];

/** Room after the approval for apply, deployment (often 5–20 min), invalidation, verification and a rollback. */
export const POST_APPROVAL_ALLOWANCE = Duration.hours(2);

/**
 * What the workflow may change.
 * - `distributions`: only the listed distributions, and the origin buckets and KMS keys behind them: the ones
 *   listed, or, when none are listed, those tagged `SCOPE_TAG_KEY` = the stack name (S3 evaluates
 *   `aws:ResourceTag` on a bucket only once ABAC is enabled on it: S3 User Guide, "Enabling ABAC in general
 *   purpose buckets"; KMS evaluates it on keys: KMS Developer Guide, "ABAC for AWS KMS").
 * - `account`: any distribution, bucket and key of the account (an explicit opt-in; synthesis warns).
 * - `none`: nothing. The workflow diagnoses and notifies but changes nothing (synthesis warns).
 */
export type RemediationScope =
  | {
      readonly kind: 'distributions';
      readonly distributionIds: readonly string[];
      readonly originBucketNames?: readonly string[];
      readonly originKeyArns?: readonly string[];
    }
  | { readonly kind: 'account' }
  | { readonly kind: 'none' };

/** Tag (value: the stack name) that puts an origin bucket or KMS key in a `distributions` scope listing none. */
export const SCOPE_TAG_KEY = 'cf403:remediation';
/** Tag (value `true`) that keeps the workflow from changing a distribution: it still diagnoses and notifies. */
export const DEFAULT_OPT_OUT_TAG_KEY = 'cf403:opt-out';
/** Remediations that may change the account per clock hour, account-wide. */
export const DEFAULT_MAX_CHANGES_PER_HOUR = 10;
export const MAX_CHANGES_PER_HOUR_LIMIT = 1000;
/** How often the sweep reconciles pending approvals with Systems Manager and Step Functions. */
export const SWEEP_INTERVAL = Duration.minutes(5);

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
   * @default - any CloudFront `4xxErrorRate`, `403ErrorRate` or `TotalErrorRate` alarm starts the workflow
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
  /**
   * What the workflow may change; its roles get write access to nothing else.
   * @default - `distributions` with the ids of `distributions` when they are all known at synthesis, else
   *   `none` (diagnose and notify only)
   */
  readonly scope?: RemediationScope;
  /**
   * Initial value of the pause switch, the SSM parameter `/cf403/<stack name>/paused`. While it reads `true`
   * the workflow diagnoses and notifies but applies nothing; flip it at any time without deploying.
   * @default false
   */
  readonly paused?: boolean;
  /**
   * Remediations that may change the account in one clock hour (UTC), account-wide; the next ones escalate.
   * @default 10
   */
  readonly maxChangesPerHour?: number;
  /**
   * Apply fixes to resources another tool manages (CloudFormation's `aws:cloudformation:stack-name` tag, or
   * `cf403:managed-by`). Either way the outcome names the owner and the template change to make there.
   * @default false - such fixes are escalated, not applied: the next deployment of the owner would undo them
   */
  readonly applyToManagedResources?: boolean;
  /**
   * Tag key whose value `true` on a distribution keeps the workflow from changing it.
   * @default 'cf403:opt-out'
   */
  readonly optOutTagKey?: string;
}

/** A resource ARN for a policy, and for wildcard ARNs the cdk-nag finding it produces and why it is needed. */
interface PolicyResource {
  readonly arn: string;
  readonly wildcard?: { readonly finding: string; readonly why: string };
  /**
   * What the resource is, for narrowing write grants to the scope: `distribution`, `bucket` and `key` become
   * the scope's ARNs (or the scope tag condition); `tagged` keeps the ARN under the scope tag condition.
   * Write grants on a resource without a kind keep it as is in every scope but `none`.
   */
  readonly kind?: 'distribution' | 'bucket' | 'key' | 'tagged' | 'fix-function';
}

interface StepGrant {
  readonly actions: readonly string[];
  readonly resources: readonly PolicyResource[];
  /** Restrict S3 access to buckets owned by this account. */
  readonly sameAccountBuckets?: boolean;
  /** Further conditions of the grant (e.g. `lambda:Principal` on AddPermission). */
  readonly conditions?: Readonly<Record<string, Readonly<Record<string, string>>>>;
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

const DISTRIBUTIONS: PolicyResource = {
  ...cloudFront('distribution', 'the failing distribution'),
  kind: 'distribution',
};
const ORIGIN_ACCESS_CONTROLS = cloudFront('origin-access-control', 'the origin access control in use');
const ORIGIN_ACCESS_IDENTITIES = cloudFront(
  'origin-access-identity',
  'the legacy origin access identity in use',
);
const CLOUDFRONT_FUNCTIONS = cloudFront('function', 'the CloudFront Function on the failing behavior');
const ORIGIN_REQUEST_POLICIES = cloudFront('origin-request-policy', 'the origin request policy in use');
/** CloudFront Functions cf403 creates (issue 11): their names start with `cf403-`. */
const CF403_FUNCTIONS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:function/cf403-*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:cloudfront::${NAG_ACCOUNT}:function/cf403-*`,
    why: 'only the CloudFront Functions cf403 creates (named cf403-...), to publish them and to delete them on rollback',
  },
  // in a distributions scope: the function cf403 would create for each listed distribution
  kind: 'fix-function',
};
/** The Lambda function behind a function URL origin (issue 11), known only at run time. */
const LAMBDA_FUNCTIONS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:lambda:*:${Aws.ACCOUNT_ID}:function:*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:lambda:*:${NAG_ACCOUNT}:function:*`,
    why: "the function behind a function URL origin is known only at run time; limited to this account's functions",
  },
  // in a distributions scope, changes go only to functions tagged for it (Lambda supports aws:ResourceTag)
  kind: 'tagged',
};
/** AddPermission may only let CloudFront invoke (SAR: lambda:Principal, "the AWS service ... that can invoke"). */
const CLOUDFRONT_PRINCIPAL_ONLY = {
  StringEquals: { 'lambda:Principal': 'cloudfront.amazonaws.com' },
} as const;
const ORIGIN_BUCKETS: PolicyResource = {
  arn: `arn:${Aws.PARTITION}:s3:::*`,
  wildcard: {
    finding: `Resource::arn:${NAG_PARTITION}:s3:::*`,
    why: 'the S3 origin bucket is known only when the alarm fires; limited to buckets of this account by s3:ResourceAccount',
  },
  kind: 'bucket',
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
  kind: 'key',
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

// Standard logging (v2) and CloudFront metrics live in us-east-1 (CloudFront's own region for logging and
// metrics); the names are known only at run time. ARN formats: Service Authorization Reference, CloudWatch Logs
// and CloudWatch resource types.
function usEast1(service: string, resource: string, what: string): PolicyResource {
  const tail = `${service}:us-east-1:${Aws.ACCOUNT_ID}:${resource}`;
  return {
    arn: `arn:${Aws.PARTITION}:${tail}`,
    wildcard: {
      finding: `Resource::arn:${NAG_PARTITION}:${service}:us-east-1:${NAG_ACCOUNT}:${resource}`,
      why: `${what} is known only at run time; limited to this account's ${resource} in us-east-1`,
    },
  };
}
const DELIVERY_DESTINATIONS = usEast1(
  'logs',
  'delivery-destination:*',
  "the distribution's log delivery destination",
);
const LOG_GROUPS = usEast1('logs', 'log-group:*', 'the log group standard logging (v2) delivers to');
const ALARMS = usEast1('cloudwatch', 'alarm:*', 'the alarm that started the workflow');

// The viewers' side of the verification: CloudFront's error-rate metrics and the alarm on them.
const VERIFY_GRANTS: readonly StepGrant[] = [
  noResourceLevel(['cloudwatch:GetMetricData']),
  { actions: ['cloudwatch:DescribeAlarms'], resources: [ALARMS] },
];

// Read-only CloudFront/S3/KMS/WAF access of the collector.
const COLLECT_GRANTS: readonly StepGrant[] = [
  { actions: ['cloudfront:GetDistribution'], resources: [DISTRIBUTIONS] },
  { actions: ['cloudfront:GetOriginAccessControl'], resources: [ORIGIN_ACCESS_CONTROLS] },
  { actions: ['cloudfront:GetCloudFrontOriginAccessIdentity'], resources: [ORIGIN_ACCESS_IDENTITIES] },
  {
    // GetFunction: the code shows what a refusal checks (issue 11, deliberate refusals)
    actions: ['cloudfront:DescribeFunction', 'cloudfront:GetFunction', 'cloudfront:TestFunction'],
    resources: [CLOUDFRONT_FUNCTIONS],
  },
  { actions: ['cloudfront:GetOriginRequestPolicy'], resources: [ORIGIN_REQUEST_POLICIES] },
  noResourceLevel(['cloudfront:GetKeyGroup']),
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
  // issue 10: standard logging (v2) deliveries of the distribution, and its CloudWatch Logs destination
  noResourceLevel(['logs:DescribeDeliverySources', 'logs:DescribeDeliveries']),
  { actions: ['logs:GetDeliveryDestination'], resources: [DELIVERY_DESTINATIONS] },
  { actions: ['logs:FilterLogEvents'], resources: [LOG_GROUPS] },
  // issue 11: the function behind a function URL origin and its resource policy
  noResourceLevel(['lambda:ListFunctions']),
  { actions: ['lambda:ListFunctionUrlConfigs', 'lambda:GetPolicy'], resources: [LAMBDA_FUNCTIONS] },
];

// The plan reads evidence from the artifact bucket; it calls CloudFront only for the guard's tag reads.
const PLAN_GRANTS: readonly StepGrant[] = [];

const APPLY_GRANTS: readonly StepGrant[] = [
  {
    actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
    resources: [DISTRIBUTIONS],
  },
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
  // DescribeKey first: an AWS managed key (KeyManager = AWS) never gets a PutKeyPolicy (issue 10)
  { actions: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy', 'kms:DescribeKey'], resources: [ORIGIN_KEYS] },
  // issue 11: the index rewrite function (created, then published), CloudFront's function URL permissions
  noResourceLevel(['cloudfront:CreateFunction']),
  {
    actions: ['cloudfront:DescribeFunction', 'cloudfront:PublishFunction'],
    resources: [CF403_FUNCTIONS],
  },
  { actions: ['lambda:GetPolicy'], resources: [LAMBDA_FUNCTIONS] },
  { actions: ['lambda:AddPermission'], resources: [LAMBDA_FUNCTIONS], conditions: CLOUDFRONT_PRINCIPAL_ONLY },
];

// Rollback restores snapshots and removes what apply created; it creates nothing.
const ROLLBACK_GRANTS: readonly StepGrant[] = [
  {
    actions: ['cloudfront:GetDistributionConfig', 'cloudfront:UpdateDistribution'],
    resources: [DISTRIBUTIONS],
  },
  { actions: ['cloudfront:DeleteOriginAccessControl'], resources: [ORIGIN_ACCESS_CONTROLS] },
  {
    actions: [
      's3:GetBucketPolicy',
      's3:PutBucketPolicy',
      // a bucket that had no policy before the fix gets none back
      's3:DeleteBucketPolicy',
      's3:GetBucketOwnershipControls',
      's3:PutBucketOwnershipControls',
    ],
    resources: [ORIGIN_BUCKETS],
    sameAccountBuckets: true,
  },
  { actions: ['kms:GetKeyPolicy', 'kms:PutKeyPolicy'], resources: [ORIGIN_KEYS] },
  { actions: ['cloudfront:DescribeFunction', 'cloudfront:DeleteFunction'], resources: [CF403_FUNCTIONS] },
  { actions: ['lambda:RemovePermission'], resources: [LAMBDA_FUNCTIONS] },
];

function noResourceLevel(actions: readonly string[]): StepGrant {
  return { actions, resources: [ANY_RESOURCE] };
}

/** Document version numbers (1, 2, ... 10, ...): anything but `$DEFAULT` and `$LATEST`. */
const VERSION_NUMBERS = ['1*', '2*', '3*', '4*', '5*', '6*', '7*', '8*', '9*'];

/** Actions that change a resource, by the verb IAM names them with. */
const WRITE_ACTION =
  /^[a-z0-9-]+:(Put|Update|Delete|Create|Associate|Disassociate|Tag|Untag|Publish|Add|Remove|Attach|Detach|Set|Modify)/;

interface ScopedStatement {
  readonly actions: readonly string[];
  readonly resources: readonly PolicyResource[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * A grant as policy statements for a scope: reads stay as granted; writes on distributions, origin buckets and
 * origin keys are narrowed to the scope's ARNs, or to resources carrying the scope tag when the scope lists
 * none; with no scope, writes are not granted at all.
 */
function scopedStatements(grant: StepGrant, scope: RemediationScope, tagValue: string): ScopedStatement[] {
  const sameAccount = grant.sameAccountBuckets ? { 's3:ResourceAccount': Aws.ACCOUNT_ID } : undefined;
  const extra = grant.conditions ?? {};
  const withExtra = (stringEquals?: Record<string, string>) =>
    stringEquals ? { ...extra, StringEquals: { ...extra.StringEquals, ...stringEquals } } : extra;
  const plain = (actions: readonly string[], resources: readonly PolicyResource[]): ScopedStatement => {
    const conditions = withExtra(sameAccount);
    return { actions, resources, ...(Object.keys(conditions).length > 0 ? { conditions } : {}) };
  };
  const writes = grant.actions.filter((a) => WRITE_ACTION.test(a));
  const reads = grant.actions.filter((a) => !WRITE_ACTION.test(a));
  const out: ScopedStatement[] = reads.length > 0 ? [plain(reads, grant.resources)] : [];
  if (writes.length === 0 || scope.kind === 'none') return out;
  if (scope.kind === 'account') return [...out, plain(writes, grant.resources)];

  const listed: PolicyResource[] = [];
  const tagged: PolicyResource[] = [];
  for (const r of grant.resources) {
    switch (r.kind) {
      case 'distribution':
        listed.push(...scope.distributionIds.map((id) => ({ arn: distributionArn(id) })));
        break;
      case 'bucket':
        if (scope.originBucketNames?.length)
          listed.push(
            ...scope.originBucketNames.map((name) => ({ arn: `arn:${Aws.PARTITION}:s3:::${name}` })),
          );
        else tagged.push(r);
        break;
      case 'key':
        if (scope.originKeyArns?.length) listed.push(...scope.originKeyArns.map((arn) => ({ arn })));
        else tagged.push(r);
        break;
      case 'tagged':
        tagged.push(r);
        break;
      case 'fix-function':
        listed.push(
          ...scope.distributionIds.map((id) => ({
            arn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:function/${indexFunctionName(id)}`,
          })),
        );
        break;
      default:
        listed.push(r);
    }
  }
  if (listed.length > 0) out.push(plain(writes, listed));
  if (tagged.length > 0) {
    out.push({
      actions: writes,
      resources: tagged.map((r) =>
        r.wildcard
          ? {
              ...r,
              wildcard: {
                ...r.wildcard,
                why: `${r.wildcard.why}; only resources tagged ${SCOPE_TAG_KEY}=${tagValue}`,
              },
            }
          : r,
      ),
      conditions: withExtra({ ...sameAccount, [`aws:ResourceTag/${SCOPE_TAG_KEY}`]: tagValue }),
    });
  }
  return out;
}

function distributionArn(id: string): string {
  return `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${id}`;
}

/** The listed distributions when all their ids are known at synthesis; otherwise nothing may change. */
function defaultScope(distributions: readonly IDistribution[] | undefined): RemediationScope {
  const ids = (distributions ?? []).map((d) => d.distributionId);
  if (ids.length === 0 || ids.some((id) => Token.isUnresolved(id))) return { kind: 'none' };
  return { kind: 'distributions', distributionIds: ids };
}

type ArtifactAccess = 'none' | 'read' | 'readWrite';
type TableAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:Query';

/**
 * Tags that tell who manages a resource, read by plan (and, for the opt-out tag, again by apply). Tags are read,
 * never written, so these stay account-wide reads.
 */
const MANAGED_BY_TAG_READS: readonly StepGrant[] = [
  { actions: ['cloudfront:ListTagsForResource'], resources: [DISTRIBUTIONS] },
  { actions: ['s3:GetBucketTagging'], resources: [ORIGIN_BUCKETS], sameAccountBuckets: true },
  { actions: ['kms:ListResourceTags'], resources: [ORIGIN_KEYS] },
];

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
  /** Reconciles pending approvals: relays decisions whose event was lost, cancels approvals nobody waits for. */
  readonly sweepsApprovals?: boolean;
  /** Reads the operator controls: the pause switch (and the opt-out tag, through its grants). */
  readonly readsControls?: boolean;
}

/** What each step may do beyond writing its logs and traces. */
const STEP_ACCESS: Readonly<Record<StepName, StepAccess>> = {
  collect: { grants: COLLECT_GRANTS, artifacts: 'readWrite', publish: false, table: [] },
  // Takes the per-distribution lock (conditional PutItem) and reads its holder.
  lock: { grants: [], artifacts: 'none', publish: false, table: ['dynamodb:PutItem', 'dynamodb:GetItem'] },
  // Publishes "diagnosis done".
  classify: { grants: [], artifacts: 'read', publish: true, table: [] },
  // Holds changes back when paused, opted out, over the hourly cap, or managed by another tool.
  plan: {
    grants: [...PLAN_GRANTS, ...MANAGED_BY_TAG_READS],
    artifacts: 'readWrite',
    publish: false,
    table: ['dynamodb:GetItem'],
    readsControls: true,
  },
  // Starts the console approval and keeps the task token in the table, never in a message.
  requestApproval: {
    grants: [],
    artifacts: 'readWrite',
    publish: true,
    table: ['dynamodb:PutItem'],
    startsApproval: true,
  },
  // Publishes "change applied". Checks the pause switch and opt-out tag again (an approval may have taken hours)
  // and takes one of the hour's changes (conditional UpdateItem on the counter) before changing anything.
  apply: {
    grants: [...APPLY_GRANTS, { actions: ['cloudfront:ListTagsForResource'], resources: [DISTRIBUTIONS] }],
    artifacts: 'readWrite',
    publish: true,
    table: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
    readsControls: true,
  },
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
  // Probes are plain HTTPS requests; what they cannot see, the viewers' metrics and alarm tell (issue 10).
  verify: { grants: VERIFY_GRANTS, artifacts: 'read', publish: false, table: [] },
  rollback: { grants: ROLLBACK_GRANTS, artifacts: 'readWrite', publish: false, table: [] },
  // Releases the lock (conditional DeleteItem) and writes the audit record.
  notify: {
    grants: [],
    artifacts: 'read',
    publish: true,
    table: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
  },
  // Reads the pending approval, answers its task token, and deletes the record only once the answer is sent.
  relay: {
    grants: [],
    artifacts: 'none',
    publish: false,
    table: ['dynamodb:GetItem', 'dynamodb:DeleteItem'],
    answersApproval: true,
  },
  // Every few minutes: lists the pending approvals, relays decided ones, cancels those nobody waits for.
  sweep: {
    grants: [],
    artifacts: 'none',
    publish: false,
    table: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:UpdateItem'],
    sweepsApprovals: true,
  },
};

/**
 * Grants that no simulated run is seen to ask IAM for, each with its reason (test/e2e/least-privilege.test.ts
 * measures the rest against the scenario library, approvals, rollbacks, duplicates and the sweep).
 */
export const GRANT_REASONS: Readonly<Record<string, string>> = {
  'logs:CreateLogStream': 'the Lambda runtime writes each step log, not the handler',
  'logs:PutLogEvents': 'the Lambda runtime writes each step log, not the handler',
  'xray:PutTraceSegments': 'the Lambda runtime sends X-Ray segments (active tracing)',
  'xray:PutTelemetryRecords': 'the Lambda runtime sends X-Ray telemetry (active tracing)',
  's3:ListBucket':
    'on the artifact bucket: a missing artifact then reads as NoSuchKey (404), not AccessDenied (403)',
  'sqs:SendMessage': "Lambda sends the relay's failed asynchronous invocations to its dead-letter queue",
  'sqs:GetQueueAttributes': "part of CDK's dead-letter queue grant to the relay (grantSendMessages)",
  'sqs:GetQueueUrl': "part of CDK's dead-letter queue grant to the relay (grantSendMessages)",
  'states:SendTaskFailure':
    'the relay ends a task whose approval Systems Manager failed or cancelled; the sweep one whose automation is gone',
  'ssm:StopAutomationExecution': 'request-approval cancels the approval that a retried attempt superseded',
  's3:DeleteBucketPolicy':
    'the rollback of a fix to a bucket that had no policy before deletes the policy it added',
  'states:SendTaskHeartbeat':
    "the sweep asks whether a pending approval's task still waits before it closes it",
  'dynamodb:GetItem':
    'the sweep re-reads a pending approval record before it answers it (another answer may win)',
  'dynamodb:UpdateItem': 'the sweep records its last look at an approval that stays pending',
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
  /** The document version this stack deployed; every approval runs it and the relay checks it. */
  readonly approvalDocumentVersionName: string;
  /** Runs the sweep every SWEEP_INTERVAL. */
  readonly sweepRule: IRule;
  /** What the workflow may change. */
  readonly scope: RemediationScope;
  /** The pause switch: `true` holds every change back (diagnosis and notifications go on). */
  readonly pauseParameter: IStringParameter;

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

    this.topic = props.topic ?? this.createTopic();
    if (props.notificationEmail) this.topic.addSubscription(new EmailSubscription(props.notificationEmail));

    const artifactBucket = this.createArtifactBucket(retention);
    this.artifactBucket = artifactBucket;
    this.table = this.createTable();

    this.approvalDocumentName = documentName;
    this.approverPolicy = this.createApproverPolicy(documentName, this.table);
    if (props.approverArns && props.approverArns.length > 0) {
      this.approverArns = [...props.approverArns];
    } else {
      this.approverRole = this.createApproverRole(stackName, this.approverPolicy);
      this.approverArns = [this.approverRole.roleArn];
    }
    const content = approvalDocumentContent({
      approvers: this.approverArns,
      minApprovals,
      timeout: approvalTimeout,
    });
    // Named after its content as CloudFormation receives it, so the approvals pin exactly what was deployed.
    this.approvalDocumentVersionName = approvalDocumentVersionName(Stack.of(this).resolve(content));
    this.approvalDocument = new CfnDocument(this, 'ApprovalDocument', {
      name: documentName,
      documentType: 'Automation',
      documentFormat: 'JSON',
      content,
      versionName: this.approvalDocumentVersionName,
      // A named document cannot be replaced in place; a content change becomes its new default version.
      updateMethod: 'NewVersion',
    });
    this.pauseParameter = new StringParameter(this, 'PauseParameter', {
      parameterName: `/cf403/${stackName}/paused`,
      description:
        'cf403 pause switch: true holds back every automatic change (diagnosis and notifications go on)',
      stringValue: props.paused ? 'true' : 'false',
    });

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
    };
    const lambdas = mapSteps(
      (step) =>
        new StepLambda(this, pascal(step), {
          step,
          environment,
          // the verification may watch the viewers' metrics for up to 10 minutes (issue 10)
          ...(step === 'verify' ? { timeout: Duration.seconds(VIEWER_CHECK.timeoutSeconds) } : {}),
        }),
    );
    // The plan checks that the target's own policy lets the apply role write the fix (functions/domain/writable.ts).
    lambdas.plan.function.addEnvironment('CF403_APPLY_ROLE_ARN', lambdas.apply.role.roleArn);
    this.functions = mapSteps((step) => lambdas[step].function);

    const stateMachine = this.createStateMachine(approvalTimeout);
    this.stateMachine = stateMachine;
    for (const step of STEPS) {
      this.grantStep(lambdas[step], STEP_ACCESS[step], {
        bucket: artifactBucket,
        documentName,
        stateMachine,
        scope: this.scope,
        scopeTagValue: stackName,
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

    // The error-rate metrics the collect step accepts (functions/domain/alarm-event.ts ERROR_RATE_METRICS).
    const metric = {
      namespace: ['AWS/CloudFront'],
      name: ['4xxErrorRate', '403ErrorRate', 'TotalErrorRate'],
    };
    this.rule = new Rule(this, 'AlarmRule', {
      description:
        'Starts the CloudFront 403 remediation when a CloudFront 4xxErrorRate, 403ErrorRate or TotalErrorRate alarm enters ALARM',
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
    this.sweepRule = new Rule(this, 'SweepSchedule', {
      description:
        'Reconciles pending cf403 approvals with Systems Manager and Step Functions (lost events, orphans)',
      schedule: Schedule.rate(SWEEP_INTERVAL),
      // The next run comes soon: a failed one is not retried.
      targets: [new LambdaFunction(lambdas.sweep.function, { retryAttempts: 0 })],
    });

    this.alarms = (props.distributions ?? []).map((distribution, index) =>
      this.createAlarm(distribution, index, prefix),
    );
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

  /**
   * What a person needs to see and answer the approval automations, in the console or with `cf403 approve`,
   * and to list the pending approvals (`cf403 pending`). Nothing of Step Functions: no task token can be
   * answered with it.
   */
  private createApproverPolicy(documentName: string, table: ITable): ManagedPolicy {
    const policy = new ManagedPolicy(this, 'ApproverPolicy', {
      description:
        'cf403: view and approve or deny the CloudFront 403 remediation approvals (Systems Manager Automation)',
      statements: [
        // Automation execution ARNs do not name their document; requestApproval tags each approval with it.
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [
            'ssm:SendAutomationSignal',
            'ssm:GetAutomationExecution',
            'ssm:DescribeAutomationStepExecutions',
          ],
          resources: [ssmArn(AUTOMATION_EXECUTIONS)],
          conditions: { StringEquals: { [`aws:ResourceTag/${APPROVAL_TAG_KEY}`]: documentName } },
        }),
        // The pending approvals, never their task tokens: fine-grained access control limits the Query to the
        // APPROVALS partition and to the listed attributes (DynamoDB Developer Guide, "Using IAM policy
        // conditions for fine-grained access control": dynamodb:LeadingKeys, dynamodb:Attributes,
        // dynamodb:Select).
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['dynamodb:Query'],
          resources: [table.tableArn],
          conditions: {
            'ForAllValues:StringEquals': {
              'dynamodb:LeadingKeys': [PENDING_APPROVALS_PARTITION],
              'dynamodb:Attributes': [...PENDING_APPROVAL_VISIBLE_ATTRIBUTES],
            },
            StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
          },
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
        `generated per approval and their ARNs do not name the document, so the statement requires the ${APPROVAL_TAG_KEY} tag ` +
        'requestApproval puts on each approval; aws:approve also accepts a signal only from the approvers listed on that execution. ' +
        "| ssm:DescribeAutomationExecutions supports no resource-level permissions (the console's list).",
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
    targets: {
      bucket: Bucket;
      documentName: string;
      stateMachine: IStateMachine;
      scope: RemediationScope;
      scopeTagValue: string;
    },
  ): void {
    const { bucket, documentName, stateMachine } = targets;
    const findings = new Map<string, string[]>();
    const note = (finding: string, why: string) =>
      findings.set(finding, [...(findings.get(finding) ?? []), why]);
    note('Resource::*', XRAY_WILDCARD_REASON);

    for (const grant of access.grants) {
      for (const statement of scopedStatements(grant, targets.scope, targets.scopeTagValue)) {
        lambda.role.addToPrincipalPolicy(
          new PolicyStatement({
            effect: Effect.ALLOW,
            actions: [...statement.actions],
            resources: statement.resources.map((r) => r.arn),
            ...(statement.conditions ? { conditions: statement.conditions } : {}),
          }),
        );
        for (const r of statement.resources)
          if (r.wildcard) note(r.wildcard.finding, `${statement.actions.join(', ')}: ${r.wildcard.why}`);
      }
    }
    if (access.readsControls) {
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:GetParameter'],
          resources: [this.pauseParameter.parameterArn],
        }),
      );
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
    // Only this stack's approvals (tagged by requestApproval) can be cancelled: their ARNs do not name the
    // document, and ssm:StopAutomationExecution supports aws:ResourceTag on automation-execution.
    const approvalsOnly = { StringEquals: { [`aws:ResourceTag/${APPROVAL_TAG_KEY}`]: documentName } };
    const cancelsApprovals = () => {
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:StopAutomationExecution'],
          resources: [ssmArn(AUTOMATION_EXECUTIONS)],
          conditions: approvalsOnly,
        }),
      );
      note(
        ssmNagArn(AUTOMATION_EXECUTIONS),
        `ssm:StopAutomationExecution: cancels superseded or orphaned approvals, only those tagged ${APPROVAL_TAG_KEY}=<this document>`,
      );
    };
    const readsApprovals = (why: string) => {
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:GetAutomationExecution'],
          resources: [ssmArn(AUTOMATION_EXECUTIONS)],
        }),
      );
      note(
        ssmNagArn(AUTOMATION_EXECUTIONS),
        `ssm:GetAutomationExecution: ${why}; its ARN does not name the document`,
      );
    };
    // Task-token calls are authorized against the state machine that issued the token.
    const answersTasks = (actions: readonly string[]) =>
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: [...actions],
          resources: [stateMachine.stateMachineArn],
        }),
      );
    if (access.startsApproval) {
      // StartAutomationExecution authorizes the document, its versions and the new execution. The document has
      // no assumeRole, so the automation runs as this role; its only step (aws:approve) calls no other API.
      const definitions = `automation-definition/${documentName}:*`;
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:StartAutomationExecution'],
          resources: [ssmArn(`document/${documentName}`), ssmArn(definitions), ssmArn(AUTOMATION_EXECUTIONS)],
          // Only at an explicit version number: never $DEFAULT or $LATEST, which whoever can publish a
          // version of the document would choose (Systems Manager User Guide, automation identity-based policy
          // examples: "run a specific version of an automation document" with ssm:DocumentVersion). The SAR
          // types the key ArrayOfString, hence the set operator; Null makes it required.
          conditions: {
            Null: { 'ssm:DocumentVersion': 'false' },
            'ForAllValues:StringLike': { 'ssm:DocumentVersion': VERSION_NUMBERS },
          },
        }),
      );
      note(
        ssmNagArn(definitions),
        "ssm:StartAutomationExecution: the pinned version (resolved from the deployed VersionName) of this stack's own approval document",
      );
      note(
        ssmNagArn(AUTOMATION_EXECUTIONS),
        'ssm:StartAutomationExecution: the execution it creates has an id known only afterwards; the document resource limits what can be started',
      );
      // Tags given to StartAutomationExecution are authorized as tagging the new execution; only ours.
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:AddTagsToResource'],
          resources: [ssmArn(AUTOMATION_EXECUTIONS)],
          conditions: {
            StringEquals: { [`aws:RequestTag/${APPROVAL_TAG_KEY}`]: documentName },
            'ForAllValues:StringEquals': { 'aws:TagKeys': [APPROVAL_TAG_KEY] },
          },
        }),
      );
      note(
        ssmNagArn(AUTOMATION_EXECUTIONS),
        `ssm:AddTagsToResource: the ${APPROVAL_TAG_KEY} tag on the approval it starts (aws:RequestTag, aws:TagKeys)`,
      );
      // VersionName → version number, so the approval runs exactly the deployed content.
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:DescribeDocument'],
          resources: [ssmArn(`document/${documentName}`)],
        }),
      );
      cancelsApprovals();
    }
    if (access.answersApproval) {
      readsApprovals('the ended approval automation is known only from the event');
      answersTasks(['states:SendTaskSuccess', 'states:SendTaskFailure']);
    }
    if (access.sweepsApprovals) {
      readsApprovals('the approvals pending in the table');
      // Lists the Waiting approvals to find orphans; supports no resource-level permissions.
      lambda.role.addToPrincipalPolicy(
        new PolicyStatement({
          effect: Effect.ALLOW,
          actions: ['ssm:DescribeAutomationExecutions'],
          resources: ['*'],
        }),
      );
      note(
        'Resource::*',
        'ssm:DescribeAutomationExecutions supports no resource-level permissions (the sweep lists Waiting approvals to cancel orphans)',
      );
      cancelsApprovals();
      // Heartbeat tells whether the workflow still waits on a token (TaskTimedOut once it does not).
      answersTasks(['states:SendTaskSuccess', 'states:SendTaskFailure', 'states:SendTaskHeartbeat']);
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
      // States, not data: execution data would carry the task token and the evidence into the log group.
      logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
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

const SCOPE_DISTRIBUTION_ID = /^E[A-Z0-9]{5,31}$/;
// S3 bucket naming rules (S3 User Guide, "General purpose bucket naming rules").
const SCOPE_BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const SCOPE_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/;

function validateScope(scope: RemediationScope): void {
  if (scope.kind !== 'distributions') return;
  const check = (what: string, values: readonly string[] | undefined, pattern: RegExp) => {
    for (const v of values ?? []) {
      if (!Token.isUnresolved(v) && !pattern.test(v))
        throw new RemediationConfigError(`scope: "${v}" is not ${what}`);
    }
  };
  if (scope.distributionIds.length === 0)
    throw new RemediationConfigError('scope: a distributions scope needs at least one distribution id');
  check('a CloudFront distribution id', scope.distributionIds, SCOPE_DISTRIBUTION_ID);
  check('an S3 bucket name', scope.originBucketNames, SCOPE_BUCKET_NAME);
  check('a KMS key ARN (arn:aws:kms:<region>:<account>:key/<id>)', scope.originKeyArns, SCOPE_KEY_ARN);
}

// Tag keys: 1–128 characters of letters, digits, spaces and _ . : / = + - @ (tagging best practices).
const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;

function validateControls(maxChangesPerHour: number, optOutTagKey: string): void {
  if (
    !Number.isInteger(maxChangesPerHour) ||
    maxChangesPerHour < 1 ||
    maxChangesPerHour > MAX_CHANGES_PER_HOUR_LIMIT
  ) {
    throw new RemediationConfigError(
      `maxChangesPerHour must be a whole number from 1 to ${MAX_CHANGES_PER_HOUR_LIMIT}, got ${maxChangesPerHour}`,
    );
  }
  if (!TAG_KEY.test(optOutTagKey) || optOutTagKey.startsWith('aws:'))
    throw new RemediationConfigError(`optOutTagKey "${optOutTagKey}" is not a tag key you can set`);
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

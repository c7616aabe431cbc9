// What each step may do: its IAM grants, artifact, table and topic access, and its approval duties.
import type { StepName } from '../workflow/steps.ts';
import {
  ALARMS,
  CF403_FUNCTIONS,
  CLOUDFRONT_FUNCTIONS,
  CLOUDFRONT_PRINCIPAL_ONLY,
  DELIVERY_DESTINATIONS,
  DISTRIBUTIONS,
  IP_SETS,
  LAMBDA_FUNCTIONS,
  LOG_GROUPS,
  noResourceLevel,
  ORIGIN_ACCESS_CONTROLS,
  ORIGIN_ACCESS_IDENTITIES,
  ORIGIN_BUCKETS,
  ORIGIN_KEYS,
  ORIGIN_OBJECTS,
  ORIGIN_REQUEST_POLICIES,
  type StepGrant,
  WEB_ACLS,
} from './policy-resources.ts';

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
  {
    actions: ['cloudfront:GetOriginAccessControl', 'cloudfront:DeleteOriginAccessControl'],
    resources: [ORIGIN_ACCESS_CONTROLS],
  },
  // an OAC whose creation was interrupted before its snapshot was written is found by its name
  noResourceLevel(['cloudfront:ListOriginAccessControls']),
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

export type ArtifactAccess = 'none' | 'read' | 'readWrite';
export type TableAction =
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

export interface StepAccess {
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
export const STEP_ACCESS: Readonly<Record<StepName, StepAccess>> = {
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
  'sts:AssumeRole':
    "a hub's step assumes a member role only for an alarm, bucket or key in that member account (issue 15)",
  // keyed `step:action` where the reason holds for that step only
  'rollback:cloudfront:ListOriginAccessControls':
    'finds an OAC whose creation was interrupted before its snapshot was written (test/e2e/faults.test.ts)',
  'rollback:cloudfront:GetOriginAccessControl':
    'reads the ETag of such an OAC, or of one whose creation ETag is stale, before deleting it',
};

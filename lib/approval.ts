// The approval path's fixed shapes: the Systems Manager Automation document whose `aws:approve` step gives
// operators Approve/Deny in the AWS console, the event that ends it, and the limits Systems Manager sets.
import { createHash } from 'node:crypto';
import type { Duration } from 'aws-cdk-lib';
import { APPROVE_ACTION } from '../functions/domain/approval.ts';

// Shared with the relay, the sweep and the CLI, which must agree with the template on them.
export {
  APPROVAL_TAG_KEY,
  APPROVE_ACTION,
  PENDING_APPROVAL_VISIBLE_ATTRIBUTES,
  PENDING_APPROVALS_PARTITION,
} from '../functions/domain/approval.ts';

/** Name of the document's only step; the relay reads its `ApproverDecisions` output. */
export const APPROVE_STEP_NAME = 'approve';

/** `aws:approve` accepts at most 10 approvers. */
export const MAX_APPROVERS = 10;

/** `aws:approve` waits at most 30 days (its `timeoutSeconds` limit). */
export const MAX_APPROVAL_TIMEOUT_SECONDS = 30 * 24 * 60 * 60;

/** `aws:approve` caps its message at 4096 characters. */
export const MAX_APPROVAL_MESSAGE_CHARS = 4096;

/**
 * Principals `aws:approve` accepts as approvers, by ARN: IAM users, IAM roles and assumed-role sessions.
 * IAM groups are not accepted by `aws:approve`.
 */
export const APPROVER_ARN = /^arn:aws[a-z-]*:(iam::\d{12}:(user|role)\/\S+|sts::\d{12}:assumed-role\/\S+)$/;

/** Document names Systems Manager accepts for documents we own (the aws/amazon/amzn prefixes are reserved). */
export const DOCUMENT_NAME = /^(?!(aws|amazon|amzn))[a-zA-Z0-9_.-]{3,128}$/i;

/** Automation statuses that end an approval; `Waiting`/`InProgress` are not final. */
export const FINAL_AUTOMATION_STATUSES = ['Success', 'Failed', 'TimedOut', 'Cancelled'] as const;

/** EventBridge `detail-type` of Systems Manager Automation execution status changes. */
export const AUTOMATION_STATUS_DETAIL_TYPE = 'EC2 Automation Execution Status-change Notification';

/** `VersionName` pattern of AWS::SSM::Document (and of DescribeDocument's VersionName). */
export const DOCUMENT_VERSION_NAME = /^[a-zA-Z0-9_\-.]{1,128}$/;

/**
 * The document's `VersionName`, derived from its content as CloudFormation receives it (tokens resolved to their
 * CloudFormation form), so each content gets its own name and the same content keeps it. Systems Manager keeps a
 * version name unique within a document and never changes it (CreateDocument/UpdateDocument `VersionName`), so
 * resolving this name to a version number at run time finds the content this stack deployed, whatever version
 * is the default.
 */
export function approvalDocumentVersionName(resolvedContent: unknown): string {
  const hash = createHash('sha256').update(canonicalJson(resolvedContent)).digest('hex');
  return `cf403-${hash.slice(0, 20)}`;
}

/** JSON with sorted object keys, so equal contents hash equally whatever their key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    typeof v === 'object' && v !== null && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

export interface ApprovalDocumentOptions {
  /** Default of the `Approvers` parameter; requestApproval passes the configured list explicitly. */
  readonly approvers: readonly string[];
  readonly minApprovals: number;
  /** The `aws:approve` step's `timeoutSeconds`; expiry fails the automation as TimedOut. */
  readonly timeout: Pick<Duration, 'toSeconds'>;
}

/**
 * The Automation document (schema 0.3) as a JSON object for `AWS::SSM::Document`'s `Content`. It has no
 * `assumeRole`, so it runs as its starter (the requestApproval function); `aws:approve` calls no other API.
 */
export function approvalDocumentContent(options: ApprovalDocumentOptions): Record<string, unknown> {
  return {
    schemaVersion: '0.3',
    description:
      'cf403: approve or deny the planned fix of a CloudFront 403 outage. The message is the plan summary; ' +
      'the remediation workflow continues only after the required approvals.',
    parameters: {
      Approvers: {
        type: 'StringList',
        description: 'IAM users, roles or assumed-role sessions (ARNs) allowed to approve or deny',
        default: [...options.approvers],
        minItems: 1,
        maxItems: MAX_APPROVERS,
      },
      MinRequiredApprovals: {
        type: 'Integer',
        description: 'Approvals needed before the fix is applied; one denial rejects it',
        default: options.minApprovals,
      },
      Message: {
        type: 'String',
        description: 'Summary of the planned change: distribution, cause, risk and the exact changes',
        maxChars: MAX_APPROVAL_MESSAGE_CHARS,
      },
      ExecutionId: {
        type: 'String',
        description: 'ARN of the remediation workflow execution waiting for this approval',
        allowedPattern: '^arn:aws[a-z-]*:states:\\S+$',
      },
      DistributionId: {
        type: 'String',
        description: 'The CloudFront distribution the fix changes',
        allowedPattern: '^[A-Z0-9]+$',
      },
    },
    mainSteps: [
      {
        name: APPROVE_STEP_NAME,
        action: APPROVE_ACTION,
        timeoutSeconds: options.timeout.toSeconds(),
        onFailure: 'Abort',
        isEnd: true,
        inputs: {
          Approvers: '{{ Approvers }}',
          MinRequiredApprovals: '{{ MinRequiredApprovals }}',
          Message: '{{ Message }}',
        },
      },
    ],
    outputs: [`${APPROVE_STEP_NAME}.ApprovalStatus`, `${APPROVE_STEP_NAME}.ApproverDecisions`],
  };
}

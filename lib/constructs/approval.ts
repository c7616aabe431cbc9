// The console approval: the Systems Manager Automation document whose aws:approve step asks the approvers, the
// approver policy and role, and the relay that answers the waiting workflow when an approval ends. Resources
// are added to the given scope (the remediation construct itself), so their logical ids stay the same.
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRule, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import {
  AccountRootPrincipal,
  Effect,
  type IManagedPolicy,
  ManagedPolicy,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { CfnDocument } from 'aws-cdk-lib/aws-ssm';
import type { Construct } from 'constructs';
import {
  APPROVAL_TAG_KEY,
  AUTOMATION_STATUS_DETAIL_TYPE,
  approvalDocumentContent,
  approvalDocumentVersionName,
  FINAL_AUTOMATION_STATUSES,
  PENDING_APPROVAL_VISIBLE_ATTRIBUTES,
  PENDING_APPROVALS_PARTITION,
} from '../approval.ts';
import { acknowledge } from '../nag.ts';
import { AUTOMATION_EXECUTIONS, ssmArn, ssmNagArn } from './policy-resources.ts';

/**
 * The approval document, at a version named after its content as CloudFormation receives it, so the
 * approvals pin exactly what was deployed.
 */
export function createApprovalDocument(
  scope: Construct,
  options: {
    readonly documentName: string;
    readonly approvers: readonly string[];
    readonly minApprovals: number;
    readonly timeout: Duration;
  },
): { document: CfnDocument; versionName: string } {
  const content = approvalDocumentContent({
    approvers: options.approvers,
    minApprovals: options.minApprovals,
    timeout: options.timeout,
  });
  const versionName = approvalDocumentVersionName(Stack.of(scope).resolve(content));
  const document = new CfnDocument(scope, 'ApprovalDocument', {
    name: options.documentName,
    documentType: 'Automation',
    documentFormat: 'JSON',
    content,
    versionName,
    // A named document cannot be replaced in place; a content change becomes its new default version.
    updateMethod: 'NewVersion',
  });
  return { document, versionName };
}

/**
 * What a person needs to see and answer the approval automations, in the console or with `cf403 approve`,
 * and to list the pending approvals (`cf403 pending`). Nothing of Step Functions: no task token can be
 * answered with it.
 */
export function createApproverPolicy(scope: Construct, documentName: string, table: ITable): ManagedPolicy {
  const policy = new ManagedPolicy(scope, 'ApproverPolicy', {
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

/** The approver role, created when no approverArns are given: assumable by principals of this account. */
export function createApproverRole(scope: Construct, stackName: string, policy: IManagedPolicy): Role {
  const roleName = `${stackName}-Approver`;
  return new Role(scope, 'ApproverRole', {
    // A fixed name so people can switch to it in the console; IAM names are per account, hence the stack name.
    ...(roleName.length <= 64 ? { roleName } : {}),
    assumedBy: new AccountRootPrincipal(),
    description: 'cf403: assume to approve or deny CloudFront 403 fixes in Systems Manager Automation',
    managedPolicies: [policy],
    maxSessionDuration: Duration.hours(1),
  });
}

/** The relay runs when an approval automation ends and answers the waiting task token with the decisions. */
export function createApprovalRelay(
  scope: Construct,
  relay: IFunction,
  documentName: string,
): { rule: IRule; deadLetterQueue: IQueue } {
  const deadLetterQueue = new Queue(scope, 'ApprovalDeadLetterQueue', {
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
  const rule = new Rule(scope, 'ApprovalRule', {
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

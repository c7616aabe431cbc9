// Turns each step's access (step-access.ts) into IAM statements on its role, with the cdk-nag acknowledgement
// of every wildcard beside the reason it is needed.

import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { IStringParameter } from 'aws-cdk-lib/aws-ssm';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { APPROVAL_TAG_KEY } from '../approval.ts';
import { acknowledge, nagAttRef, XRAY_WILDCARD_REASON } from '../nag.ts';
import type { StepLambda } from '../workflow/step-function.ts';
import { AUTOMATION_EXECUTIONS, ssmArn, ssmNagArn } from './policy-resources.ts';
import type { RemediationScope } from './props.ts';
import { scopedStatements } from './scoped-statements.ts';
import type { StepAccess } from './step-access.ts';

/** Document version numbers (1, 2, ... 10, ...): anything but `$DEFAULT` and `$LATEST`. */
const VERSION_NUMBERS = ['1*', '2*', '3*', '4*', '5*', '6*', '7*', '8*', '9*'];

/** The stack's resources a step's grants point at. */
export interface GrantTargets {
  readonly bucket: IBucket;
  readonly documentName: string;
  readonly stateMachine: IStateMachine;
  readonly scope: RemediationScope;
  /** Value of the scope tag (the stack name) on resources a `distributions` scope lists none of. */
  readonly scopeTagValue: string;
  readonly pauseParameter: IStringParameter;
  readonly table: ITable;
  readonly topic: ITopic;
}

/** Grants one step's role what `access` says, and acknowledges the wildcards that leaves. */
export function grantStep(lambda: StepLambda, access: StepAccess, targets: GrantTargets): void {
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
        resources: [targets.pauseParameter.parameterArn],
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
        resources: [targets.table.tableArn],
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
        resources: [targets.topic.topicArn],
      }),
    );
    const key = targets.topic.masterKey;
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

// The workflow's compute: one Lambda function per step and the Step Functions state machine that runs them.
// Resources are added to the given scope (the remediation construct itself), so their logical ids stay the same.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { VIEWER_CHECK } from '../../functions/domain/verification.ts';
import { acknowledge, nagAttRef, XRAY_WILDCARD_REASON } from '../nag.ts';
import { buildWorkflowDefinition } from '../workflow/definition.ts';
import { StepLambda } from '../workflow/step-function.ts';
import { STEPS, type StepName, TASK_STATES } from '../workflow/steps.ts';
import { POST_APPROVAL_ALLOWANCE } from './props.ts';

/** Steps the state machine invokes (the relay runs on an EventBridge rule instead). */
const TASK_STEPS: readonly StepName[] = [...new Set<StepName>(Object.values(TASK_STATES))];

export function mapSteps<T>(make: (step: StepName) => T): Record<StepName, T> {
  // Object.fromEntries loses the key type; STEPS lists every StepName, so the record is complete.
  return Object.fromEntries(STEPS.map((step) => [step, make(step)])) as Record<StepName, T>;
}

function pascal(step: StepName): string {
  return step.charAt(0).toUpperCase() + step.slice(1);
}

/**
 * One function per step (construct id: the step in PascalCase), all with the same environment; `roleName` names
 * each step's role (a hub's, issue 15), else CloudFormation does.
 */
export function createStepLambdas(
  scope: Construct,
  environment: Readonly<Record<string, string>>,
  roleName?: (step: StepName) => string,
): Record<StepName, StepLambda> {
  const lambdas = mapSteps(
    (step) =>
      new StepLambda(scope, pascal(step), {
        step,
        environment,
        ...(roleName ? { roleName: roleName(step) } : {}),
        // the verification may watch the viewers' metrics for up to 10 minutes (issue 10)
        ...(step === 'verify' ? { timeout: Duration.seconds(VIEWER_CHECK.timeoutSeconds) } : {}),
      }),
  );
  // The plan checks that the target's own policy lets the apply role write the fix (functions/domain/writable.ts).
  lambdas.plan.function.addEnvironment('CF403_APPLY_ROLE_ARN', lambdas.apply.role.roleArn);
  return lambdas;
}

/** The Standard state machine of the workflow, logging states (not data) to a vended log group. */
export function createStateMachine(
  scope: Construct,
  functions: Readonly<Record<StepName, IFunction>>,
  approvalTimeout: Duration,
  carryAccount = false,
): StateMachine {
  const logGroup = new LogGroup(scope, 'StateMachineLogs', {
    // Step Functions' vended-logs prefix keeps the CloudWatch Logs resource policy small.
    logGroupName: `/aws/vendedlogs/states/${Stack.of(scope).stackName}-${scope.node.addr.slice(0, 8)}`,
    retention: RetentionDays.ONE_MONTH,
    // A named log group left behind would block redeploying the stack; the artifact bucket keeps the record.
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const stateMachine = new StateMachine(scope, 'StateMachine', {
    stateMachineType: StateMachineType.STANDARD,
    comment: 'CloudFront 403 remediation',
    // States get their own scope: their ids (e.g. CheckInvalidation) would clash with the step functions'.
    definitionBody: buildWorkflowDefinition(new Construct(scope, 'Workflow'), {
      functions,
      approvalTimeout,
      ...(carryAccount ? { carryAccount } : {}),
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
    TASK_STEPS.map((step) => `Resource::${nagAttRef(functions[step])}:*`),
  );
  return stateMachine;
}

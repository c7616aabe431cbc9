// The remediation state machine, built with CDK chaining. Retries and catches live here only.
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  IntegrationPattern,
  JitterType,
  JsonPath,
  Pass,
  Result,
  Succeed,
  TaskInput,
  Timeout,
  Wait,
  WaitTime,
} from 'aws-cdk-lib/aws-stepfunctions';
import { LambdaInvoke } from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { LAMBDA_SERVICE_ERRORS, RETRYABLE_STEP_ERRORS, type StepName, type TaskStateName } from './steps.ts';

/** The Lambda functions the chain invokes (the approval relay runs outside it, on an EventBridge rule). */
export type WorkflowFunctions = Readonly<Record<Exclude<StepName, 'relay'>, IFunction>>;

export interface WorkflowDefinitionProps {
  /** One Lambda function per step. */
  readonly functions: WorkflowFunctions;
  /**
   * How long an approval may wait; expiry counts as a rejection.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
}

/** Builds the chain: collect → classify → plan → (approval) → apply → deploy → invalidate → verify → done or roll back. */
export function buildWorkflowDefinition(scope: Construct, props: WorkflowDefinitionProps): DefinitionBody {
  const fns = props.functions;
  const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
  // Each check says when to look again (functions/domain/polling.ts): a fraction of the time already spent.
  const pollAfter = (path: string) => WaitTime.secondsPath(path);

  const step = (
    name: TaskStateName,
    fn: IFunction,
    payload: Record<string, unknown>,
    resultPath: string,
    retries?: RetryBudget,
  ) =>
    withRetries(
      new LambdaInvoke(scope, name, {
        lambdaFunction: fn,
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        payload: TaskInput.fromObject(payload),
        resultPath,
      }),
      retries,
    );

  const execution = { 'executionId.$': '$$.Execution.Id', 'executionName.$': '$$.Execution.Name' };
  const finalInput = { ...execution, 'startedAt.$': '$$.Execution.StartTime', 'state.$': '$' };
  const target = { 'distributionId.$': '$.collect.distributionId', 'evidenceRef.$': '$.collect.evidenceRef' };
  // A rollback runs only after PlanFix, so the plan's summary is always in the state.
  const rollbackInput = { ...execution, ...target, 'actions.$': '$.plan.actions' };

  // Ends. Every path notifies, then succeeds or fails; only the failure path ends the execution as failed.
  const done = new Succeed(scope, 'Done');
  const notifyOutcome = step('NotifyOutcome', fns.notify, { ...execution, 'state.$': '$' }, '$.notify');
  // A message, lock release or audit record that cannot be written never changes the outcome: the account
  // is what it is. The error stays in the execution's output.
  notifyOutcome.addCatch(done, { resultPath: '$.notifyError' });
  notifyOutcome.next(done);
  const failed = new Fail(scope, 'Failed', { errorPath: '$.error.Error', causePath: '$.error.Cause' });
  const notifyFailure = step('NotifyFailure', fns.notify, finalInput, '$.notify');
  notifyFailure.addCatch(failed, { resultPath: '$.notifyError' });
  notifyFailure.next(failed);
  const outcome = (id: string, value: string) =>
    new Pass(scope, id, { result: Result.fromString(value), resultPath: '$.outcome' });
  const failedOutcome = outcome('MarkFailed', 'FAILED').next(notifyFailure);

  // Failure after something may have changed: restore every snapshot first.
  const rollbackAfterFailure = step(
    'RollBackAfterFailure',
    fns.rollback,
    rollbackInput,
    '$.rollback',
    ROLLBACK_RETRIES,
  );
  rollbackAfterFailure.addCatch(failedOutcome, { resultPath: '$.rollbackError' });
  rollbackAfterFailure.next(failedOutcome);
  const catchToRollback = (s: LambdaInvoke) => s.addCatch(rollbackAfterFailure, { resultPath: '$.error' });
  const catchToFail = (s: LambdaInvoke) => s.addCatch(failedOutcome, { resultPath: '$.error' });

  // Verification failed: roll back and wait until the restored config is live.
  const rolledBack = outcome('RolledBack', 'ROLLED_BACK').next(notifyOutcome);
  const checkRollbackDeployment = step(
    'CheckRollbackDeployment',
    fns.checkDeployment,
    { 'distributionId.$': '$.collect.distributionId' },
    '$.deployment',
  );
  catchToFail(checkRollbackDeployment);
  const waitRollback = new Wait(scope, 'WaitForRollbackDeployment', {
    time: pollAfter('$.deployment.nextPollSeconds'),
  });
  waitRollback.next(checkRollbackDeployment);
  checkRollbackDeployment.next(
    new Choice(scope, 'IsRollbackDeployed?')
      .when(Condition.stringEquals('$.deployment.status', 'Deployed'), rolledBack)
      .otherwise(waitRollback),
  );
  const rollback = step('RollBack', fns.rollback, rollbackInput, '$.rollback', ROLLBACK_RETRIES);
  catchToFail(rollback);
  rollback.next(
    new Choice(scope, 'RollbackChangedDistribution?')
      .when(Condition.booleanEquals('$.rollback.distributionChanged', true), checkRollbackDeployment)
      .otherwise(rolledBack),
  );

  // Verify.
  const remediated = outcome('Remediated', 'REMEDIATED').next(notifyOutcome);
  const verify = step('VerifyFix', fns.verify, { ...execution, ...target }, '$.verify');
  catchToRollback(verify);
  verify.next(
    new Choice(scope, 'IsCured?')
      .when(Condition.booleanEquals('$.verify.cured', true), remediated)
      .otherwise(rollback),
  );

  // Invalidate the failing paths and wait for it.
  const checkInvalidation = step(
    'CheckInvalidation',
    fns.checkInvalidation,
    { 'distributionId.$': '$.collect.distributionId', 'invalidationId.$': '$.invalidation.invalidationId' },
    '$.invalidationStatus',
  );
  catchToRollback(checkInvalidation);
  const waitInvalidation = new Wait(scope, 'WaitForInvalidation', {
    time: pollAfter('$.invalidationStatus.nextPollSeconds'),
  });
  waitInvalidation.next(checkInvalidation);
  checkInvalidation.next(
    new Choice(scope, 'IsInvalidated?')
      .when(Condition.stringEquals('$.invalidationStatus.status', 'Completed'), verify)
      .otherwise(waitInvalidation),
  );
  const invalidate = step(
    'InvalidateCache',
    fns.invalidate,
    { ...execution, ...target, 'paths.$': '$.apply.invalidationPaths' },
    '$.invalidation',
  );
  catchToRollback(invalidate);
  invalidate.next(checkInvalidation);

  // Wait for the changed distribution to deploy.
  const checkDeployment = step(
    'CheckDeployment',
    fns.checkDeployment,
    { 'distributionId.$': '$.collect.distributionId' },
    '$.deployment',
  );
  catchToRollback(checkDeployment);
  const waitDeployment = new Wait(scope, 'WaitForDeployment', {
    time: pollAfter('$.deployment.nextPollSeconds'),
  });
  waitDeployment.next(checkDeployment);
  checkDeployment.next(
    new Choice(scope, 'IsDeployed?')
      .when(Condition.stringEquals('$.deployment.status', 'Deployed'), invalidate)
      .otherwise(waitDeployment),
  );

  // Apply.
  const apply = step(
    'ApplyFix',
    fns.apply,
    { ...execution, ...target, 'planRef.$': '$.plan.planRef' },
    '$.apply',
  );
  catchToRollback(apply);
  apply.next(
    new Choice(scope, 'MustWaitForDeployment?')
      .when(Condition.booleanEquals('$.apply.waitForDeployment', true), checkDeployment)
      .otherwise(invalidate),
  );

  // Approval: a task token answered by an operator; expiry means rejected.
  const rejected = outcome('Rejected', 'REJECTED').next(notifyOutcome);
  const approvalTimedOut = new Pass(scope, 'ApprovalTimedOut', {
    result: Result.fromObject({ decision: 'timed-out' }),
    resultPath: '$.approval',
  }).next(rejected);
  const requestApproval = withRetries(
    new LambdaInvoke(scope, 'RequestApproval' satisfies TaskStateName, {
      lambdaFunction: fns.requestApproval,
      integrationPattern: IntegrationPattern.WAIT_FOR_TASK_TOKEN,
      retryOnServiceExceptions: false,
      taskTimeout: Timeout.duration(approvalTimeout),
      payload: TaskInput.fromObject({
        token: JsonPath.taskToken,
        ...execution,
        ...target,
        'planRef.$': '$.plan.planRef',
        'plan.$': '$.plan',
        'diagnosis.$': '$.diagnosis',
      }),
      resultPath: '$.approval',
    }),
  );
  requestApproval.addCatch(approvalTimedOut, { errors: ['States.Timeout'], resultPath: '$.approvalError' });
  catchToFail(requestApproval);
  requestApproval.next(
    new Choice(scope, 'IsApproved?')
      .when(Condition.stringEquals('$.approval.decision', 'approved'), apply)
      .otherwise(rejected),
  );

  // Diagnose and plan.
  const noAction = outcome('NoActionNeeded', 'NO_ACTION_NEEDED').next(notifyOutcome);
  const escalate = outcome('Escalated', 'ESCALATED').next(notifyOutcome);
  const route = new Choice(scope, 'Route')
    .when(Condition.booleanEquals('$.diagnosis.reproduced', false), noAction)
    .when(Condition.booleanEquals('$.plan.hasChanges', false), escalate)
    .when(Condition.booleanEquals('$.plan.requiresApproval', true), requestApproval)
    .otherwise(apply);
  const plan = step('PlanFix', fns.plan, { ...execution, ...target, 'diagnosis.$': '$.diagnosis' }, '$.plan');
  catchToFail(plan);
  plan.next(route);
  const classify = step('Classify', fns.classify, { ...execution, ...target }, '$.diagnosis');
  catchToFail(classify);
  classify.next(plan);

  // One remediation per distribution: a second alarm while one runs ends here, changing nothing.
  const duplicate = new Pass(scope, 'Duplicate', {
    result: Result.fromString('NO_ACTION_NEEDED'),
    resultPath: '$.outcome',
  }).next(new Succeed(scope, 'DuplicateIgnored'));
  const lock = step(
    'AcquireLock',
    fns.lock,
    { ...execution, 'distributionId.$': '$.collect.distributionId' },
    '$.lock',
  );
  catchToFail(lock);
  lock.next(
    new Choice(scope, 'IsDuplicate?')
      .when(Condition.booleanEquals('$.lock.acquired', false), duplicate)
      .otherwise(classify),
  );

  const collect = step('CollectEvidence', fns.collect, { ...execution, 'event.$': '$' }, '$.collect');
  catchToFail(collect);
  const ignored = new Succeed(scope, 'Ignored');
  collect.next(
    new Choice(scope, 'IsActionable?')
      .when(Condition.booleanEquals('$.collect.ignored', true), ignored)
      .otherwise(lock),
  );

  return DefinitionBody.fromChainable(collect);
}

/** How hard a step retries throttling/5xx surfaced by its handler. */
interface RetryBudget {
  readonly maxAttempts: number;
  readonly maxDelay: Duration;
}

const STEP_RETRIES: RetryBudget = { maxAttempts: 5, maxDelay: Duration.seconds(30) };
/** Restoring the user's data is worth waiting for: a rollback resumes where it stopped, so retries are cheap. */
const ROLLBACK_RETRIES: RetryBudget = { maxAttempts: 10, maxDelay: Duration.seconds(60) };

/** The one place retries are declared: Lambda service hiccups, then throttling/5xx surfaced by a step. */
function withRetries(task: LambdaInvoke, budget: RetryBudget = STEP_RETRIES): LambdaInvoke {
  task.addRetry({
    errors: [...LAMBDA_SERVICE_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: 4,
    jitterStrategy: JitterType.FULL,
  });
  task.addRetry({
    errors: [...RETRYABLE_STEP_ERRORS],
    interval: Duration.seconds(2),
    backoffRate: 2,
    maxAttempts: budget.maxAttempts,
    maxDelay: budget.maxDelay,
    jitterStrategy: JitterType.FULL,
  });
  return task;
}

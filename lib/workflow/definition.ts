// The remediation state machine, built with CDK chaining. Retries and catches live here only.
import { Duration } from 'aws-cdk-lib';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import {
  Choice,
  Condition,
  DefinitionBody,
  Fail,
  type IChainable,
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
import {
  CLOUDFRONT_WAIT,
  DEFAULT_WORKFLOW_DESIGN,
  LAMBDA_SERVICE_ERRORS,
  RETRYABLE_STEP_ERRORS,
  type StepName,
  type TaskStateName,
  type WorkflowDesign,
} from './steps.ts';

/** The Lambda functions the chain invokes (the approval relay runs outside it, on an EventBridge rule). */
export type WorkflowFunctions = Readonly<Record<Exclude<StepName, 'relay' | 'sweep'>, IFunction>>;

export interface WorkflowDefinitionProps {
  /** One Lambda function per step. */
  readonly functions: WorkflowFunctions;
  /**
   * How long an approval may wait; expiry counts as a rejection.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
  /**
   * How the workflow waits for CloudFront (issue 13; the bench compares the designs).
   * `in-lambda`: one Task per wait (`WaitForCloudFront`, `WaitForCacheInvalidation`, `WaitForCloudFrontRollback`)
   * that looks every few seconds inside its invocation. `wait-states`: the earlier design, a Check Task, a
   * Choice and a Wait state per look.
   * @default 'in-lambda'
   */
  readonly design?: WorkflowDesign;
  /**
   * `wait-states` only: the fraction of the time already spent to wait before the next look.
   * @default - the check step's own (8 %)
   */
  readonly pollFraction?: number;
  /**
   * `in-lambda` only: the most one invocation waits before the state machine invokes it again.
   * @default CLOUDFRONT_WAIT.maxWaitSeconds (840 s, under the waiting functions' 900 s timeout)
   */
  readonly maxWaitSeconds?: number;
  /**
   * A hub's workflow (issue 15): every step after collect gets the alarm's account (`$.collect.account`) beside
   * the distribution id, so it acts in that account.
   * @default false - single account: payloads carry no account
   */
  readonly carryAccount?: boolean;
}

/** What a wait looks at and where it goes: one of the three CloudFront waits of the workflow. */
interface CloudFrontWait {
  /** Task name per design: in-Lambda (the whole wait) and Wait-state (one look) */
  readonly task: { readonly 'in-lambda': TaskStateName; readonly 'wait-states': TaskStateName };
  /** Wait-state design only: the Wait state between looks */
  readonly pause: string;
  readonly choice: string;
  readonly fn: IFunction;
  readonly payload: Record<string, unknown>;
  readonly resultPath: string;
  /** CloudFront's word for done, in `<resultPath>.status` */
  readonly doneStatus: string;
  readonly next: IChainable;
  readonly onError: (task: LambdaInvoke) => void;
}

/** Builds the chain: collect → classify → plan → (approval) → apply → deploy → invalidate → verify → done or roll back. */
export function buildWorkflowDefinition(scope: Construct, props: WorkflowDefinitionProps): DefinitionBody {
  const fns = props.functions;
  const approvalTimeout = props.approvalTimeout ?? Duration.hours(24);
  const design = props.design ?? DEFAULT_WORKFLOW_DESIGN;

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

  /**
   * Waits for CloudFront and goes on to `next` once it is done. In-Lambda: the Task waits up to
   * `maxWaitSeconds` and the Choice invokes it again only if CloudFront is still busy (long deployments).
   * Wait states: the Task looks once and says when to look again (`nextPollSeconds`).
   */
  const waitFor = (w: CloudFrontWait): IChainable => {
    const task = step(
      w.task[design],
      w.fn,
      design === 'in-lambda'
        ? { ...w.payload, maxWaitSeconds: props.maxWaitSeconds ?? CLOUDFRONT_WAIT.maxWaitSeconds }
        : { ...w.payload, ...(props.pollFraction === undefined ? {} : { pollFraction: props.pollFraction }) },
      w.resultPath,
    );
    w.onError(task);
    const again =
      design === 'in-lambda'
        ? task
        : new Wait(scope, w.pause, {
            // Each look says when to look again (functions/domain/polling.ts): a fraction of the time spent.
            time: WaitTime.secondsPath(`${w.resultPath}.nextPollSeconds`),
          }).next(task);
    task.next(
      new Choice(scope, w.choice)
        .when(Condition.stringEquals(`${w.resultPath}.status`, w.doneStatus), w.next)
        .otherwise(again),
    );
    return task;
  };

  const execution = { 'executionId.$': '$$.Execution.Id', 'executionName.$': '$$.Execution.Name' };
  const finalInput = { ...execution, 'startedAt.$': '$$.Execution.StartTime', 'state.$': '$' };
  // A hub's steps learn the account from the payload; the key is absent in a single-account workflow.
  const distribution = {
    'distributionId.$': '$.collect.distributionId',
    ...(props.carryAccount ? { 'account.$': '$.collect.account' } : {}),
  };
  const target = { ...distribution, 'evidenceRef.$': '$.collect.evidenceRef' };
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
  const waitForRollback = waitFor({
    task: { 'in-lambda': 'WaitForCloudFrontRollback', 'wait-states': 'CheckRollbackDeployment' },
    pause: 'WaitForRollbackDeployment',
    choice: 'IsRollbackDeployed?',
    fn: fns.checkDeployment,
    payload: distribution,
    resultPath: '$.deployment',
    doneStatus: 'Deployed',
    next: rolledBack,
    onError: catchToFail,
  });
  const rollback = step('RollBack', fns.rollback, rollbackInput, '$.rollback', ROLLBACK_RETRIES);
  catchToFail(rollback);
  rollback.next(
    new Choice(scope, 'RollbackChangedDistribution?')
      .when(Condition.booleanEquals('$.rollback.distributionChanged', true), waitForRollback)
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

  // Invalidate the failing paths and wait for it. Verification waits for the invalidation to complete: until
  // then an edge may still serve the cached 403. The invalidation waits for the deployment: an edge that
  // still has the old config would cache the 403 again after an earlier invalidation, for the error caching
  // minimum TTL (10 s by default, often set longer):
  // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/custom-error-pages-expiration.html
  const waitForInvalidation = waitFor({
    task: { 'in-lambda': 'WaitForCacheInvalidation', 'wait-states': 'CheckInvalidation' },
    pause: 'WaitForInvalidation',
    choice: 'IsInvalidated?',
    fn: fns.checkInvalidation,
    payload: { ...distribution, 'invalidationId.$': '$.invalidation.invalidationId' },
    resultPath: '$.invalidationStatus',
    doneStatus: 'Completed',
    next: verify,
    onError: catchToRollback,
  });
  const invalidate = step(
    'InvalidateCache',
    fns.invalidate,
    { ...execution, ...target, 'paths.$': '$.apply.invalidationPaths' },
    '$.invalidation',
  );
  catchToRollback(invalidate);
  invalidate.next(waitForInvalidation);

  // Wait for the changed distribution to deploy.
  const waitForDeployment = waitFor({
    task: { 'in-lambda': 'WaitForCloudFront', 'wait-states': 'CheckDeployment' },
    pause: 'WaitForDeployment',
    choice: 'IsDeployed?',
    fn: fns.checkDeployment,
    payload: distribution,
    resultPath: '$.deployment',
    doneStatus: 'Deployed',
    next: invalidate,
    onError: catchToRollback,
  });

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
      .when(Condition.booleanEquals('$.apply.waitForDeployment', true), waitForDeployment)
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
  const lock = step('AcquireLock', fns.lock, { ...execution, ...distribution }, '$.lock');
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

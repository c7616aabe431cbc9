// The workflow's Lambda steps and the Task states that run them. Shared by the CDK definition
// and the local runner, so a renamed state cannot silently fall out of the simulation.

export const STEPS = [
  'collect',
  'lock',
  'classify',
  'plan',
  'requestApproval',
  'apply',
  'checkDeployment',
  'invalidate',
  'checkInvalidation',
  'verify',
  'rollback',
  'notify',
  /** not a Task state: runs on the approval automation's status change and answers the task token */
  'relay',
  /** not a Task state: runs every few minutes, reconciling pending approvals (lost events, orphans) */
  'sweep',
] as const;
export type StepName = (typeof STEPS)[number];

/** Folder under `functions/steps/` holding each step's `handler.ts`. */
export const STEP_FOLDERS = {
  collect: 'collect',
  lock: 'lock',
  classify: 'classify',
  plan: 'plan',
  requestApproval: 'request-approval',
  apply: 'apply',
  checkDeployment: 'check-deployment',
  invalidate: 'invalidate',
  checkInvalidation: 'check-invalidation',
  verify: 'verify',
  rollback: 'rollback',
  notify: 'notify',
  relay: 'relay',
  sweep: 'sweep',
} as const satisfies Record<StepName, string>;

/** Task states every design of the workflow has. */
const COMMON_TASK_STATES = {
  CollectEvidence: 'collect',
  AcquireLock: 'lock',
  Classify: 'classify',
  PlanFix: 'plan',
  RequestApproval: 'requestApproval',
  ApplyFix: 'apply',
  InvalidateCache: 'invalidate',
  VerifyFix: 'verify',
  RollBack: 'rollback',
  RollBackAfterFailure: 'rollback',
  NotifyOutcome: 'notify',
  NotifyFailure: 'notify',
} as const satisfies Record<string, StepName>;

/**
 * How the workflow waits for CloudFront (issue 13). `in-lambda`, the one deployed: one Task per wait that
 * polls inside its invocation. `wait-states`, the design before it, kept for the bench's baseline: a
 * Check Task, a Choice and a Wait state per poll.
 */
export const WORKFLOW_DESIGNS = ['in-lambda', 'wait-states'] as const;
export type WorkflowDesign = (typeof WORKFLOW_DESIGNS)[number];
export const DEFAULT_WORKFLOW_DESIGN: WorkflowDesign = 'in-lambda';

/** The Task states that wait for CloudFront, by design: the history names what the workflow waits for. */
export const WAIT_TASK_STATES = {
  'in-lambda': {
    WaitForCloudFront: 'checkDeployment',
    WaitForCacheInvalidation: 'checkInvalidation',
    WaitForCloudFrontRollback: 'checkDeployment',
  },
  'wait-states': {
    CheckDeployment: 'checkDeployment',
    CheckInvalidation: 'checkInvalidation',
    CheckRollbackDeployment: 'checkDeployment',
  },
} as const satisfies Record<WorkflowDesign, Record<string, StepName>>;

/** Task state name → the step whose handler it invokes, for every design (the local runner runs any). */
export const TASK_STATES = {
  ...COMMON_TASK_STATES,
  ...WAIT_TASK_STATES['in-lambda'],
  ...WAIT_TASK_STATES['wait-states'],
} as const satisfies Record<string, StepName>;
export type TaskStateName = keyof typeof TASK_STATES;

/** The Task states a definition of this design has. */
export function taskStatesOf(design: WorkflowDesign): TaskStateName[] {
  return [...Object.keys(COMMON_TASK_STATES), ...Object.keys(WAIT_TASK_STATES[design])] as TaskStateName[];
}

/** Task states that wait for the deployment of the fix (the bench counts CloudFront's deployment time then). */
export const DEPLOYMENT_WAIT_STATES: readonly TaskStateName[] = ['WaitForCloudFront', 'CheckDeployment'];

/**
 * The in-Lambda wait's budget. One invocation polls for at most `maxWaitSeconds`, then returns; the state
 * machine invokes it again if CloudFront is not done. The function's timeout leaves a minute for the last
 * poll and the SDK's own retries. Lambda's timeout is at most 900 s:
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-timeout.html
 * Waiting needs no memory, so the waiting functions get Lambda's smallest (128 MB, billed per GB-second):
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-memory.html
 */
export const CLOUDFRONT_WAIT = { maxWaitSeconds: 840, timeoutSeconds: 900, memoryMb: 128 } as const;

/** The steps that wait for CloudFront in the in-Lambda design. */
export const WAITING_STEPS: ReadonlySet<StepName> = new Set<StepName>([
  'checkDeployment',
  'checkInvalidation',
]);

/** Errors a step raises that are worth retrying (throttling, 5xx); matched by the state machine's Retry. */
export const RETRYABLE_STEP_ERRORS = ['RetryableAwsError'] as const;
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

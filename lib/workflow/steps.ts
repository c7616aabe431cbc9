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
} as const satisfies Record<StepName, string>;

/** Task state name → the step whose handler it invokes. */
export const TASK_STATES = {
  CollectEvidence: 'collect',
  AcquireLock: 'lock',
  Classify: 'classify',
  PlanFix: 'plan',
  RequestApproval: 'requestApproval',
  ApplyFix: 'apply',
  CheckDeployment: 'checkDeployment',
  InvalidateCache: 'invalidate',
  CheckInvalidation: 'checkInvalidation',
  VerifyFix: 'verify',
  RollBack: 'rollback',
  CheckRollbackDeployment: 'checkDeployment',
  RollBackAfterFailure: 'rollback',
  NotifyOutcome: 'notify',
  NotifyFailure: 'notify',
} as const satisfies Record<string, StepName>;
export type TaskStateName = keyof typeof TASK_STATES;

/** Errors a step raises that are worth retrying (throttling, 5xx); matched by the state machine's Retry. */
export const RETRYABLE_STEP_ERRORS = ['RetryableAwsError'] as const;
export const LAMBDA_SERVICE_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
] as const;

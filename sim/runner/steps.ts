// Step name → the real handler's `run`, as the Lambda entry points call it.
import { run as apply } from '../../functions/steps/apply/handler.ts';
import { run as checkDeployment } from '../../functions/steps/check-deployment/handler.ts';
import { run as checkInvalidation } from '../../functions/steps/check-invalidation/handler.ts';
import { run as classify } from '../../functions/steps/classify/handler.ts';
import { run as collect } from '../../functions/steps/collect/handler.ts';
import { run as invalidate } from '../../functions/steps/invalidate/handler.ts';
import { run as lock } from '../../functions/steps/lock/handler.ts';
import { run as notify } from '../../functions/steps/notify/handler.ts';
import { run as plan } from '../../functions/steps/plan/handler.ts';
import { run as relay } from '../../functions/steps/relay/handler.ts';
import { run as requestApproval } from '../../functions/steps/request-approval/handler.ts';
import { run as rollback } from '../../functions/steps/rollback/handler.ts';
import type { StepDeps } from '../../functions/steps/runtime.ts';
import { run as sweep } from '../../functions/steps/sweep/handler.ts';
import { run as verify } from '../../functions/steps/verify/handler.ts';
import type { StepName } from '../../lib/workflow/steps.ts';

export const STEP_RUNS: Record<StepName, (input: unknown, deps: StepDeps) => Promise<unknown>> = {
  collect,
  lock,
  classify,
  plan,
  requestApproval,
  apply,
  checkDeployment,
  invalidate,
  checkInvalidation,
  verify,
  rollback,
  notify,
  relay,
  sweep,
};

// Step 3: the exact changes (or recommendations) that cure the diagnosed causes.
import { executionKey } from '../../adapters/artifacts.ts';
import { planFix } from '../../domain/plan.ts';
import type { Diagnosis, Evidence } from '../../domain/types.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'plan');
  const diagnosis = i.diagnosis as Diagnosis | undefined;
  if (!diagnosis || !Array.isArray(diagnosis.causes))
    throw new InvalidStepInputError('plan: input.diagnosis is missing');
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'plan'));
  const plan = planFix(ev, diagnosis, {
    approvalRisks: deps.config.approvalRisks,
    planOnly: deps.config.planOnly,
  });
  const planRef = await deps.artifacts.put(executionKey(field(i, 'executionName', 'plan'), 'plan'), plan);
  return {
    planRef,
    hasChanges: plan.hasChanges,
    requiresApproval: plan.requiresApproval,
    actions: plan.actions.map((a) => ({
      id: a.id,
      cause: a.cause,
      risk: a.risk,
      description: a.description,
      change: a.change !== undefined,
    })),
  };
}

export const handler = lambdaHandler(run, []);

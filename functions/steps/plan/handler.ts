// Step 3: the exact changes (or recommendations) that cure the diagnosed causes, held back where the operator
// controls say so (pause switch, opt-out tag, hourly cap) or another tool owns the resource.
import { executionKey } from '../../adapters/artifacts.ts';
import { distributionTags, readControls, readOwners } from '../../adapters/guard.ts';
import { memberRoleArn } from '../../domain/accounts.ts';
import { guardPlan, holdReason } from '../../domain/guard.ts';
import { planFix } from '../../domain/plan.ts';
import type { Diagnosis, Evidence } from '../../domain/types.ts';
import type { Writer } from '../../domain/writable.ts';
import { InvalidStepInputError } from '../../errors.ts';
import {
  field,
  inputObject,
  lambdaHandler,
  otherAccountClients,
  partitionOf,
  refField,
  type StepDeps,
} from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'plan');
  const diagnosis = i.diagnosis as Diagnosis | undefined;
  if (!diagnosis || !Array.isArray(diagnosis.causes))
    throw new InvalidStepInputError('plan: input.diagnosis is missing');
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'plan'));
  const proposed = planFix(ev, diagnosis, {
    approvalRisks: deps.config.approvalRisks,
    planOnly: deps.config.planOnly,
    writer: (account) => writerIn(deps, account),
  });
  let plan = proposed;
  let heldBy: string | undefined;
  if (proposed.hasChanges) {
    const tags = await distributionTags(deps.clients, ev.distribution.ARN);
    const controls = await readControls(deps.clients, deps.config, {
      distributionArn: ev.distribution.ARN,
      now: deps.now(),
      distributionTags: tags,
    });
    heldBy = holdReason(controls, ev.distribution.Id);
    plan = guardPlan(proposed, {
      distributionId: ev.distribution.Id,
      ...(heldBy ? { hold: heldBy } : {}),
      owners: await readOwners(deps.clients, proposed, ev.distribution.Id, tags, otherAccountClients(deps)),
      applyManaged: deps.config.applyManaged,
      approvalRisks: deps.config.approvalRisks,
    });
    if (heldBy) deps.logger.info('changes held back', { reason: heldBy });
  }
  const planRef = await deps.artifacts.put(executionKey(field(i, 'executionName', 'plan'), 'plan'), plan);
  return {
    planRef,
    hasChanges: plan.hasChanges,
    requiresApproval: plan.requiresApproval,
    ...(heldBy ? { heldBy } : {}),
    actions: plan.actions.map((a) => ({
      id: a.id,
      cause: a.cause,
      risk: a.risk,
      description: a.description,
      change: a.change !== undefined,
    })),
  };
}

/**
 * The role that writes in `account`: in a hub, the member role of another account (issue 15: the hub's apply
 * step acts there through it); the apply step's own role (CF403_APPLY_ROLE_ARN) in its own account.
 */
function writerIn(deps: StepDeps, account: string): Writer | undefined {
  const { homeAccount, memberRoleName, applyRoleArn, region } = deps.config;
  if (homeAccount !== undefined && account !== homeAccount && account !== '') {
    return { roleArn: memberRoleArn(account, memberRoleName, partitionOf(region)), account };
  }
  return applyRoleArn ? { roleArn: applyRoleArn, account } : undefined;
}

export const handler = lambdaHandler(run, STEP_CLIENTS.plan, 'plan');

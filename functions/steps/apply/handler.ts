// Step 4: apply the plan, a snapshot recorded before each change, once the operator controls still allow it.
import { executionKey } from '../../adapters/artifacts.ts';
import { ChangeExecutor } from '../../adapters/executor.ts';
import { readControls, takeChangeSlot } from '../../adapters/guard.ts';
import { publish } from '../../adapters/notifier.ts';
import { holdReason } from '../../domain/guard.ts';
import { invalidationPaths } from '../../domain/invalidation.ts';
import { appliedMessage } from '../../domain/notification.ts';
import type { Evidence, Plan } from '../../domain/types.ts';
import { ChangesHeldError } from '../../errors.ts';
import {
  bestEffort,
  field,
  inputObject,
  lambdaHandler,
  otherAccountClients,
  refField,
  type StepDeps,
} from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'apply');
  const name = field(i, 'executionName', 'apply');
  const plan = await deps.artifacts.get<Plan>(refField(i, 'planRef', 'apply'));
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'apply'));
  if (plan.actions.some((a) => a.change !== undefined)) await holdUnlessAllowed(deps, ev, name);
  // a bucket or key of another account (Action.account) is written with that account's clients
  const executor = new ChangeExecutor(
    deps.clients,
    deps.artifacts,
    executionKey(name, 'snapshots'),
    otherAccountClients(deps),
  );
  const result = await executor.apply(field(i, 'distributionId', 'apply'), plan.actions);
  deps.logger.info('changes applied', { applied: result.applied.map((a) => a.actionId) });
  if (result.applied.length > 0) {
    const message = appliedMessage({
      executionId: field(i, 'executionId', 'apply'),
      distributionId: ev.distribution.Id,
      account: ev.account,
      applied: result.applied,
    });
    // The changes are made: a failed message must not fail the step (a retry would apply nothing new).
    await bestEffort(deps, 'applied notification', () =>
      publish(deps.clients.sns, deps.config.topicArn, message),
    );
  }
  return {
    ...result,
    snapshotRef: { bucket: deps.config.artifactBucket, key: executionKey(name, 'snapshots') },
    invalidationPaths: invalidationPaths(ev.requests.map((r) => r.url)),
  };
}

/**
 * The pause switch and the opt-out tag, read again (an approval may have waited hours), then one of the hour's
 * changes; throws ChangesHeldError, having changed nothing, when any of them says no.
 */
async function holdUnlessAllowed(deps: StepDeps, ev: Evidence, executionName: string): Promise<void> {
  const now = deps.now();
  const controls = await readControls(deps.clients, deps.config, {
    distributionArn: ev.distribution.ARN,
    now,
  });
  // The counter is checked atomically below; here only the pause switch and the opt-out tag.
  const held = holdReason({ ...controls, changesThisHour: 0 }, ev.distribution.Id);
  if (held) throw new ChangesHeldError(`nothing applied: ${held}`);
  const slot = await takeChangeSlot(deps.clients.dynamodb, deps.config.tableName, {
    executionName,
    now,
    maxChangesPerHour: deps.config.maxChangesPerHour,
  });
  if (!slot.taken) {
    throw new ChangesHeldError(
      `nothing applied: ${holdReason({ ...controls, changesThisHour: slot.count, hour: slot.hour }, ev.distribution.Id)}`,
    );
  }
}

export const handler = lambdaHandler(run, STEP_CLIENTS.apply, 'apply');

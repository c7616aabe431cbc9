// Step 4: apply the plan, a snapshot recorded before each change.
import { executionKey } from '../../adapters/artifacts.ts';
import { ChangeExecutor } from '../../adapters/executor.ts';
import { publish } from '../../adapters/notifier.ts';
import { invalidationPaths } from '../../domain/invalidation.ts';
import { appliedMessage } from '../../domain/notification.ts';
import type { Evidence, Plan } from '../../domain/types.ts';
import { bestEffort, field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'apply');
  const name = field(i, 'executionName', 'apply');
  const plan = await deps.artifacts.get<Plan>(refField(i, 'planRef', 'apply'));
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'apply'));
  const executor = new ChangeExecutor(deps.clients, deps.artifacts, executionKey(name, 'snapshots'));
  const result = await executor.apply(field(i, 'distributionId', 'apply'), plan.actions);
  deps.logger.info('changes applied', { applied: result.applied.map((a) => a.actionId) });
  if (result.applied.length > 0) {
    const message = appliedMessage({
      executionId: field(i, 'executionId', 'apply'),
      distributionId: ev.distribution.Id,
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

export const handler = lambdaHandler(run, ['cloudfront', 's3', 'kms', 'sns']);

// Every end of the workflow: release the lock, write the audit record, tell the topic.
import { executionKey } from '../../adapters/artifacts.ts';
import { publish } from '../../adapters/notifier.ts';
import { RemediationTable } from '../../adapters/table.ts';
import { outcomeMessage } from '../../domain/notification.ts';
import type { Plan } from '../../domain/types.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'notify');
  const executionId = field(i, 'executionId', 'notify');
  const executionName = field(i, 'executionName', 'notify');
  const state = inputObject(i.state, 'notify.state');
  const collect = state.collect as { distributionId?: string; alarmName?: string } | undefined;
  const distributionId = collect?.distributionId;
  const outcome = typeof state.outcome === 'string' ? state.outcome : 'FAILED';
  let released = false;
  if (deps.config.tableName && distributionId) {
    const table = new RemediationTable(deps.clients.dynamodb, deps.config.tableName);
    released = await table.releaseLock(distributionId, executionId);
    const plan = await deps.artifacts.find<Plan>(executionKey(executionName, 'plan'));
    const applied = new Set(
      ((state.apply as { applied?: { actionId: string }[] } | undefined)?.applied ?? []).map(
        (a) => a.actionId,
      ),
    );
    const error = state.error as { Error?: string; Cause?: string } | undefined;
    await table.putAudit({
      distributionId,
      executionId,
      executionName,
      startedAt: typeof i.startedAt === 'string' ? i.startedAt : deps.now().toISOString(),
      endedAt: deps.now().toISOString(),
      outcome,
      alarmName: collect?.alarmName,
      causes: (state.diagnosis as { causes?: unknown } | undefined)?.causes ?? [],
      plan:
        plan?.actions.map((a) => ({
          id: a.id,
          cause: a.cause,
          risk: a.risk,
          description: a.description,
          calls: a.calls,
        })) ?? [],
      approval: state.approval ?? null,
      changes: (plan?.actions ?? [])
        .filter((a) => applied.has(a.id))
        .map((a) => ({ action: a.id, diff: a.diff, rolledBack: state.rollback !== undefined })),
      error: error?.Error ? `${error.Error}: ${error.Cause ?? ''}` : undefined,
    });
  }
  const messageId = await publish(deps.clients.sns, deps.config.topicArn, outcomeMessage(executionId, state));
  return { published: messageId !== undefined, released, outcome };
}

export const handler = lambdaHandler(run);

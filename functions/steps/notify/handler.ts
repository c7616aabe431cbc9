// Every end of the workflow: release the lock, write the audit record, tell the topic.
import { executionKey } from '../../adapters/artifacts.ts';
import { isAccessDenied, isRetryable } from '../../adapters/aws-call.ts';
import { publish } from '../../adapters/notifier.ts';
import { RemediationTable } from '../../adapters/table.ts';
import { causeIds, outcomeMetrics } from '../../domain/metrics.ts';
import { outcomeMessage } from '../../domain/notification.ts';
import type { Plan } from '../../domain/types.ts';
import { AwsAccessDeniedError, AwsCallError, RetryableAwsError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

type StateError = { Error?: string; Cause?: string };

/** The failure to report: the step error, with the rollback's own failure when it could not finish. */
function reportedError(state: Record<string, unknown>): StateError | undefined {
  const error = state.error as StateError | undefined;
  const rollback = state.rollbackError as StateError | undefined;
  if (!rollback?.Error) return error;
  const rollbackText = `the rollback did not complete: ${rollback.Error}: ${rollback.Cause ?? ''}`;
  if (!error?.Error) return { Error: rollback.Error, Cause: rollbackText };
  return { Error: error.Error, Cause: `${error.Cause ?? ''}; ${rollbackText}` };
}

/** One error for the tasks that failed, retryable only when each of them is worth retrying. */
function combined(failures: { what: string; error: unknown }[]): Error {
  const msg = `notify: ${failures.map((f) => `${f.what}: ${(f.error as Error)?.message ?? String(f.error)}`).join('; ')}`;
  const cause = failures[0]?.error;
  if (failures.every((f) => isRetryable(f.error))) return new RetryableAwsError(msg, { cause });
  if (failures.some((f) => isAccessDenied(f.error))) return new AwsAccessDeniedError(msg, { cause });
  return new AwsCallError(msg, { cause });
}

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'notify');
  const executionId = field(i, 'executionId', 'notify');
  const executionName = field(i, 'executionName', 'notify');
  const state = inputObject(i.state, 'notify.state');
  const collect = state.collect as
    | { distributionId?: string; alarmName?: string; alarmTime?: string; account?: string }
    | undefined;
  const distributionId = collect?.distributionId;
  // the distribution's account (issue 15): the lock it releases and the audit record are per account
  const account = typeof collect?.account === 'string' && collect.account ? collect.account : undefined;
  const outcome = typeof state.outcome === 'string' ? state.outcome : 'FAILED';
  const error = reportedError(state);
  // Each task runs whatever happened to the others; all three are idempotent, so a retried step is harmless.
  const failures: { what: string; error: unknown }[] = [];
  const task = async <T>(what: string, fn: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await fn();
    } catch (err) {
      failures.push({ what, error: err });
      return undefined;
    }
  };
  let released = false;
  if (deps.config.tableName && distributionId) {
    const table = new RemediationTable(deps.clients.dynamodb, deps.config.tableName);
    // a lock taken without the account (an execution started before the lock was per account) is released too
    released =
      (await task(
        'release lock',
        async () =>
          (await table.releaseLock(distributionId, executionId, account)) ||
          (account !== undefined && (await table.releaseLock(distributionId, executionId))),
      )) ?? false;
    await task('audit record', async () => {
      const plan = await deps.artifacts.find<Plan>(executionKey(executionName, 'plan'));
      const applied = new Set(
        ((state.apply as { applied?: { actionId: string }[] } | undefined)?.applied ?? []).map(
          (a) => a.actionId,
        ),
      );
      await table.putAudit({
        distributionId,
        ...(account ? { account } : {}),
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
    });
  }
  const messageId = await task('outcome notification', () =>
    publish(deps.clients.sns, deps.config.topicArn, outcomeMessage(executionId, { ...state, error })),
  );
  // Counted once the outcome is final, before a failed task makes Step Functions retry this step.
  if (failures.length === 0)
    for (const point of outcomeMetrics({
      outcome,
      causes: causeIds(state.diagnosis),
      alarmTime: collect?.alarmTime,
      endedAt: deps.now(),
    }))
      deps.metrics.record(point);
  if (failures.length > 0) throw combined(failures);
  return { published: messageId !== undefined, released, outcome };
}

export const handler = lambdaHandler(run, STEP_CLIENTS.notify, 'notify');

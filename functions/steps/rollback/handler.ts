// Restore every snapshot this execution recorded, exactly, with fresh ETags.
import { executionKey } from '../../adapters/artifacts.ts';
import { ChangeExecutor } from '../../adapters/executor.ts';
import { field, inputObject, lambdaHandler, otherAccountClients, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'rollback');
  const name = field(i, 'executionName', 'rollback');
  // The plan's changes, named in the error should the snapshots themselves be unreadable.
  const planned = (Array.isArray(i.actions) ? i.actions : [])
    .filter((a): a is { description: string; change?: unknown } => typeof a?.description === 'string')
    .filter((a) => a.change !== false)
    .map((a) => a.description);
  // each snapshot of another account's bucket or key names that account: restored with its clients
  const executor = new ChangeExecutor(
    deps.clients,
    deps.artifacts,
    executionKey(name, 'snapshots'),
    otherAccountClients(deps),
  );
  const result = await executor.rollback(planned);
  deps.logger.info('rolled back', { restored: result.restored });
  return result;
}

export const handler = lambdaHandler(run, STEP_CLIENTS.rollback, 'rollback');

// Restore every snapshot this execution recorded, exactly, with fresh ETags.
import { executionKey } from '../../adapters/artifacts.ts';
import { ChangeExecutor } from '../../adapters/executor.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'rollback');
  const name = field(i, 'executionName', 'rollback');
  // The plan's changes, named in the error should the snapshots themselves be unreadable.
  const planned = (Array.isArray(i.actions) ? i.actions : [])
    .filter((a): a is { description: string; change?: unknown } => typeof a?.description === 'string')
    .filter((a) => a.change !== false)
    .map((a) => a.description);
  const executor = new ChangeExecutor(deps.clients, deps.artifacts, executionKey(name, 'snapshots'));
  const result = await executor.rollback(planned);
  deps.logger.info('rolled back', { restored: result.restored });
  return result;
}

export const handler = lambdaHandler(run, ['cloudfront', 's3', 'kms', 'lambda']);

// Restore every snapshot this execution recorded, exactly, with fresh ETags.
import { executionKey } from '../../adapters/artifacts.ts';
import { ChangeExecutor } from '../../adapters/executor.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const name = field(inputObject(input, 'rollback'), 'executionName', 'rollback');
  const executor = new ChangeExecutor(deps.clients, deps.artifacts, executionKey(name, 'snapshots'));
  const result = await executor.rollback();
  deps.logger.info('rolled back', { restored: result.restored });
  return result;
}

export const handler = lambdaHandler(run);

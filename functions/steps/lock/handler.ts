// One remediation per distribution: take the lock before planning; a second alarm meanwhile is a duplicate.
import { RemediationTable } from '../../adapters/table.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'lock');
  const distributionId = field(i, 'distributionId', 'lock');
  const executionId = field(i, 'executionId', 'lock');
  if (!deps.config.tableName) return { acquired: true, reason: 'no lock table configured' };
  // one remediation per account and distribution (issue 15): the account is part of the lock's key
  const account = typeof i.account === 'string' && i.account ? i.account : undefined;
  const table = new RemediationTable(deps.clients.dynamodb, deps.config.tableName);
  const now = Math.floor(deps.now().getTime() / 1000);
  const result = await table.acquireLock(distributionId, executionId, now, deps.config.lockSeconds, account);
  if (!result.acquired)
    deps.logger.info('duplicate: another remediation holds the lock', { holder: result.holder });
  return result;
}

export const handler = lambdaHandler(run, STEP_CLIENTS.lock, 'lock');

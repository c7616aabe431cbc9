// Ask a human: start the console approval (SSM Automation aws:approve), keep the task token in the table,
// tell the topic. The token goes nowhere else.

import { cancelApproval, startApproval } from '../../adapters/approvals.ts';
import { executionKey } from '../../adapters/artifacts.ts';
import { publish } from '../../adapters/notifier.ts';
import { RemediationTable } from '../../adapters/table.ts';
import { approvalMessage, approvalSummary } from '../../domain/notification.ts';
import type { Diagnosis, Plan } from '../../domain/types.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { bestEffort, field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'requestApproval');
  const executionId = field(i, 'executionId', 'requestApproval');
  const distributionId = field(i, 'distributionId', 'requestApproval');
  const token = field(i, 'token', 'requestApproval');
  const plan = await deps.artifacts.get<Plan>(refField(i, 'planRef', 'requestApproval'));
  const diagnosis = i.diagnosis as Diagnosis;
  const { approvalDocument, tableName, approvers, minApprovals } = deps.config;
  if (!approvalDocument || !tableName) {
    throw new InvalidStepInputError(
      'requestApproval: CF403_APPROVAL_DOCUMENT and CF403_TABLE_NAME must be set',
    );
  }
  const automationExecutionId = await startApproval(deps.clients.ssm, {
    document: approvalDocument,
    approvers,
    minApprovals,
    message: approvalSummary(distributionId, diagnosis, plan),
    executionId,
    distributionId,
  });
  const ttl = Math.floor(deps.now().getTime() / 1000) + deps.config.lockSeconds;
  try {
    await deps.artifacts.put(executionKey(field(i, 'executionName', 'requestApproval'), 'approval'), {
      automationExecutionId,
      requestedAt: deps.now().toISOString(),
    });
    // Last: once the token is in the table, an operator's answer reaches this task.
    await new RemediationTable(deps.clients.dynamodb, tableName).putApproval(
      automationExecutionId,
      { taskToken: token, executionId, distributionId },
      ttl,
    );
  } catch (err) {
    // The state machine retries this step with a new task token and a new automation: cancel this one so
    // no operator answers an approval that leads nowhere.
    await bestEffort(deps, `cancel approval ${automationExecutionId}`, () =>
      cancelApproval(deps.clients.ssm, automationExecutionId),
    );
    throw err;
  }
  const message = approvalMessage({ executionId, distributionId, diagnosis, plan, automationExecutionId });
  // The approval waits in Systems Manager (and `cf403 pending`) whether or not the message goes out.
  await bestEffort(deps, 'approval notification', () =>
    publish(deps.clients.sns, deps.config.topicArn, message),
  );
  return { requested: true, automationExecutionId };
}

export const handler = lambdaHandler(run, ['ssm', 'dynamodb', 'sns']);

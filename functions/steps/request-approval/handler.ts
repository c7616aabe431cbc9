// Ask a human: start the console approval (SSM Automation aws:approve), keep the task token in the table,
// tell the topic. The token goes nowhere else.

import { startApproval } from '../../adapters/approvals.ts';
import { executionKey } from '../../adapters/artifacts.ts';
import { publish } from '../../adapters/notifier.ts';
import { RemediationTable } from '../../adapters/table.ts';
import { approvalMessage, approvalSummary } from '../../domain/notification.ts';
import type { Diagnosis, Plan } from '../../domain/types.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

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
  await new RemediationTable(deps.clients.dynamodb, tableName).putApproval(
    automationExecutionId,
    { taskToken: token, executionId, distributionId },
    ttl,
  );
  await deps.artifacts.put(executionKey(field(i, 'executionName', 'requestApproval'), 'approval'), {
    automationExecutionId,
    requestedAt: deps.now().toISOString(),
  });
  await publish(
    deps.clients.sns,
    deps.config.topicArn,
    approvalMessage({ executionId, distributionId, diagnosis, plan, automationExecutionId }),
  );
  return { requested: true, automationExecutionId };
}

export const handler = lambdaHandler(run);

// Ask a human: start the console approval (SSM Automation aws:approve) at the document version this stack
// deployed, keep the task token in the table, tell the topic. The token goes nowhere else.

import { cancelApproval, PendingApprovals, startApproval } from '../../adapters/approvals.ts';
import { executionKey } from '../../adapters/artifacts.ts';
import { publish } from '../../adapters/notifier.ts';
import { METRIC } from '../../domain/metrics.ts';
import { approvalMessage, approvalSummary } from '../../domain/notification.ts';
import type { Diagnosis, Plan } from '../../domain/types.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { bestEffort, field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'requestApproval');
  const executionId = field(i, 'executionId', 'requestApproval');
  const distributionId = field(i, 'distributionId', 'requestApproval');
  const token = field(i, 'token', 'requestApproval');
  // the distribution's account (issue 15), named to the approvers; absent in older payloads
  const account = typeof i.account === 'string' && i.account ? i.account : undefined;
  const { approvalDocument, approvalDocumentVersion, tableName, approvers, minApprovals } = deps.config;
  if (!approvalDocument || !approvalDocumentVersion || !tableName) {
    throw new InvalidStepInputError(
      'requestApproval: CF403_APPROVAL_DOCUMENT, CF403_APPROVAL_DOCUMENT_VERSION and CF403_TABLE_NAME must be set',
    );
  }
  const plan = await deps.artifacts.get<Plan>(refField(i, 'planRef', 'requestApproval'));
  const diagnosis = i.diagnosis as Diagnosis;
  const { automationExecutionId, documentVersion } = await startApproval(deps.clients.ssm, {
    document: approvalDocument,
    versionName: approvalDocumentVersion,
    approvers,
    minApprovals,
    message: approvalSummary(distributionId, diagnosis, plan, account),
    executionId,
    distributionId,
  });
  const now = deps.now();
  const ttl = Math.floor(now.getTime() / 1000) + deps.config.lockSeconds;
  try {
    await deps.artifacts.put(executionKey(field(i, 'executionName', 'requestApproval'), 'approval'), {
      automationExecutionId,
      documentVersion,
      requestedAt: now.toISOString(),
    });
    // Last: once the token is in the table, an operator's answer reaches this task.
    await new PendingApprovals(deps.clients.dynamodb, tableName).put(
      {
        automationExecutionId,
        taskToken: token,
        executionId,
        distributionId,
        documentVersion,
        requestedAt: now.toISOString(),
      },
      ttl,
    );
  } catch (err) {
    // The state machine retries this step with a new task token and a new automation: cancel this one so
    // no operator answers an approval that leads nowhere (the sweep cancels it later if this fails too).
    await bestEffort(deps, `cancel approval ${automationExecutionId}`, () =>
      cancelApproval(deps.clients.ssm, automationExecutionId),
    );
    throw err;
  }
  deps.metrics.record({ name: METRIC.approvalsRequested, unit: 'Count', value: 1 });
  const message = approvalMessage({
    executionId,
    distributionId,
    ...(account ? { account } : {}),
    diagnosis,
    plan,
    automationExecutionId,
  });
  // The approval waits in Systems Manager (and `cf403 pending`) whether or not the message goes out.
  await bestEffort(deps, 'approval notification', () =>
    publish(deps.clients.sns, deps.config.topicArn, message),
  );
  return { requested: true, automationExecutionId, documentVersion };
}

export const handler = lambdaHandler(run, STEP_CLIENTS.requestApproval, 'requestApproval');

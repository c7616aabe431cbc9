// Runs when an approval automation ends: judges the execution as Systems Manager reports it (never the event),
// answers the workflow's task token, and deletes the pending record only once Step Functions took the answer.
// A failure leaves the record: EventBridge retries this function, and the sweep finishes what it could not.
import { PendingApprovals, type RelayConfig, relayApproval } from '../../adapters/approvals.ts';
import { METRIC } from '../../domain/metrics.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

/** Where the relay and the sweep take their settings; both refuse to run half-configured. */
export function relaySetup(deps: StepDeps, step: string): { store: PendingApprovals; config: RelayConfig } {
  const { tableName, approvalDocument, approvers, minApprovals } = deps.config;
  if (!tableName || !approvalDocument || approvers.length === 0)
    throw new InvalidStepInputError(
      `${step}: CF403_TABLE_NAME, CF403_APPROVAL_DOCUMENT and CF403_APPROVERS must be set`,
    );
  return {
    store: new PendingApprovals(deps.clients.dynamodb, tableName),
    config: { document: approvalDocument, approvers, minApprovals },
  };
}

export async function run(input: unknown, deps: StepDeps) {
  const event = inputObject(input, 'relay');
  // Only the execution id is taken from the event, and only to know which approval to look at.
  if (event.source !== 'aws.ssm')
    throw new InvalidStepInputError(`relay: expected an aws.ssm event, got ${String(event.source)}`);
  const detail = inputObject(event.detail, 'relay.detail');
  const automationExecutionId = detail.ExecutionId;
  if (typeof automationExecutionId !== 'string' || automationExecutionId === '')
    throw new InvalidStepInputError('relay: detail.ExecutionId is missing');
  const { store, config } = relaySetup(deps, 'relay');
  const result = await relayApproval(deps.clients, store, config, automationExecutionId);
  if (result.relayed) deps.metrics.record({ name: METRIC.approvalsClosed, unit: 'Count', value: 1 });
  // The token itself is never logged.
  if (!result.relayed) {
    deps.logger.info('approval event ignored', { automationExecutionId, reason: result.reason });
  } else if (result.decision === 'refused') {
    deps.logger.warn('approval refused', {
      automationExecutionId,
      executionId: result.executionId,
      reason: result.reason,
    });
  } else {
    deps.logger.info('approval relayed', {
      automationExecutionId,
      executionId: result.executionId,
      decision: result.decision,
      approvers: result.approvers.map((a) => a.approver),
    });
  }
  return result;
}

export const handler = lambdaHandler(run, STEP_CLIENTS.relay, 'relay');

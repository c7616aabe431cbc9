// Runs when the approval automation ends: reads who decided what, answers the workflow's task token.
import { SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { approvalOutcome } from '../../adapters/approvals.ts';
import { awsCall } from '../../adapters/aws-call.ts';
import { RemediationTable } from '../../adapters/table.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const event = inputObject(input, 'relay');
  if (event.source !== 'aws.ssm')
    throw new InvalidStepInputError(`relay: expected an aws.ssm event, got ${String(event.source)}`);
  const detail = inputObject(event.detail, 'relay.detail');
  const automationExecutionId = detail.ExecutionId;
  if (typeof automationExecutionId !== 'string')
    throw new InvalidStepInputError('relay: detail.ExecutionId is missing');
  if (!deps.config.tableName) throw new InvalidStepInputError('relay: CF403_TABLE_NAME is not set');
  const outcome = await approvalOutcome(deps.clients.ssm, automationExecutionId);
  if (outcome.decision === 'pending')
    return { relayed: false, reason: `automation ${automationExecutionId} is ${outcome.status}` };
  const table = new RemediationTable(deps.clients.dynamodb, deps.config.tableName);
  const record = await table.takeApproval(automationExecutionId);
  // Already answered (a redelivered event) or not ours: nothing to do. The token itself is never logged.
  if (!record) return { relayed: false, reason: 'no waiting task for this automation' };
  if (outcome.decision === 'timed-out') {
    await awsCall('SendTaskFailure', () =>
      deps.clients.sfn.send(
        new SendTaskFailureCommand({
          taskToken: record.taskToken,
          error: 'States.Timeout',
          cause: 'the approval timed out in Systems Manager',
        }),
      ),
    );
  } else {
    const output = { decision: outcome.decision, approvers: outcome.approvers, automationExecutionId };
    await awsCall('SendTaskSuccess', () =>
      deps.clients.sfn.send(
        new SendTaskSuccessCommand({ taskToken: record.taskToken, output: JSON.stringify(output) }),
      ),
    );
  }
  deps.logger.info('approval relayed', {
    executionId: record.executionId,
    decision: outcome.decision,
    approvers: outcome.approvers.map((a) => a.approver),
  });
  return { relayed: true, decision: outcome.decision, executionId: record.executionId };
}

export const handler = lambdaHandler(run, ['ssm', 'dynamodb', 'sfn']);

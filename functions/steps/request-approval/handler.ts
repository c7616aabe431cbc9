// Ask a human: the plan goes to the topic; the task token stays in the private artifact bucket.
import { PublishCommand } from '@aws-sdk/client-sns';
import { executionKey } from '../../adapters/artifacts.ts';
import { awsCall } from '../../adapters/aws-call.ts';
import { approvalMessage } from '../../domain/notification.ts';
import type { Diagnosis, Plan } from '../../domain/types.ts';
import { field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'requestApproval');
  const name = field(i, 'executionName', 'requestApproval');
  const token = field(i, 'token', 'requestApproval');
  const plan = await deps.artifacts.get<Plan>(refField(i, 'planRef', 'requestApproval'));
  const diagnosis = i.diagnosis as Diagnosis;
  await deps.artifacts.put(executionKey(name, 'approval-token'), {
    token,
    requestedAt: deps.now().toISOString(),
  });
  const msg = approvalMessage({
    executionId: field(i, 'executionId', 'requestApproval'),
    distributionId: field(i, 'distributionId', 'requestApproval'),
    diagnosis,
    plan,
  });
  if (deps.config.topicArn) {
    const topicArn = deps.config.topicArn;
    await awsCall('Publish approval request', () =>
      deps.clients.sns.send(
        new PublishCommand({ TopicArn: topicArn, Subject: msg.subject, Message: msg.body }),
      ),
    );
  }
  return { requested: true };
}

export const handler = lambdaHandler(run);

// Every end of the workflow tells the topic what happened.
import { PublishCommand } from '@aws-sdk/client-sns';
import { awsCall } from '../../adapters/aws-call.ts';
import { outcomeMessage } from '../../domain/notification.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'notify');
  const msg = outcomeMessage(field(i, 'executionId', 'notify'), inputObject(i.state, 'notify.state'));
  if (!deps.config.topicArn) return { published: false, subject: msg.subject };
  const topicArn = deps.config.topicArn;
  const out = await awsCall('Publish outcome', () =>
    deps.clients.sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: msg.subject, Message: msg.body }),
    ),
  );
  return { published: true, subject: msg.subject, messageId: out.MessageId };
}

export const handler = lambdaHandler(run);

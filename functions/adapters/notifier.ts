// Publishes a message to the notification topic, when one is configured.
import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Message } from '../domain/notification.ts';
import { awsCall } from './aws-call.ts';

export async function publish(
  sns: SNSClient,
  topicArn: string | undefined,
  msg: Message,
): Promise<string | undefined> {
  if (!topicArn) return undefined;
  const out = await awsCall(`Publish ${msg.subject}`, () =>
    sns.send(
      new PublishCommand({
        TopicArn: topicArn,
        Subject: msg.subject,
        Message: msg.body,
        MessageAttributes: { type: { DataType: 'String', StringValue: msg.type } },
      }),
    ),
  );
  return out.MessageId;
}

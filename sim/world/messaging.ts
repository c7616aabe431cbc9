// SNS notifications and Step Functions task-token callbacks: recorded on the world for tests to read.

import type {
  SendTaskFailureCommandInput,
  SendTaskFailureCommandOutput,
  SendTaskSuccessCommandInput,
  SendTaskSuccessCommandOutput,
} from '@aws-sdk/client-sfn';
import type { PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

export function snsHandlers(world: World): Handlers {
  return {
    Publish: handler<PublishCommandInput, Out<PublishCommandOutput>>((input) => {
      const topicArn = input.TopicArn ?? input.TargetArn;
      if (!topicArn || input.Message === undefined) {
        throw serviceError({
          service: 'sns',
          name: 'InvalidParameterException',
          message: 'Invalid parameter: TopicArn or Message',
          status: 400,
        });
      }
      world.notifications.push({ topicArn, subject: input.Subject, message: input.Message });
      return { MessageId: world.ids.uuid() };
    }),
  };
}

export function sfnHandlers(world: World): Handlers {
  const requireToken = (token: string | undefined): string => {
    if (!token)
      throw serviceError({ service: 'sfn', name: 'InvalidToken', message: 'Invalid Token', status: 400 });
    return token;
  };
  return {
    SendTaskSuccess: handler<SendTaskSuccessCommandInput, Out<SendTaskSuccessCommandOutput>>((input) => {
      world.taskSignals.push({
        kind: 'success',
        taskToken: requireToken(input.taskToken),
        output: input.output,
        at: world.now(),
      });
      return {};
    }),
    SendTaskFailure: handler<SendTaskFailureCommandInput, Out<SendTaskFailureCommandOutput>>((input) => {
      world.taskSignals.push({
        kind: 'failure',
        taskToken: requireToken(input.taskToken),
        error: input.error,
        cause: input.cause,
        at: world.now(),
      });
      return {};
    }),
  };
}

// SNS notifications and Step Functions task-token callbacks: recorded on the world for tests to read.

import type {
  SendTaskFailureCommandInput,
  SendTaskFailureCommandOutput,
  SendTaskHeartbeatCommandInput,
  SendTaskHeartbeatCommandOutput,
  SendTaskSuccessCommandInput,
  SendTaskSuccessCommandOutput,
} from '@aws-sdk/client-sfn';
import type { PublishCommandInput, PublishCommandOutput } from '@aws-sdk/client-sns';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { TaskSignal, World } from './world.ts';

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

/**
 * Ends a task as Step Functions does when it times out or its execution stops: its token is answered with
 * TaskTimedOut from then on. A token is also closed by its first successful SendTaskSuccess/SendTaskFailure.
 */
export function closeTask(world: World, taskToken: string): void {
  world.state.closedTaskTokens ??= new Set();
  world.state.closedTaskTokens.add(taskToken);
}

export function sfnHandlers(world: World): Handlers {
  // Any token the runner handed out is open until answered or closed; a task answered or closed is gone:
  // Step Functions answers TaskTimedOut (SendTaskSuccess / SendTaskFailure / SendTaskHeartbeat API
  // references, "Errors": TaskTimedOut, TaskDoesNotExist, InvalidToken).
  const openToken = (token: string | undefined): string => {
    if (!token)
      throw serviceError({ service: 'sfn', name: 'InvalidToken', message: 'Invalid Token', status: 400 });
    if (world.state.closedTaskTokens?.has(token))
      throw serviceError({
        service: 'sfn',
        name: 'TaskTimedOut',
        message: "Task Timed Out: 'Provided task does not exist anymore'",
        status: 400,
      });
    return token;
  };
  const answer = (signal: Omit<TaskSignal, 'at'>) => {
    world.taskSignals.push({ ...signal, at: world.now() });
    closeTask(world, signal.taskToken);
    return {};
  };
  return {
    SendTaskSuccess: handler<SendTaskSuccessCommandInput, Out<SendTaskSuccessCommandOutput>>((input) =>
      answer({ kind: 'success', taskToken: openToken(input.taskToken), output: input.output }),
    ),
    SendTaskFailure: handler<SendTaskFailureCommandInput, Out<SendTaskFailureCommandOutput>>((input) =>
      answer({
        kind: 'failure',
        taskToken: openToken(input.taskToken),
        error: input.error,
        cause: input.cause,
      }),
    ),
    SendTaskHeartbeat: handler<SendTaskHeartbeatCommandInput, Out<SendTaskHeartbeatCommandOutput>>(
      (input) => {
        openToken(input.taskToken);
        return {};
      },
    ),
  };
}

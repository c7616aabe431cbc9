// Poll: has the invalidation completed?
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { nextPollSeconds } from '../../domain/polling.ts';
import { PollTimeoutError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

/** Invalidations complete in minutes; one still running after this is stuck. */
export const INVALIDATION_TIMEOUT_SECONDS = 3600;

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'checkInvalidation');
  const dist = field(i, 'distributionId', 'checkInvalidation');
  const id = field(i, 'invalidationId', 'checkInvalidation');
  const out = await awsCall(`GetInvalidation ${id}`, () =>
    deps.clients.cloudfront.send(new GetInvalidationCommand({ DistributionId: dist, Id: id })),
  );
  const status = out.Invalidation?.Status ?? 'Unknown';
  const since = out.Invalidation?.CreateTime;
  if (status !== 'Completed' && since !== undefined) {
    const seconds = (deps.now().getTime() - since.getTime()) / 1000;
    if (seconds > INVALIDATION_TIMEOUT_SECONDS) {
      throw new PollTimeoutError(
        `invalidation ${id} of distribution ${dist} is still ${status} after ${Math.round(seconds / 60)} minutes; gave up after ${INVALIDATION_TIMEOUT_SECONDS / 60} minutes`,
      );
    }
  }
  const elapsed = since === undefined ? 0 : (deps.now().getTime() - since.getTime()) / 1000;
  return { status, nextPollSeconds: nextPollSeconds(elapsed) };
}

export const handler = lambdaHandler(run, ['cloudfront']);

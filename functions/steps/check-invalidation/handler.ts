// Has the invalidation completed? Looks once (Wait-state design) or waits inside the invocation for up to
// `maxWaitSeconds` (in-Lambda design), see functions/domain/polling.ts.
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { type Look, lookInput, lookOrWait } from '../../domain/polling.ts';
import { PollTimeoutError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

/** Invalidations complete in minutes; one still running after this is stuck. */
export const INVALIDATION_TIMEOUT_SECONDS = 3600;

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'checkInvalidation');
  const dist = field(i, 'distributionId', 'checkInvalidation');
  const id = field(i, 'invalidationId', 'checkInvalidation');
  const how = lookInput(i, 'checkInvalidation');
  const look = async (): Promise<Look> => {
    const out = await awsCall(`GetInvalidation ${id}`, () =>
      deps.clients.cloudfront.send(new GetInvalidationCommand({ DistributionId: dist, Id: id })),
    );
    // GetInvalidation: Status is `InProgress` or `Completed`, CreateTime when it started
    // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Invalidation.html).
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
    return { status, done: status === 'Completed', ...(since ? { since } : {}) };
  };
  return lookOrWait(look, how, deps);
}

export const handler = lambdaHandler(run, STEP_CLIENTS.checkInvalidation, 'checkInvalidation');

// Has the distribution reached Deployed? Looks once (Wait-state design) or waits inside the invocation for up
// to `maxWaitSeconds` (in-Lambda design), see functions/domain/polling.ts.
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { type Look, lookInput, lookOrWait } from '../../domain/polling.ts';
import { PollTimeoutError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

/** CloudFront deploys in minutes; a distribution still InProgress this long after its last change is stuck. */
export const DEPLOYMENT_TIMEOUT_SECONDS = 2 * 3600;

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'checkDeployment');
  const id = field(i, 'distributionId', 'checkDeployment');
  const how = lookInput(i, 'checkDeployment');
  const look = async (): Promise<Look> => {
    const out = await awsCall(`GetDistribution ${id}`, () =>
      deps.clients.cloudfront.send(new GetDistributionCommand({ Id: id })),
    );
    // GetDistribution: Status is `Deployed` or `InProgress`, LastModifiedTime the last change
    // (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_Distribution.html).
    const status = out.Distribution?.Status ?? 'Unknown';
    const since = out.Distribution?.LastModifiedTime;
    // Waiting has no end of its own: without this, a stuck deployment would be waited for forever.
    if (status !== 'Deployed' && since !== undefined) {
      const seconds = (deps.now().getTime() - since.getTime()) / 1000;
      if (seconds > DEPLOYMENT_TIMEOUT_SECONDS) {
        throw new PollTimeoutError(
          `distribution ${id} is still ${status} ${Math.round(seconds / 60)} minutes after its last change (${since.toISOString()}); gave up after ${DEPLOYMENT_TIMEOUT_SECONDS / 60} minutes`,
        );
      }
    }
    return { status, done: status === 'Deployed', ...(since ? { since } : {}) };
  };
  return lookOrWait(look, how, deps);
}

export const handler = lambdaHandler(run, STEP_CLIENTS.checkDeployment, 'checkDeployment');

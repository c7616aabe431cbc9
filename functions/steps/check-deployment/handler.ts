// Poll: has the distribution reached Deployed?
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { nextPollSeconds } from '../../domain/polling.ts';
import { PollTimeoutError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

/** CloudFront deploys in minutes; a distribution still InProgress this long after its last change is stuck. */
export const DEPLOYMENT_TIMEOUT_SECONDS = 2 * 3600;

export async function run(input: unknown, deps: StepDeps) {
  const id = field(inputObject(input, 'checkDeployment'), 'distributionId', 'checkDeployment');
  const out = await awsCall(`GetDistribution ${id}`, () =>
    deps.clients.cloudfront.send(new GetDistributionCommand({ Id: id })),
  );
  const status = out.Distribution?.Status ?? 'Unknown';
  const since = out.Distribution?.LastModifiedTime;
  // The polling loop has no end of its own: without this, a stuck deployment would poll for a year.
  if (status !== 'Deployed' && since !== undefined) {
    const seconds = (deps.now().getTime() - since.getTime()) / 1000;
    if (seconds > DEPLOYMENT_TIMEOUT_SECONDS) {
      throw new PollTimeoutError(
        `distribution ${id} is still ${status} ${Math.round(seconds / 60)} minutes after its last change (${since.toISOString()}); gave up after ${DEPLOYMENT_TIMEOUT_SECONDS / 60} minutes`,
      );
    }
  }
  const elapsed = since === undefined ? 0 : (deps.now().getTime() - since.getTime()) / 1000;
  return { status, nextPollSeconds: nextPollSeconds(elapsed) };
}

export const handler = lambdaHandler(run, ['cloudfront']);

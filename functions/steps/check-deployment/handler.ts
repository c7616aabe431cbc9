// Poll: has the distribution reached Deployed?
import { GetDistributionCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const id = field(inputObject(input, 'checkDeployment'), 'distributionId', 'checkDeployment');
  const out = await awsCall(`GetDistribution ${id}`, () =>
    deps.clients.cloudfront.send(new GetDistributionCommand({ Id: id })),
  );
  return { status: out.Distribution?.Status ?? 'Unknown' };
}

export const handler = lambdaHandler(run);

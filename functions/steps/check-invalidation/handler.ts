// Poll: has the invalidation completed?
import { GetInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'checkInvalidation');
  const dist = field(i, 'distributionId', 'checkInvalidation');
  const id = field(i, 'invalidationId', 'checkInvalidation');
  const out = await awsCall(`GetInvalidation ${id}`, () =>
    deps.clients.cloudfront.send(new GetInvalidationCommand({ DistributionId: dist, Id: id })),
  );
  return { status: out.Invalidation?.Status ?? 'Unknown' };
}

export const handler = lambdaHandler(run);

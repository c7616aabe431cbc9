// Invalidate the failing paths so cached error responses do not outlive the fix.
import { CreateInvalidationCommand } from '@aws-sdk/client-cloudfront';
import { awsCall } from '../../adapters/aws-call.ts';
import { InvalidStepInputError } from '../../errors.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'invalidate');
  const id = field(i, 'distributionId', 'invalidate');
  const paths = i.paths;
  if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string')) {
    throw new InvalidStepInputError('invalidate: input.paths must be a non-empty list of paths');
  }
  // The execution name makes a retried call idempotent: CloudFront returns the same invalidation.
  const callerReference = `cf403-${field(i, 'executionName', 'invalidate')}`.slice(0, 128);
  const out = await awsCall(`CreateInvalidation ${id}`, () =>
    deps.clients.cloudfront.send(
      new CreateInvalidationCommand({
        DistributionId: id,
        InvalidationBatch: {
          CallerReference: callerReference,
          Paths: { Quantity: paths.length, Items: paths },
        },
      }),
    ),
  );
  // Small output for the history: the paths are already in the state ($.apply.invalidationPaths).
  return {
    invalidationId: out.Invalidation?.Id ?? '',
    status: out.Invalidation?.Status ?? 'Unknown',
    pathCount: paths.length,
  };
}

export const handler = lambdaHandler(run, STEP_CLIENTS.invalidate, 'invalidate');

// The IAM names of a call, from the same operation-to-action table the simulated account authorizes with
// (cli/iam-actions.ts, the Service Authorization Reference as data).
import type { ServiceName } from '../sim/world/errors.ts';
import { iamRequests, missingObjectRequest } from './iam-actions.ts';
import type { IamNamer, IamRequest } from './refusals.ts';

/** The table's requests for a call; an operation it does not map is named after itself. */
export const iamNamer: IamNamer = (call, ctx) => {
  let named: IamRequest[];
  try {
    // a client the table does not know (throws) is named after its operation by the caller
    named = iamRequests(ctx, call.service as ServiceName, call.operation, call.input).map(
      ({ action, resource }) => ({
        action,
        resource,
      }),
    );
  } catch {
    named = [];
  }
  // S3 answers a missing key with 403 instead of 404 when the caller lacks s3:ListBucket
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadObject.html, "Permissions").
  if (call.service === 's3' && (call.operation === 'HeadObject' || call.operation === 'GetObject')) {
    const bucket = typeof call.input.Bucket === 'string' ? call.input.Bucket : '';
    const { action, resource } = missingObjectRequest(ctx, bucket);
    named.push({ action, resource });
  }
  return named;
};

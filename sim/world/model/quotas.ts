// Limits that live in AWS's quota and documentation pages rather than in the service models, enforced like model
// constraints: a violation per exceeded row, and the error the service answers. Each row cites its page.
//
// Not a row: the SSM `aws:approve` step's Message may be 4,096 characters
// (https://docs.aws.amazon.com/systems-manager/latest/userguide/automation-action-approve.html), but a message
// passed in through StartAutomationExecution is an AutomationParameterValue, which the SSM model already caps at
// 1..512 characters (constraints.json), so the model's stricter limit binds first.
import { type ServiceName, serviceError } from '../errors.ts';
import { validationMessage } from './errors.ts';
import { type ModelViolation, utf8Length } from './validate.ts';

interface QuotaRow {
  id: string;
  service: ServiceName;
  operation: string;
  /** what the page calls the limit */
  title: string;
  limit: number;
  unit: 'bytes' | 'items';
  /** AWS-style path of the member measured */
  path: string;
  /** the same path as AWS's validation messages spell it */
  awsPath: string;
  /** the measured size, or undefined when the member is absent */
  measure: (input: Record<string, unknown>) => number | undefined;
  error: { name: string; status: number; message: (v: ModelViolation) => string };
  /** the member is sensitive in the model: messages leave its value out */
  sensitive?: boolean;
}

function get(obj: unknown, ...keys: string[]): unknown {
  let cur: unknown = obj;
  for (const k of keys) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

function itemCount(obj: unknown, ...keys: string[]): number | undefined {
  const items = get(obj, ...keys);
  return Array.isArray(items) ? items.length : undefined;
}

function textBytes(value: unknown): number | undefined {
  if (typeof value === 'string') return utf8Length(value);
  if (value instanceof Uint8Array) return value.byteLength;
  return undefined;
}

/** S3 measures a bucket policy with its insignificant whitespace removed (JSON re-serialized compactly). */
function compactPolicyBytes(value: unknown): number | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    return utf8Length(JSON.stringify(JSON.parse(value)));
  } catch {
    return utf8Length(value); // not JSON: S3 refuses it as MalformedPolicy anyway; measure as sent
  }
}

/** SNS counts each message attribute's name, data type and value toward the message size. */
function snsMessageBytes(input: Record<string, unknown>): number | undefined {
  const message = textBytes(input.Message);
  if (message === undefined) return undefined;
  let total = message;
  const attributes = input.MessageAttributes;
  if (typeof attributes === 'object' && attributes !== null) {
    for (const [name, attr] of Object.entries(attributes)) {
      total += utf8Length(name);
      total += textBytes(get(attr, 'DataType')) ?? 0;
      total += textBytes(get(attr, 'StringValue')) ?? textBytes(get(attr, 'BinaryValue')) ?? 0;
    }
  }
  return total;
}

/** CloudFront invalidation paths: a path ending in `*` is a wildcard invalidation, any other a file. */
export function countInvalidationPaths(paths: readonly unknown[]): { files: number; wildcards: number } {
  let wildcards = 0;
  for (const p of paths) if (typeof p === 'string' && p.endsWith('*')) wildcards++;
  return { files: paths.length - wildcards, wildcards };
}

function invalidationPaths(input: Record<string, unknown>): unknown[] | undefined {
  const items = get(input, 'InvalidationBatch', 'Paths', 'Items');
  return Array.isArray(items) ? items : undefined;
}

const exceeded = (v: ModelViolation, title: string, limit: number, unit: string) =>
  `${title}: ${String(v.value)} ${unit} exceeds the quota of ${limit}`;

export const QUOTA_ROWS: readonly QuotaRow[] = [
  {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/add-bucket-policy.html ("Bucket policies are limited
    // to 20 KB in size"); S3 measures the policy without whitespace (measured: 20,480 bytes,
    // https://github.com/MIT-LCP/physionet-build/issues/2094). AWS's error-code list does not name the error;
    // PolicyTooLarge and its message are what S3-compatible servers answer (MinIO, cmd/api-errors.go).
    id: 's3-bucket-policy-size',
    service: 's3',
    operation: 'PutBucketPolicy',
    title: 'Bucket policy size',
    limit: 20 * 1024,
    unit: 'bytes',
    path: 'Policy',
    awsPath: 'policy',
    measure: (input) => compactPolicyBytes(input.Policy),
    error: {
      name: 'PolicyTooLarge',
      status: 400,
      message: () => 'Policy exceeds the maximum allowed document size.',
    },
  },
  {
    // https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html (Policy: "The key policy size
    // quota is 32 kilobytes (32768 bytes)"); the model's PolicyType allows 131072 characters. KMS's
    // LimitExceededException: "a length constraint or quota was exceeded" (botocore kms model).
    id: 'kms-key-policy-size',
    service: 'kms',
    operation: 'PutKeyPolicy',
    title: 'Key policy document size',
    limit: 32 * 1024,
    unit: 'bytes',
    path: 'Policy',
    awsPath: 'policy',
    measure: (input) => textBytes(input.Policy),
    error: {
      name: 'LimitExceededException',
      status: 400,
      message: (v) => `Key policy size ${String(v.value)} bytes exceeds the quota of 32768 bytes.`,
    },
  },
  {
    // https://docs.aws.amazon.com/sns/latest/api/API_Publish.html (Message: "at most 256 KB (262,144 bytes, not
    // 262,144 characters)"); https://docs.aws.amazon.com/sns/latest/dg/sns-message-attributes.html (attribute
    // name, type and value count toward the message size). Error as SNS answers it: InvalidParameter
    // "Invalid parameter: Message too long" (https://github.com/wellcomecollection/platform/issues/1776).
    id: 'sns-message-size',
    service: 'sns',
    operation: 'Publish',
    title: 'SNS message size (message and attributes)',
    limit: 262_144,
    unit: 'bytes',
    path: 'Message',
    awsPath: 'message',
    measure: snsMessageBytes,
    error: {
      name: 'InvalidParameterException',
      status: 400,
      message: () => 'Invalid parameter: Message too long',
    },
  },
  {
    // https://docs.aws.amazon.com/step-functions/latest/dg/service-quotas.html ("Maximum input or output size
    // for a task, state, or execution: 256 KiB of data as a UTF-8 encoded string");
    // https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html (output: "Length
    // constraints apply to the payload size, and are expressed as bytes in UTF-8 encoding", max 262144), so the
    // model's own validation refuses it (ValidationException; `output` is SensitiveData, so no value shown).
    // InvalidOutput is for output that is not JSON.
    id: 'sfn-task-output-size',
    service: 'sfn',
    operation: 'SendTaskSuccess',
    title: 'Task output size',
    limit: 262_144,
    unit: 'bytes',
    path: 'output',
    awsPath: 'output',
    sensitive: true,
    measure: (input) => textBytes(input.output),
    error: {
      name: 'ValidationException',
      status: 400,
      message: (v) =>
        validationMessage([{ ...v, message: 'Member must have length less than or equal to 262144' }]),
    },
  },
  {
    // https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cloudfront-limits.html#limits-invalidations
    // ("File invalidation: maximum number of files allowed in active invalidation requests, excluding wildcard
    // invalidations: 3,000"). A single batch past it can never run: BatchTooLarge (HTTP 413, "Invalidation
    // batch specified is too large." in the botocore cloudfront model). Files already in progress count too:
    // the World, which knows them, adds those (countInvalidationPaths).
    id: 'cloudfront-invalidation-files',
    service: 'cloudfront',
    operation: 'CreateInvalidation',
    title: 'Files in active invalidation requests',
    limit: 3000,
    unit: 'items',
    path: 'InvalidationBatch.Paths.Items',
    awsPath: 'invalidationBatch.paths.items',
    measure: (input) => {
      const paths = invalidationPaths(input);
      return paths ? countInvalidationPaths(paths).files : undefined;
    },
    error: {
      name: 'BatchTooLarge',
      status: 413,
      message: () => 'Invalidation batch specified is too large.',
    },
  },
  {
    // Same page: "File invalidation: maximum number of active wildcard invalidations allowed: 15";
    // TooManyInvalidationsInProgress, worded as CloudFront answers it
    // (https://github.com/apancutt/deploy-aws-s3-cloudfront/issues/19).
    id: 'cloudfront-invalidation-wildcards',
    service: 'cloudfront',
    operation: 'CreateInvalidation',
    title: 'Active wildcard invalidations',
    limit: 15,
    unit: 'items',
    path: 'InvalidationBatch.Paths.Items',
    awsPath: 'invalidationBatch.paths.items',
    measure: (input) => {
      const paths = invalidationPaths(input);
      return paths ? countInvalidationPaths(paths).wildcards : undefined;
    },
    error: {
      name: 'TooManyInvalidationsInProgress',
      status: 400,
      message: () =>
        'Processing your request will cause you to exceed the maximum number of in-progress invalidations.',
    },
  },
  {
    // cloudfront-limits.html#limits-web-distributions: "Cache behaviors per distribution: 75" (the AWS General
    // Reference's Service Quotas table still shows the older 25). TooManyCacheBehaviors: "You cannot create more
    // cache behaviors for the distribution." (botocore cloudfront model).
    id: 'cloudfront-cache-behaviors',
    service: 'cloudfront',
    operation: 'UpdateDistribution',
    title: 'Cache behaviors per distribution',
    limit: 75,
    unit: 'items',
    path: 'DistributionConfig.CacheBehaviors.Items',
    awsPath: 'distributionConfig.cacheBehaviors.items',
    measure: (input) => itemCount(input, 'DistributionConfig', 'CacheBehaviors', 'Items'),
    error: {
      name: 'TooManyCacheBehaviors',
      status: 400,
      message: () => 'You cannot create more cache behaviors for the distribution.',
    },
  },
  {
    // cloudfront-limits.html#limits-web-distributions: "Origins per distribution: 100"; TooManyOrigins: "You
    // cannot create more origins for the distribution." (botocore cloudfront model).
    id: 'cloudfront-origins',
    service: 'cloudfront',
    operation: 'UpdateDistribution',
    title: 'Origins per distribution',
    limit: 100,
    unit: 'items',
    path: 'DistributionConfig.Origins.Items',
    awsPath: 'distributionConfig.origins.items',
    measure: (input) => itemCount(input, 'DistributionConfig', 'Origins', 'Items'),
    error: {
      name: 'TooManyOrigins',
      status: 400,
      message: () => 'You cannot create more origins for the distribution.',
    },
  },
  {
    // cloudfront-limits.html#limits-web-distributions: "Origin groups per distribution: 10";
    // TooManyOriginGroupsPerDistribution (botocore cloudfront model's wording).
    id: 'cloudfront-origin-groups',
    service: 'cloudfront',
    operation: 'UpdateDistribution',
    title: 'Origin groups per distribution',
    limit: 10,
    unit: 'items',
    path: 'DistributionConfig.OriginGroups.Items',
    awsPath: 'distributionConfig.originGroups.items',
    measure: (input) => itemCount(input, 'DistributionConfig', 'OriginGroups', 'Items'),
    error: {
      name: 'TooManyOriginGroupsPerDistribution',
      status: 400,
      message: () =>
        'Processing your request would cause you to exceed the maximum number of origin groups allowed.',
    },
  },
  {
    // cloudfront-limits.html#limits-web-distributions: "Alternate domain names (CNAMEs) per distribution: 100";
    // TooManyDistributionCNAMEs (botocore cloudfront model).
    id: 'cloudfront-cnames',
    service: 'cloudfront',
    operation: 'UpdateDistribution',
    title: 'Alternate domain names (CNAMEs) per distribution',
    limit: 100,
    unit: 'items',
    path: 'DistributionConfig.Aliases.Items',
    awsPath: 'distributionConfig.aliases.items',
    measure: (input) => itemCount(input, 'DistributionConfig', 'Aliases', 'Items'),
    error: {
      name: 'TooManyDistributionCNAMEs',
      status: 400,
      message: () => 'Your request contains more CNAMEs than are allowed per distribution.',
    },
  },
];

const ROWS_BY_OPERATION = new Map<string, QuotaRow[]>();
for (const row of QUOTA_ROWS) {
  const key = `${row.service}:${row.operation}`;
  ROWS_BY_OPERATION.set(key, [...(ROWS_BY_OPERATION.get(key) ?? []), row]);
}
const ROWS_BY_ID = new Map(QUOTA_ROWS.map((r) => [r.id, r]));

/** Every quota row `input` exceeds ([] when none); `value` is the measured size. */
export function quotaViolations(service: ServiceName, operation: string, input: unknown): ModelViolation[] {
  const rows = ROWS_BY_OPERATION.get(`${service}:${operation}`);
  if (!rows || typeof input !== 'object' || input === null) return [];
  const out: ModelViolation[] = [];
  for (const row of rows) {
    const measured = row.measure(input as Record<string, unknown>);
    if (measured === undefined || measured <= row.limit) continue;
    const v: ModelViolation = {
      path: row.path,
      message: '',
      constraint: 'quota',
      awsPath: row.awsPath,
      value: measured,
      quota: row.id,
    };
    v.message = exceeded(v, row.title, row.limit, row.unit);
    if (row.sensitive) v.sensitive = true;
    out.push(v);
  }
  return out;
}

/** The error the service answers for the first exceeded quota (quotaViolations' result, non-empty). */
export function quotaError(
  service: ServiceName,
  operation: string,
  violations: readonly ModelViolation[],
  requestId?: string,
): Error {
  const first = violations[0];
  const row = first?.quota ? ROWS_BY_ID.get(first.quota) : undefined;
  if (!first || !row) throw new RangeError(`quotaError: no quota violation for ${service}:${operation}`);
  return serviceError({
    service,
    name: row.error.name,
    message: row.error.message(first),
    status: row.error.status,
    requestId,
  });
}

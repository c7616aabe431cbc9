// What one execution costs at list prices (us-east-1, on-demand, no free tier): state transitions, Lambda
// requests and GB-seconds, and the AWS API calls the steps make. Pure, so it can be tested.

/** USD list prices the bench uses; each with the page it comes from. */
export const PRICES = {
  /** Step Functions Standard: $0.025 per 1,000 state transitions, retries included (aws.amazon.com/step-functions/pricing) */
  transition: 0.025 / 1000,
  /** Lambda, Arm: $0.20 per 1M requests (aws.amazon.com/lambda/pricing) */
  lambdaRequest: 0.2 / 1e6,
  /** Lambda, Arm, first 7.5 billion GB-s a month: $0.0000133334 per GB-second (aws.amazon.com/lambda/pricing) */
  lambdaGbSecond: 0.0000133334,
  /** S3 Standard PUT, COPY, POST, LIST: $0.005 per 1,000 (aws.amazon.com/s3/pricing) */
  s3Write: 0.005 / 1000,
  /** S3 Standard GET and all other requests: $0.0004 per 1,000 (aws.amazon.com/s3/pricing) */
  s3Read: 0.0004 / 1000,
  /** DynamoDB on-demand: $0.625 per million write request units (aws.amazon.com/dynamodb/pricing/on-demand) */
  dynamoWrite: 0.625 / 1e6,
  /** DynamoDB on-demand: $0.125 per million read request units (aws.amazon.com/dynamodb/pricing/on-demand) */
  dynamoRead: 0.125 / 1e6,
  /** SNS: $0.50 per million API requests (aws.amazon.com/sns/pricing) */
  snsPublish: 0.5 / 1e6,
  /** KMS: $0.03 per 10,000 API requests (aws.amazon.com/kms/pricing) */
  kms: 0.03 / 10_000,
} as const;

/**
 * How long an invocation is billed, beyond the simulated time it waited (sleeps advance the simulated clock
 * only): a fixed cost per invocation and a round trip per AWS call. The same figures for every design.
 */
export const BILLING_MODEL = { secondsPerInvocation: 0.05, secondsPerAwsCall: 0.05 } as const;

/**
 * USD of one AWS API call. CloudFront's control plane, WAF reads, S3 Control, SSM and Step Functions'
 * task-token calls have no per-request charge, or the same count in every design (the approval automation):
 * they count as $0. CloudFront invalidation paths (first 1,000 a month free, then $0.005 each) are the same
 * in every design and left out.
 */
export function apiCallUsd(service: string, api: string): number {
  switch (service) {
    case 's3':
      return /^(Put|Copy|Post|List|Create)/.test(api)
        ? PRICES.s3Write
        : api.startsWith('Delete')
          ? 0
          : PRICES.s3Read;
    case 'dynamodb':
      // one item of at most 1 KB (a write unit) or 4 KB (a read unit)
      return /^(Put|Update|Delete)Item$/.test(api) ? PRICES.dynamoWrite : PRICES.dynamoRead;
    case 'sns':
      return PRICES.snsPublish;
    case 'kms':
      return PRICES.kms;
    default:
      return 0;
  }
}

/** One Lambda invocation as the bench saw it. */
export interface Invocation {
  step: string;
  /** simulated seconds the handler waited (its sleeps) */
  waitedSeconds: number;
  awsCalls: number;
  memoryMb: number;
}

export function billedSeconds(i: Invocation): number {
  return BILLING_MODEL.secondsPerInvocation + i.awsCalls * BILLING_MODEL.secondsPerAwsCall + i.waitedSeconds;
}

export function gbSeconds(invocations: readonly Invocation[]): number {
  return invocations.reduce((sum, i) => sum + billedSeconds(i) * (i.memoryMb / 1024), 0);
}

export interface ExecutionCost {
  transitions: number;
  lambdaRequests: number;
  lambdaGbSeconds: number;
  apiUsd: number;
}

export interface CostBreakdown {
  transitionsUsd: number;
  lambdaUsd: number;
  apiUsd: number;
  totalUsd: number;
}

export function costOf(e: ExecutionCost): CostBreakdown {
  const transitionsUsd = e.transitions * PRICES.transition;
  const lambdaUsd = e.lambdaRequests * PRICES.lambdaRequest + e.lambdaGbSeconds * PRICES.lambdaGbSecond;
  return { transitionsUsd, lambdaUsd, apiUsd: e.apiUsd, totalUsd: transitionsUsd + lambdaUsd + e.apiUsd };
}

/** The AWS calls of one execution, as `service:api` → count. */
export function apiUsd(calls: Readonly<Record<string, number>>): number {
  return Object.entries(calls).reduce((sum, [key, n]) => {
    const [service = '', api = ''] = key.split(':');
    return sum + n * apiCallUsd(service, api);
  }, 0);
}

/** The time CloudFront may cost the workflow beyond its own: max(2 % of its time, 3 s) (issue 13). */
export function allowedLostSeconds(cloudFrontSeconds: number): number {
  return Math.max(0.02 * cloudFrontSeconds, 3);
}

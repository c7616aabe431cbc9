// The only place SDK clients are made. Handlers receive them injected, so the simulator can hand in
// clients wired to its in-memory account and the same code runs in Lambda. Each client's package is
// imported only when a step declares it needs that client: loading the SDK is most of a cold start.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { WAFV2Client } from '@aws-sdk/client-wafv2';

export interface AwsClients {
  readonly cloudfront: CloudFrontClient;
  readonly s3: S3Client;
  readonly s3control: S3ControlClient;
  readonly kms: KMSClient;
  readonly wafv2: WAFV2Client;
  readonly sns: SNSClient;
  readonly sfn: SFNClient;
  readonly ssm: SSMClient;
  readonly dynamodb: DynamoDBClient;
}

export type ClientName = keyof AwsClients;

export const ALL_CLIENTS: readonly ClientName[] = [
  'cloudfront',
  's3',
  's3control',
  'kms',
  'wafv2',
  'sns',
  'sfn',
  'ssm',
  'dynamodb',
];

/** A step used a client it did not declare in its handler's `lambdaHandler(run, [...])`. */
export class UndeclaredClientError extends Error {
  override name = 'UndeclaredClientError';
}

// CloudFront and WAF for CloudFront live in us-east-1 whatever the workflow's region.
const MAKERS: { readonly [K in ClientName]: (region: string) => Promise<AwsClients[K]> } = {
  cloudfront: async () =>
    new (await import('@aws-sdk/client-cloudfront')).CloudFrontClient({ region: 'us-east-1' }),
  s3: async (region) =>
    new (await import('@aws-sdk/client-s3')).S3Client({ region, followRegionRedirects: true }),
  s3control: async (region) => new (await import('@aws-sdk/client-s3-control')).S3ControlClient({ region }),
  kms: async (region) => new (await import('@aws-sdk/client-kms')).KMSClient({ region }),
  wafv2: async () => new (await import('@aws-sdk/client-wafv2')).WAFV2Client({ region: 'us-east-1' }),
  sns: async (region) => new (await import('@aws-sdk/client-sns')).SNSClient({ region }),
  sfn: async (region) => new (await import('@aws-sdk/client-sfn')).SFNClient({ region }),
  ssm: async (region) => new (await import('@aws-sdk/client-ssm')).SSMClient({ region }),
  dynamodb: async (region) => new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({ region }),
};

/** Real clients from the default credential chain, for the named services only; the others throw on use. */
export async function createAwsClients(
  region: string,
  names: readonly ClientName[] = ALL_CLIENTS,
): Promise<AwsClients> {
  const made = new Map<ClientName, unknown>(
    await Promise.all(names.map(async (n) => [n, await MAKERS[n](region)] as const)),
  );
  const get = <K extends ClientName>(n: K): AwsClients[K] => {
    if (!made.has(n)) throw new UndeclaredClientError(`the ${n} client was not declared for this step`);
    return made.get(n) as AwsClients[K];
  };
  return {
    get cloudfront() {
      return get('cloudfront');
    },
    get s3() {
      return get('s3');
    },
    get s3control() {
      return get('s3control');
    },
    get kms() {
      return get('kms');
    },
    get wafv2() {
      return get('wafv2');
    },
    get sns() {
      return get('sns');
    },
    get sfn() {
      return get('sfn');
    },
    get ssm() {
      return get('ssm');
    },
    get dynamodb() {
      return get('dynamodb');
    },
  };
}

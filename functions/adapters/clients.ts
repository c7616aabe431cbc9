// The only place SDK clients are made. Handlers receive them injected, so the simulator can hand in
// clients wired to its in-memory account and the same code runs in Lambda. Each client's package is
// imported only when a step declares it needs that client: loading the SDK is most of a cold start.
import type { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KMSClient } from '@aws-sdk/client-kms';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import type { S3ControlClient } from '@aws-sdk/client-s3-control';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { STSClient } from '@aws-sdk/client-sts';
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
  /** CloudFront's metrics and alarms (us-east-1): the viewers' side of verification */
  readonly cloudwatch: CloudWatchClient;
  /** CloudWatch Logs (us-east-1): standard logging (v2) deliveries and log groups */
  readonly logs: CloudWatchLogsClient;
  /**
   * A KMS client in another region: a key is called in its own region (from its ARN), not the stack's.
   * Absent where only the workflow region's client exists; callers then use `kms`.
   */
  readonly kmsIn?: (region: string) => Promise<KMSClient>;
  /**
   * Lambda (function URL origins: their function and its resource policy). Optional: only the steps that
   * look at function URL origins declare it, and an account without it is read without those causes.
   */
  readonly lambda?: LambdaClient;
  /** A Lambda client in the region of a function URL (its domain names the region). */
  readonly lambdaIn?: (region: string) => Promise<LambdaClient>;
}

export type ClientName = Exclude<keyof AwsClients, 'kmsIn' | 'lambdaIn'>;

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
  'cloudwatch',
  'logs',
  'lambda',
];

/** A step used a client it did not declare in its handler's `lambdaHandler(run, [...])`. */
export class UndeclaredClientError extends Error {
  override name = 'UndeclaredClientError';
}

/**
 * Settings every client of one run shares (the CLI's `--profile`, `--endpoint-url`). Left out, the SDK reads
 * them as the AWS CLI does: `AWS_PROFILE`, `AWS_ENDPOINT_URL[_<SERVICE>]`, then the shared config file.
 */
export interface ClientSettings {
  /** named profile of the shared config and credentials files */
  profile?: string;
  /** one endpoint for every service (a local emulator); the SDK then skips the env and config endpoints */
  endpoint?: string;
  /**
   * Where the credentials come from instead of the default chain: a member account's session (issue 15), or the
   * role the CLI's `--role-arn` assumed. The SDK calls it again once the credentials it returned expire.
   */
  credentials?: () => Promise<{
    readonly accessKeyId: string;
    readonly secretAccessKey: string;
    readonly sessionToken?: string;
    readonly expiration?: Date;
  }>;
  /** the SDK's own logger (its warnings go to the console without one) */
  logger?: {
    debug: (...a: unknown[]) => void;
    info: (...a: unknown[]) => void;
    warn: (...a: unknown[]) => void;
    error: (...a: unknown[]) => void;
  };
}

function shared(settings: ClientSettings): ClientSettings {
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

// CloudFront and WAF for CloudFront live in us-east-1 whatever the workflow's region.
const MAKERS: {
  readonly [K in ClientName]: (region: string, s: ClientSettings) => Promise<NonNullable<AwsClients[K]>>;
} = {
  cloudfront: async (_region, s) =>
    new (await import('@aws-sdk/client-cloudfront')).CloudFrontClient({ ...shared(s), region: 'us-east-1' }),
  s3: async (region, s) =>
    new (await import('@aws-sdk/client-s3')).S3Client({ ...shared(s), region, followRegionRedirects: true }),
  s3control: async (region, s) =>
    new (await import('@aws-sdk/client-s3-control')).S3ControlClient({ ...shared(s), region }),
  kms: async (region, s) => new (await import('@aws-sdk/client-kms')).KMSClient({ ...shared(s), region }),
  wafv2: async (_region, s) =>
    new (await import('@aws-sdk/client-wafv2')).WAFV2Client({ ...shared(s), region: 'us-east-1' }),
  sns: async (region, s) => new (await import('@aws-sdk/client-sns')).SNSClient({ ...shared(s), region }),
  sfn: async (region, s) => new (await import('@aws-sdk/client-sfn')).SFNClient({ ...shared(s), region }),
  ssm: async (region, s) => new (await import('@aws-sdk/client-ssm')).SSMClient({ ...shared(s), region }),
  dynamodb: async (region, s) =>
    new (await import('@aws-sdk/client-dynamodb')).DynamoDBClient({ ...shared(s), region }),
  // CloudFront metrics and alarms, and its standard logging (v2) delivery sources, exist in us-east-1
  cloudwatch: async (_region, s) =>
    new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient({ ...shared(s), region: 'us-east-1' }),
  logs: async (_region, s) =>
    new (await import('@aws-sdk/client-cloudwatch-logs')).CloudWatchLogsClient({
      ...shared(s),
      region: 'us-east-1',
    }),
  lambda: async (region, s) =>
    new (await import('@aws-sdk/client-lambda')).LambdaClient({ ...shared(s), region }),
};

/** One real client of `name`; `region` is ignored for the global services (CloudFront, WAF for CloudFront). */
export function makeClient<K extends ClientName>(
  name: K,
  region: string,
  settings: ClientSettings = {},
): Promise<AwsClients[K]> {
  return MAKERS[name](region, settings);
}

/**
 * STS in `region` (the SDK v3 calls STS's regional endpoint there): the hub's steps assume the member role of
 * another account with it, the CLI the role of `--role-arn`. Not in AwsClients: no step calls STS itself.
 */
export async function makeStsClient(region: string, settings: ClientSettings = {}): Promise<STSClient> {
  return new (await import('@aws-sdk/client-sts')).STSClient({ ...shared(settings), region });
}

/** Real clients from the default credential chain, for the named services only; the others throw on use. */
export async function createAwsClients(
  region: string,
  names: readonly ClientName[] = ALL_CLIENTS,
  settings: ClientSettings = {},
): Promise<AwsClients> {
  const made = new Map<ClientName, unknown>(
    await Promise.all(names.map(async (n) => [n, await MAKERS[n](region, settings)] as const)),
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
    get cloudwatch() {
      return get('cloudwatch');
    },
    get logs() {
      return get('logs');
    },
    get lambda() {
      return get('lambda');
    },
    // one client per region, made on first use, only where the step declared KMS
    ...(made.has('kms') ? { kmsIn: regional((r) => MAKERS.kms(r, settings)) } : {}),
    ...(made.has('lambda') ? { lambdaIn: regional((r) => MAKERS.lambda(r, settings)) } : {}),
  };
}

function regional<C>(make: (region: string) => Promise<C>): (region: string) => Promise<C> {
  const byRegion = new Map<string, Promise<C>>();
  return (region) => {
    const existing = byRegion.get(region);
    if (existing) return existing;
    const made = make(region);
    byRegion.set(region, made);
    return made;
  };
}

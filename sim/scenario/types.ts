// The scenario format (docs/scenario-format.md, schema/scenario.schema.json): AWS API output shapes, so a scenario
// can be written from a real account by copying API output.
import type {
  DistributionConfig,
  FunctionConfig,
  FunctionMetadata,
  KeyGroupConfig,
  OriginAccessControlConfig,
  OriginRequestPolicyConfig,
} from '@aws-sdk/client-cloudfront';
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { Delivery, DeliveryDestination, DeliverySource } from '@aws-sdk/client-cloudwatch-logs';
import type {
  OwnershipControls,
  PublicAccessBlockConfiguration,
  ServerSideEncryptionConfiguration,
  WebsiteConfiguration,
} from '@aws-sdk/client-s3';
import type { ViewerRequest } from '../../functions/domain/types.ts';
import type { WafIpSet, WafSampledRequest, WafWebAcl } from '../../functions/domain/waf-types.ts';

export type { ViewerRequest } from '../../functions/domain/types.ts';
export type {
  WafIpSet,
  WafRule,
  WafSampledRequest,
  WafStatement,
  WafWebAcl,
} from '../../functions/domain/waf-types.ts';

export interface ScenarioDistribution {
  Id: string;
  ARN: string;
  DomainName: string;
  Status: 'Deployed' | 'InProgress';
  ETag: string;
  DistributionConfig: DistributionConfig;
  /** simulated epoch seconds at which an InProgress distribution becomes Deployed (world-internal) */
  DeployedAt?: number;
  /** resource tags, as ListTagsForResource's `Tags.Items` (issue 12: opt-out, managed-by) */
  Tags?: ScenarioTag[];
}

/** A tag as CloudFront (`Tags.Items`) and S3 (`TagSet`) write it. */
export interface ScenarioTag {
  Key: string;
  Value: string;
}

export interface ScenarioOac {
  Id: string;
  OriginAccessControlConfig: OriginAccessControlConfig;
  ETag?: string;
}

export interface ScenarioOai {
  Id: string;
  S3CanonicalUserId: string;
  CloudFrontOriginAccessIdentityConfig?: { CallerReference: string; Comment: string };
}

export interface ScenarioKeyGroup {
  Id: string;
  KeyGroupConfig: KeyGroupConfig;
}

export interface ScenarioFunction {
  Name: string;
  FunctionConfig: FunctionConfig;
  FunctionMetadata: FunctionMetadata;
  FunctionCode: string;
}

export interface ScenarioOriginRequestPolicy {
  Id: string;
  OriginRequestPolicyConfig: OriginRequestPolicyConfig;
}

export interface ScenarioObject {
  Key: string;
  ContentType?: string;
  Body?: string;
  OwnerAccount?: string;
  ServerSideEncryption?: 'AES256' | 'aws:kms' | 'aws:kms:dsse' | null;
  SSEKMSKeyId?: string | null;
}

export interface ScenarioBucket {
  Name: string;
  Region: string;
  Policy: string | null;
  PublicAccessBlockConfiguration: PublicAccessBlockConfiguration | null;
  OwnershipControls: OwnershipControls | null;
  Payer?: 'BucketOwner' | 'Requester';
  ServerSideEncryptionConfiguration: ServerSideEncryptionConfiguration | null;
  WebsiteConfiguration: WebsiteConfiguration | null;
  /** legacy ACL grants: true when the bucket ACL grants AllUsers READ */
  PublicReadAcl?: boolean;
  Objects: ScenarioObject[];
  /** GetBucketTagging's `TagSet` (issue 12: managed-by) */
  Tags?: ScenarioTag[];
}

export interface ScenarioKmsKey {
  KeyId: string;
  Arn: string;
  Policy: string;
  /** DescribeKey KeyManager: `AWS` for an AWS managed key such as aws/s3 (default CUSTOMER) */
  KeyManager?: 'AWS' | 'CUSTOMER';
  /** alias names, e.g. `alias/aws/s3` */
  Aliases?: string[];
  /** ListResourceTags' `Tags` (issue 12: managed-by) */
  Tags?: { TagKey: string; TagValue: string }[];
}

export type FaultError = 'ThrottlingException' | 'PreconditionFailed' | 'AccessDenied' | 'ServiceUnavailable';

export interface Fault {
  api: string;
  error: FaultError;
  times: number;
}

export interface CustomOriginResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

export interface Simulation {
  deploymentSeconds?: number;
  invalidationSeconds?: number;
  /** where the workflow's probe comes from (issue 10): default US, an AWS us-east-1 address, its real user agent */
  probe?: { country: string; clientIp: string; userAgent?: string };
  /** networks no API shows, for WAF's IP-reputation and bot signals (CIDR blocks) */
  ipReputation?: IpReputationFacts;
  apiLatencyMs?: number;
  faults?: Fault[];
  customOrigins?: Record<string, CustomOriginResponse>;
  /** requests per second (real time) a service answers before throttling (`Throttling`, 'Rate exceeded') */
  rateLimit?: { cloudfront?: number };
  /** issue 11: error responses in CloudFront's cache when the simulation starts */
  errorCache?: ScenarioCachedError[];
  /** issue 11: what Lambda@Edge functions answer, by the function version ARN the behaviors associate */
  lambdaEdge?: Record<string, ScenarioLambdaEdge>;
}

/** An error response CloudFront cached before the simulation starts (kept for ErrorCachingMinTTL). */
export interface ScenarioCachedError {
  /** the distribution; the first one when left out */
  distributionId?: string;
  /** URI path, as the viewer sends it */
  path: string;
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** seconds the response has been in the cache when the simulation starts */
  ageSeconds: number;
}

/** The response a Lambda@Edge function generates (its code cannot run here); no `paths`: every request. */
export interface ScenarioLambdaEdge {
  status: number;
  headers?: Record<string, string>;
  body?: string;
  /** path patterns (CloudFront syntax) the function answers; others pass through */
  paths?: string[];
}

/** A Lambda function as GetFunctionConfiguration, GetPolicy and ListFunctionUrlConfigs show it (issue 11). */
export interface ScenarioLambdaFunction {
  FunctionName: string;
  FunctionArn: string;
  /** GetPolicy's `Policy` (unqualified function); null: no resource policy */
  Policy: string | null;
  /** ListFunctionUrlConfigs' `FunctionUrlConfigs` */
  FunctionUrlConfigs?: { FunctionUrl: string; AuthType: 'AWS_IAM' | 'NONE'; FunctionArn?: string }[];
  /** what the function answers through its URL once invoked (default 200) */
  Response?: CustomOriginResponse;
}

export interface IpReputationFacts {
  hostingProviders?: string[];
  anonymous?: string[];
  botDataCenters?: string[];
}

/**
 * The distribution's access logs (issue 10). The world writes `requests` (and `history`) as log records to
 * every destination the account configures: the legacy standard logs of `DistributionConfig.Logging`, and
 * the standard logging (v2) deliveries of `cloudwatchLogs`. Without this field `requests` are handed to the
 * workflow directly, as before.
 */
export interface ScenarioLogs {
  /** seconds before the simulation starts at which `requests` were made (default 1200) */
  requestsSecondsAgo?: number;
  /** older or other records; `status` defaults to what the edge model answers at the start */
  history?: ScenarioLogRecord[];
  /** a busy prefix: this many more files of served (200) requests, spread over the last `hours` hours */
  filler?: { files: number; hours: number; recordsPerFile?: number };
  /** seconds after a request at which its log file is delivered (default 600; AWS: usually within an hour, up to 24 h) */
  deliveryDelaySeconds?: number;
}

export interface ScenarioLogRecord extends ViewerRequest {
  secondsAgo: number;
  status?: number;
}

/** CloudWatch metrics of the distribution (issue 10): computed from `requests` through the edge model. */
export interface ScenarioMetrics {
  /** viewer requests per minute (default 600); 0: no traffic, so no datapoints */
  requestsPerMinute?: number;
  /** the share of all traffic that `requests` stand for (default 1) */
  failingShare?: number;
  /** CloudFront additional metrics are on, so 403ErrorRate is published (default false) */
  additionalMetrics?: boolean;
}

/** Standard logging (v2) as CloudWatch Logs' Describe/Get delivery APIs return it (SDK v3 shapes). */
export interface ScenarioCloudWatchLogs {
  deliverySources?: DeliverySource[];
  deliveryDestinations?: DeliveryDestination[];
  deliveries?: Delivery[];
}

export interface Scenario {
  /** the JSON Schema an editor validates the file with (schema/scenario.schema.json); the simulator ignores it */
  $schema?: string;
  name: string;
  description: string;
  account: string;
  region: string;
  cloudfront: {
    distributions: ScenarioDistribution[];
    originAccessControls?: ScenarioOac[];
    originAccessIdentities?: ScenarioOai[];
    keyGroups?: ScenarioKeyGroup[];
    functions?: ScenarioFunction[];
    originRequestPolicies?: ScenarioOriginRequestPolicy[];
  };
  s3: {
    accountPublicAccessBlock?: PublicAccessBlockConfiguration | null;
    buckets: ScenarioBucket[];
  };
  kms?: { keys: ScenarioKmsKey[] };
  wafv2?: { webAcls?: WafWebAcl[]; ipSets?: WafIpSet[]; sampledRequests?: WafSampledRequest[] };
  requests: ViewerRequest[];
  logs?: ScenarioLogs;
  cloudwatchLogs?: ScenarioCloudWatchLogs;
  metrics?: ScenarioMetrics;
  /** alarms as DescribeAlarms returns them; without one the alarm of `alarmEvent` is 4xxErrorRate >= 5 % */
  cloudwatch?: { alarms?: MetricAlarm[] };
  /** issue 11: Lambda functions behind function URL origins */
  lambda?: { functions: ScenarioLambdaFunction[] };
  /** issue 15: the organization of the hub (the top level) and its member accounts */
  organization?: ScenarioOrganization;
  /** issue 15: member accounts, each with its own resources; the top level is the hub account */
  accounts?: ScenarioAccount[];
  /** the alarm's EventBridge event; its `account` names the distribution's account (issue 15) */
  alarmEvent?: Record<string, unknown>;
  simulation?: Simulation;
  expect?: { causes: string[]; outcome: string };
}

/** issue 15: the AWS Organizations organization (`Organization.Id`, AWS Organizations API reference). */
export interface ScenarioOrganization {
  id: string;
}

/** The sections an account holds: the same shapes as the scenario's top level. */
export type ScenarioAccountSections = Partial<
  Pick<
    Scenario,
    'cloudfront' | 's3' | 'kms' | 'wafv2' | 'lambda' | 'cloudwatch' | 'logs' | 'metrics' | 'cloudwatchLogs'
  >
>;

/** issue 15: a member account of the organization, with its own resources. */
export interface ScenarioAccount extends ScenarioAccountSections {
  account: string;
  /** false: the account is not a member of the organization (default true) */
  inOrganization?: boolean;
  /** false: the member stack, and so the role the hub assumes, is not deployed there (default true) */
  memberStack?: boolean;
  /** the scope its member stack is deployed with (`cf403:member-scope`); default `account` */
  memberScope?: ScenarioMemberScope;
}

/** A member stack's scope as the `cf403:member-scope` context takes it (lib/member-stack.ts parseMemberScope). */
export type ScenarioMemberScope =
  | 'account'
  | 'none'
  | {
      kind: 'distributions';
      distributionIds: string[];
      originBucketNames?: string[];
      originKeyArns?: string[];
    };

// The scenario format (../shared/contract/scenario-format.md): AWS API output shapes, so a scenario
// can be written from a real account by copying API output.
import type {
  DistributionConfig,
  FunctionConfig,
  FunctionMetadata,
  KeyGroupConfig,
  OriginAccessControlConfig,
  OriginRequestPolicyConfig,
} from '@aws-sdk/client-cloudfront';
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
}

export interface ScenarioKmsKey {
  KeyId: string;
  Arn: string;
  Policy: string;
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
  probe?: { country: string; clientIp: string };
  apiLatencyMs?: number;
  faults?: Fault[];
  customOrigins?: Record<string, CustomOriginResponse>;
  /** requests per second (real time) a service answers before throttling (`Throttling`, 'Rate exceeded') */
  rateLimit?: { cloudfront?: number };
}

export interface Scenario {
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
  alarmEvent?: Record<string, unknown>;
  simulation?: Simulation;
  expect?: { causes: string[]; outcome: string };
}

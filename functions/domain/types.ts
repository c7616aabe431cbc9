// The data that flows through the workflow: alarm → evidence → diagnosis → plan → changes → outcome.
// Pure types: shapes mirror the AWS API outputs so collectors can copy them through unchanged.
import type {
  DistributionConfig,
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
import type { WafIpSet, WafSampledRequest, WafWebAcl } from './waf-types.ts';

export const CAUSE_IDS = [
  'ORIGIN_ACCESS_MISSING',
  'PUBLIC_ACCESS_BLOCKED',
  'WEBSITE_ENDPOINT_ORIGIN',
  'DEFAULT_ROOT_OBJECT_MISSING',
  'GEO_RESTRICTED',
  'WAF_BLOCKED',
  'SIGNED_URL_REQUIRED',
  'BEHAVIOR_MISROUTED',
  'VIEWER_PROTOCOL_HTTPS_ONLY',
  'BUCKET_POLICY_GRANT_MISSING',
  'SOURCE_ARN_MISMATCH',
  'EXPLICIT_DENY',
  'OAI_NOT_GRANTED',
  'OAC_MISCONFIGURED',
  'OBJECT_NOT_FOUND',
  'KMS_ACCESS_DENIED',
  'OBJECT_OWNERSHIP',
  'REQUESTER_PAYS',
  'ALTERNATE_DOMAIN_MISSING',
  'METHOD_NOT_ALLOWED',
  'DISTRIBUTION_DISABLED',
  'EDGE_FUNCTION_DENIED',
  'CUSTOM_ORIGIN_DENIED',
  'DEPLOYMENT_IN_PROGRESS',
  'HOST_HEADER_FORWARDED',
  'STACKED_DISTRIBUTION',
  // issue 11: causes from real incidents
  'SPA_FALLBACK_404_ONLY',
  'DIRECTORY_INDEX_MISSING',
  'WEBSITE_FEATURES_ON_REST',
  'HOST_HEADER_TO_CUSTOM_ORIGIN',
  'POLICY_HEADER_CONDITION',
  'SIGNING_KEY_UNTRUSTED',
  'ERROR_RESPONSE_CACHED',
  'LAMBDA_URL_PERMISSION_MISSING',
  'LAMBDA_EDGE_DENIED',
] as const;
export type CauseId = (typeof CAUSE_IDS)[number];

export type Risk = 'safe' | 'destructive' | 'manual';

export type Outcome = 'REMEDIATED' | 'NO_ACTION_NEEDED' | 'ESCALATED' | 'REJECTED' | 'ROLLED_BACK' | 'FAILED';

/** A source that could not be read is recorded as such, and the diagnosis goes on. */
export type Readable<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

/** A viewer request that failed, as the access logs show it. */
export interface ViewerRequest {
  url: string;
  method: string;
  country?: string;
  clientIp?: string;
  headers?: Record<string, string>;
  /** what the access log recorded of the response (absent when the request was not read from a log) */
  logged?: LoggedResponse;
}

/**
 * The response fields of one access-log record: CloudFront standard logging reference, "Log file fields"
 * (https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/standard-logs-reference.html).
 */
export interface LoggedResponse {
  /** `sc-status` */
  status: number;
  /** `date` + `time` (or `timestamp`), ISO 8601 */
  time?: string;
  /** `x-edge-location`, e.g. `FRA56-P1` */
  edgeLocation?: string;
  /** `x-edge-result-type`: Hit, Miss, Error, Redirect, LimitExceeded, ... */
  edgeResultType?: string;
  /** `x-edge-detailed-result-type`: for errors the kind of error, e.g. `ClientGeoBlocked`, `OriginError` */
  edgeDetailedResultType?: string;
  /** `sc-content-type` of the response: S3 answers its errors as `application/xml`, CloudFront its own as `text/html` */
  contentType?: string;
  /** how many records of the logs read matched this request (same method, URL and client) */
  count?: number;
  /** where the record was read: `standard-log s3://bucket/key`, `v2 s3://...`, `v2 cloudwatch-logs <group>` */
  source?: string;
}

export interface ProbeRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
}

export interface ProbeResponse {
  status: number;
  /** lower-case header names */
  headers: Record<string, string>;
  body: string;
}

/** Who produced an error response, read from Server, X-Cache, body and origin headers (never X-Cache alone). */
export type ProbeSource =
  | 'cloudfront'
  | 'cloudfront-function'
  | 's3'
  | 's3-website'
  | 'custom-origin'
  | 'unknown';

export type ProbeKind =
  | 'ok'
  | 'redirect'
  | 'not-found'
  | 'cf-bad-request'
  | 'cf-method-not-allowed'
  | 'cf-geo-blocked'
  | 'cf-waf-blocked'
  | 'cf-missing-key'
  | 'cf-bad-signature'
  | 'cf-function-response'
  /** a Lambda@Edge viewer- or origin-request function generated the response (X-Cache LambdaGeneratedResponse) */
  | 'cf-lambda-response'
  | 'cf-other'
  /** CloudFront refuses the prober itself (geo or WAF against its location or identity), not the viewers */
  | 'prober-refused'
  | 's3-access-denied'
  | 's3-kms-denied'
  | 's3-website-denied'
  | 's3-other'
  | 'origin-denied'
  | 'other-error';

export interface Fingerprint {
  source: ProbeSource;
  kind: ProbeKind;
  /** error code from an XML body (AccessDenied, MissingKey, ...) */
  code?: string;
  /** one-line reason from CloudFront's error page or the S3 message */
  reason?: string;
  /** `Server: CloudFront`, yet headers show the origin produced the page (fingerprint.ts originMarkers) */
  lookalike?: string;
}

export interface ProbeResult {
  url: string;
  method: string;
  status: number;
  xCache?: string;
  server?: string;
  fingerprint: Fingerprint;
  /** seconds the response spent in CloudFront's cache (the `Age` header), when it came from the cache */
  age?: number;
  /** first 2 KiB of the body, for evidence */
  bodyExcerpt?: string;
  /** read from the viewer's access-log record: the probe could not make this request as a viewer would */
  fromLog?: boolean;
}

export type OriginKind = 's3-rest' | 's3-website' | 'cloudfront' | 'custom';

export interface OriginAccessControl {
  Id: string;
  OriginAccessControlConfig: OriginAccessControlConfig;
}

export interface OriginEvidence {
  id: string;
  domainName: string;
  originPath: string;
  kind: OriginKind;
  /** bucket name for S3 REST and website origins */
  bucket?: string;
  /** the OAC attached, when OriginAccessControlId is set; `ok: true, value: null` when none is set */
  oac: Readable<OriginAccessControl | null>;
  /** the legacy OAI, `origin-access-identity/cloudfront/ID` resolved */
  oai: Readable<{ Id: string; S3CanonicalUserId: string } | null>;
}

export interface ObjectHead {
  key: string;
  exists: boolean;
  serverSideEncryption?: string;
  kmsKeyId?: string;
  /** set only when the object's owner is not the bucket owner (another account wrote it with ACLs enabled):
   * that owner's account id when known, else `canonical:<canonical user id>` */
  ownerAccount?: string;
}

export interface BucketEvidence {
  name: string;
  policy: Readable<string | null>;
  publicAccessBlock: Readable<PublicAccessBlockConfiguration | null>;
  ownershipControls: Readable<OwnershipControls | null>;
  requestPayer: Readable<'BucketOwner' | 'Requester'>;
  encryption: Readable<ServerSideEncryptionConfiguration | null>;
  website: Readable<WebsiteConfiguration | null>;
  /** public ACL grant (AllUsers READ) on the bucket */
  publicAcl: Readable<boolean>;
  /** HeadObject of the keys the failing requests map to (origin path applied) */
  objects: Record<string, Readable<ObjectHead>>;
  /** GetBucketAcl Owner.ID, to tell objects another account wrote */
  ownerCanonicalId?: string;
  /**
   * The bucket owner's account when it is not the distribution's (issue 15, found with HeadBucket
   * ExpectedBucketOwner): its policy is read and written there, since S3 answers Get/PutBucketPolicy only to
   * the owner's identities.
   */
  account?: string;
  /** that owner account's Block Public Access (it applies to the bucket, not the distribution account's) */
  accountPublicAccessBlock?: Readable<PublicAccessBlockConfiguration | null>;
}

export interface KmsKeyEvidence {
  keyId: string;
  arn: string;
  policy: Readable<string>;
  /** the key's own region, from its ARN (or the bucket's region for a bare key id or alias): KMS is regional */
  region?: string;
  /** DescribeKey KeyMetadata.KeyManager: `AWS` for an AWS managed key (aws/s3), whose policy cannot be changed */
  keyManager?: Readable<'AWS' | 'CUSTOMER'>;
}

export interface WafEvidence {
  webAcl: WafWebAcl;
  ipSets: WafIpSet[];
  sampledRequests: WafSampledRequest[];
}

export interface FunctionEvidence {
  name: string;
  arn: string;
  eventType: string;
  /**
   * TestFunction replay of each failing request: the status code the function answers with, if any, or
   * the URI of the request it passes on (a rewrite such as `/about/` → `/about/index.html`)
   */
  replays: {
    url: string;
    method: string;
    result: Readable<{ responseStatus?: number; error?: string; uri?: string }>;
  }[];
  /** the LIVE code (GetFunction), first 8 KiB, to read what a refusal checks; absent when unreadable */
  code?: string;
}

export interface LambdaUrlEvidence {
  /** the function's ARN, qualified when the URL belongs to an alias */
  functionArn: string;
  authType: 'AWS_IAM' | 'NONE' | string;
  /** GetPolicy; `null` when the function has no resource policy */
  policy: Readable<string | null>;
}

export interface DistributionEvidence {
  Id: string;
  ARN: string;
  DomainName: string;
  Status: string;
  ETag: string;
  DistributionConfig: DistributionConfig;
}

export interface Evidence {
  collectedAt: string;
  account: string;
  region: string;
  distribution: DistributionEvidence;
  origins: OriginEvidence[];
  buckets: Record<string, BucketEvidence>;
  accountPublicAccessBlock: Readable<PublicAccessBlockConfiguration | null>;
  kmsKeys: Record<string, KmsKeyEvidence>;
  waf: Readable<WafEvidence | null>;
  keyGroups: Record<string, Readable<KeyGroupConfig>>;
  functions: FunctionEvidence[];
  originRequestPolicies: Record<string, Readable<OriginRequestPolicyConfig>>;
  /** Lambda function URL origins by origin id: the function behind the URL and its resource policy */
  lambdaUrls?: Record<string, Readable<LambdaUrlEvidence>>;
  /** failing viewer requests (access logs) */
  requests: ViewerRequest[];
  /** the workflow's own probes of the failing requests, in the same order */
  probes: ProbeResult[];
  /** every API call made and how it ended, for the audit trail */
  calls: { api: string; target: string; ok: boolean; code?: string }[];
  /** which access logs were read for `requests`, and what could not be read (absent for fixed requests) */
  logs?: AccessLogSummary;
  /** the alarm that started the workflow: the viewer-side verification reads it */
  alarmName?: string;
  /** a probe of the site's front page, to tell an outage from 403s on paths that never existed */
  control?: ProbeResult;
  /**
   * Failing requests set aside as noise (scanners probing paths that never existed, while real pages are
   * served): not in `requests`/`probes`, so neither diagnosed nor verified, but kept here as evidence.
   */
  noise?: NoiseEvidence;
}

export interface NoiseEvidence {
  requests: ViewerRequest[];
  probes: ProbeResult[];
  /** why each was set aside, and that real pages are served */
  evidence: string[];
  /** a better alarm, so the same probes do not raise it again */
  advice: string[];
}

/** The access logs behind Evidence.requests: what was read, newest first, and what could not be. */
export interface AccessLogSummary {
  /** one line per destination: `standard-log s3://logs/cf/ (3 files, newest 2026-11-27T23:55:00Z)` */
  read: string[];
  /** destinations that could not be read, with the error */
  unreadable: string[];
  /** failing (403) records found in the window */
  failing: number;
  /** the window read, ISO times */
  from: string;
  to: string;
  /** standard logs usually arrive within an hour and may be 24 h late, so they speak for diagnosis only */
  note: string;
}

export interface Finding {
  id: CauseId;
  confidence: number;
  summary: string;
  evidence: string[];
  /** origin id, behavior path pattern, bucket, statement sid... that the planner needs */
  subject?: Record<string, string>;
  /**
   * Indices into Evidence.requests of the requests whose probe this cause keeps at 403 (now, or once
   * the other fixes are applied). The planner reads it to tell whether a manual cause still blocks
   * requests the verification will probe again.
   */
  requests?: number[];
}

export interface Diagnosis {
  /** true when the probes (or the logged viewer requests, for viewer-specific causes) still see 403 */
  reproduced: boolean;
  causes: Finding[];
  /**
   * Failing requests the probe cannot make as a real viewer would (CloudFront refuses the prober itself):
   * diagnosed from the viewers' access-log records instead, and verified from the viewers' side.
   */
  unreproducible?: { url: string; method: string; kind: 'geo' | 'waf'; reason: string }[];
  /** the failing requests set aside as noise (Evidence.noise): why, and the better alarm to set */
  noise?: { summary: string; evidence: string[]; advice: string[] };
  /**
   * 403s reproduce and no cause explains them: every failing request with its fingerprint, and what was
   * checked and found fine, so the escalation keeps all the evidence gathered.
   */
  unexplained?: { requests: string[]; checked: string[]; unreadable: string[] };
}

/** One API call a change makes, as it will be sent. */
export interface ApiCall {
  service: 'cloudfront' | 's3' | 'kms' | 'lambda';
  api: string;
  target: string;
}

export interface FieldDiff {
  path: string;
  before: unknown;
  after: unknown;
}

export type ChangeSpec =
  | { type: 'create-or-reuse-oac'; originId: string; bucket: string; oacName: string }
  | { type: 'merge-bucket-policy-statement'; bucket: string; statement: Record<string, unknown> }
  | {
      type: 'replace-bucket-policy-statement';
      bucket: string;
      index: number;
      statement: Record<string, unknown>;
    }
  | { type: 'update-distribution'; edits: DistributionEdit[] }
  | { type: 'merge-key-policy-statement'; keyId: string; statement: Record<string, unknown> }
  | { type: 'put-ownership-controls'; bucket: string; objectOwnership: 'BucketOwnerEnforced' }
  /** nothing to change: wait for the pending deployment, then invalidate and probe again */
  | { type: 'wait-for-deployment'; distributionId: string }
  /** create and publish a CloudFront Function (viewer request); an `associate-function` edit attaches it */
  | { type: 'create-function'; functionName: string; comment: string; code: string }
  /** one statement of a Lambda function's resource policy, as AddPermission writes it */
  | { type: 'add-lambda-permission'; permission: LambdaPermission }
  /** nothing to change: the invalidation that follows every fix drops the cached error responses */
  | { type: 'invalidate-cached-errors'; distributionId: string };

export interface LambdaPermission {
  /** function name or ARN, qualified when the URL belongs to an alias */
  functionName: string;
  statementId: string;
  action: 'lambda:InvokeFunctionUrl' | 'lambda:InvokeFunction';
  principal: string;
  sourceArn: string;
  functionUrlAuthType?: 'AWS_IAM' | 'NONE';
  invokedViaFunctionUrl?: boolean;
}

/** The behavior settings an origin's requests depend on, carried over when a behavior is re-pointed. */
export const CARRIED_BEHAVIOR_FIELDS = [
  'AllowedMethods',
  'CachePolicyId',
  'OriginRequestPolicyId',
  'ForwardedValues',
  'MinTTL',
  'DefaultTTL',
  'MaxTTL',
] as const;
export type BehaviorCarry = {
  [K in (typeof CARRIED_BEHAVIOR_FIELDS)[number]]?:
    | import('@aws-sdk/client-cloudfront').CacheBehavior[K]
    | null;
};

/** Edits applied to a fresh DistributionConfig, so a re-read after PreconditionFailed re-applies them. */
export type DistributionEdit =
  | { op: 'attach-oac'; originId: string; oacRef: 'created' | string }
  | { op: 'set-default-root-object'; value: string }
  | {
      op: 'set-behavior-target';
      pathPattern: string;
      targetOriginId: string;
      /** settings copied from a behavior that already serves the target origin; null removes the field */
      carry?: BehaviorCarry;
    }
  /** deletes a cache behavior that only shadows another one (paths then fall through to that one) */
  | { op: 'remove-behavior'; pathPattern: string }
  /** moves a cache behavior just before another, so CloudFront matches it first */
  | { op: 'move-behavior'; pathPattern: string; before: string }
  | { op: 'set-viewer-protocol'; pathPattern: string; value: 'redirect-to-https' }
  | { op: 'set-origin-request-policy'; pathPattern: string; policyId: string }
  /** legacy cache settings: drop one header from ForwardedValues.Headers */
  | { op: 'remove-forwarded-header'; pathPattern: string; header: string }
  | { op: 'switch-origin-to-rest'; originId: string; domainName: string }
  /** adds the function association; `functionName` is resolved to the ARN of the function created (or reused) */
  | { op: 'associate-function'; pathPattern: string; eventType: 'viewer-request'; functionName: string }
  /** adds the CustomErrorResponses entry for `entry.ErrorCode`, or replaces the one there */
  | {
      op: 'set-custom-error-response';
      entry: {
        ErrorCode: number;
        ResponsePagePath: string;
        ResponseCode: string;
        ErrorCachingMinTTL?: number;
      };
    };

export interface Action {
  id: string;
  cause: CauseId;
  risk: Risk;
  description: string;
  calls: ApiCall[];
  diff: FieldDiff[];
  /** absent for manual actions: they are recommendations */
  change?: ChangeSpec;
  /** the tool that manages the resource this change writes (its tags say so): functions/domain/guard.ts */
  managedBy?: ResourceOwner;
  /** the same change, as an edit to the owner's template, so its next deployment keeps the fix */
  templateChange?: string;
  /**
   * The account whose resource the change writes when it is not the distribution's (a bucket or key of another
   * account, issue 15): the apply and the rollback write it with that account's clients.
   */
  account?: string;
}

/** Who manages a resource: CloudFormation (its stack-name tag) or the tool a `cf403:managed-by` tag names. */
export interface ResourceOwner {
  /** `cloudformation`, or the value of cf403:managed-by */
  tool: string;
  stack?: string;
  logicalId?: string;
}

export interface Plan {
  actions: Action[];
  requiresApproval: boolean;
  /** true when at least one action changes the account */
  hasChanges: boolean;
}

/** What a change touched, recorded before it is made, so rollback can restore it exactly. */
export type Snapshot =
  | { kind: 'distribution-config'; distributionId: string; config: DistributionConfig }
  /** `account`: the resource's account when it is not the distribution's (Action.account) */
  | { kind: 'bucket-policy'; bucket: string; policy: string | null; account?: string }
  | { kind: 'key-policy'; keyId: string; policy: string; account?: string }
  | { kind: 'ownership-controls'; bucket: string; controls: OwnershipControls | null; account?: string }
  /** `etag`: as CreateOriginAccessControl returned it, so the rollback can delete without reading first */
  | { kind: 'created-oac'; oacId: string; etag?: string }
  /** a CloudFront Function this execution created: the rollback deletes it */
  | { kind: 'created-function'; name: string }
  /** a statement this execution added to a Lambda function's policy: the rollback removes it */
  | { kind: 'lambda-permission'; functionName: string; statementId: string };

export interface AppliedChange {
  actionId: string;
  description: string;
  calls: string[];
}

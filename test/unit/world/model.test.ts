import { readFileSync } from 'node:fs';
import {
  CloudFrontClient,
  GetDistributionConfigCommand,
  TooManyCacheBehaviors,
} from '@aws-sdk/client-cloudfront';
import { ValidationException as SfnValidationException } from '@aws-sdk/client-sfn';
import { InvalidParameterException } from '@aws-sdk/client-sns';
import { ValidationException as SsmValidationException } from '@aws-sdk/client-ssm';
import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../sim/scenario/load.ts';
import type { ServiceName } from '../../../sim/world/errors.ts';
import { modelValidationError, validationMessage } from '../../../sim/world/model/errors.ts';
import { QUOTA_ROWS, quotaError, quotaViolations } from '../../../sim/world/model/quotas.ts';
import { MODEL_TABLE, ModelLookupError } from '../../../sim/world/model/table.ts';
import {
  type ModelViolation,
  modelViolations,
  REDACTED,
  redactCallInput,
  redactSensitive,
  sensitivePaths,
} from '../../../sim/world/model/validate.ts';
import { World } from '../../../sim/world/world.ts';

const DEMO = new URL('../../../sim/demo/origin-access-missing.json', import.meta.url);
const demo = loadScenario(DEMO.pathname);
const demoDistribution = demo.cloudfront.distributions[0];
if (!demoDistribution) throw new Error('demo scenario has no distribution');

function updateDistributionInput() {
  return structuredClone({
    Id: demoDistribution?.Id,
    IfMatch: demoDistribution?.ETag,
    DistributionConfig: demoDistribution?.DistributionConfig,
  });
}

type ErrorShape = Error & { $metadata?: { httpStatusCode?: number } };

/** Validates and returns the error the call would throw. */
function refusal(service: ServiceName, operation: string, input: unknown): ErrorShape {
  const violations = modelViolations(service, operation, input);
  expect(violations.length).toBeGreaterThan(0);
  return modelValidationError(service, operation, violations, 'req-1');
}

const BUCKET_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'AllowCloudFrontServicePrincipalReadOnly',
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-site/*',
      Condition: {
        StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE' },
      },
    },
  ],
});

describe('the generated model table', () => {
  it('covers every operation the simulated World answers, and operations.json matches the World', () => {
    const operations = new World(demo).operations();
    for (const [service, ops] of Object.entries(operations) as [ServiceName, string[]][]) {
      const model = MODEL_TABLE.services[service];
      expect(model, service).toBeDefined();
      for (const op of ops) expect(model.operations[op], `${service}:${op}`).not.toBeUndefined();
    }
    const listed: unknown = JSON.parse(
      readFileSync(new URL('../../../tools/aws-models/operations.json', import.meta.url), 'utf8'),
    );
    expect(listed).toEqual(operations);
  });

  it('records its source and resolves every shape reference', () => {
    expect(MODEL_TABLE.botocoreVersion).toMatch(/^1\.\d+\.\d+$/);
    expect(MODEL_TABLE.services.sfn).toMatchObject({ botocoreName: 'stepfunctions', protocol: 'json' });
    expect(MODEL_TABLE.services.cloudfront).toMatchObject({ apiVersion: '2020-05-31', protocol: 'rest-xml' });
    for (const [service, model] of Object.entries(MODEL_TABLE.services)) {
      const refs = [
        ...Object.values(model.operations).filter((s): s is string => s !== null),
        ...Object.values(model.shapes).flatMap((s) => [
          ...Object.values(s.members ?? {}),
          ...[s.member, s.key, s.value].filter((x): x is string => x !== undefined),
        ]),
      ];
      for (const ref of refs) expect(model.shapes[ref], `${service} shape ${ref}`).toBeDefined();
    }
  });

  it('compiles every translated pattern, and lists every pattern it left untranslated', () => {
    const skipped = new Set(MODEL_TABLE.skippedPatterns.map((p) => `${p.service}:${p.shape}`));
    let compiled = 0;
    for (const [service, model] of Object.entries(MODEL_TABLE.services)) {
      for (const [name, shape] of Object.entries(model.shapes)) {
        if (shape.pattern === undefined) continue;
        if (shape.regex === undefined) {
          expect(skipped.has(`${service}:${name}`), `${service}:${name}`).toBe(true);
          continue;
        }
        expect(() => new RegExp(shape.regex ?? '', 'u'), shape.regex).not.toThrow();
        compiled++;
      }
    }
    expect(compiled).toBeGreaterThan(20);
  });

  it('refuses an operation it has no model for', () => {
    expect(() => modelViolations('s3', 'CreateBucket', {})).toThrow(ModelLookupError);
  });
});

describe('valid inputs, shaped as the workflow sends them, pass', () => {
  it('CloudFront UpdateDistribution with a full DistributionConfig', () => {
    expect(modelViolations('cloudfront', 'UpdateDistribution', updateDistributionInput())).toEqual([]);
  });

  it('S3 PutBucketPolicy, SSM StartAutomationExecution, SFN SendTaskSuccess, DynamoDB PutItem, SNS Publish', () => {
    expect(
      modelViolations('s3', 'PutBucketPolicy', { Bucket: 'example-site', Policy: BUCKET_POLICY }),
    ).toEqual([]);
    expect(
      modelViolations('ssm', 'StartAutomationExecution', {
        DocumentName: 'Cf403Remediation-Approval',
        Parameters: {
          Approvers: ['arn:aws:iam::111122223333:role/Operator'],
          MinRequiredApprovals: ['1'],
          Message: ['cf403 asks to repair CloudFront distribution E2QWRUHEXAMPLE.'],
          ExecutionId: ['arn:aws:states:us-east-1:111122223333:execution:cf403:run-1'],
          DistributionId: ['E2QWRUHEXAMPLE'],
        },
      }),
    ).toEqual([]);
    expect(
      modelViolations('sfn', 'SendTaskSuccess', {
        taskToken: 'AQCEAAAAKgAAAAMAAAAA',
        output: '{"approved":true}',
      }),
    ).toEqual([]);
    expect(
      modelViolations('dynamodb', 'PutItem', {
        TableName: 'cf403-remediation',
        Item: marshall({ pk: 'LOCK#E2QWRUHEXAMPLE', sk: 'LOCK', holder: 'run-1', expiresAt: 1_800_000_000 }),
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now OR holder = :me',
        ExpressionAttributeValues: marshall({ ':now': 1_700_000_000, ':me': 'run-1' }),
      }),
    ).toEqual([]);
    expect(
      modelViolations('sns', 'Publish', {
        TopicArn: 'arn:aws:sns:us-east-1:111122223333:cf403',
        Subject: 'cf403',
        Message: 'repaired',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    ).toEqual([]);
  });

  it('ignores members the model does not know, as the SDK drops them', () => {
    expect(modelViolations('kms', 'DescribeKey', { KeyId: 'alias/site', Extra: 42 })).toEqual([]);
  });

  it('takes a number for a string member of a text protocol (CloudFront MaxItems is a string to botocore)', () => {
    expect(modelViolations('cloudfront', 'ListOriginAccessControls', { MaxItems: 100 })).toEqual([]);
    const [wrongType] = modelViolations('dynamodb', 'GetItem', { TableName: 7, Key: {} });
    expect(wrongType).toMatchObject({ path: 'TableName', constraint: 'type' });
  });
});

describe('refusals, with the service error and path AWS uses', () => {
  it('a too long string: the JSON services answer ValidationException listing every violation', () => {
    const violations = modelViolations('sfn', 'SendTaskFailure', {
      taskToken: 'x'.repeat(2049),
      error: 'E'.repeat(257),
    });
    expect(violations.map((v) => [v.path, v.message])).toEqual([
      ['taskToken', 'Member must have length less than or equal to 2048'],
      ['error', 'Member must have length less than or equal to 256'],
    ]);
    const error = modelValidationError('sfn', 'SendTaskFailure', violations, 'req-1');
    expect(error).toBeInstanceOf(SfnValidationException);
    expect(error.message).toBe(
      `2 validation errors detected: Value '${'x'.repeat(2049)}' at 'taskToken' failed to satisfy constraint: ` +
        'Member must have length less than or equal to 2048; ' +
        // `error` is SensitiveError: AWS leaves the value out
        "Value at 'error' failed to satisfy constraint: Member must have length less than or equal to 256",
    );
    expect((error as ErrorShape).$metadata?.httpStatusCode).toBe(400);
  });

  it('counts string length in code points, as AWS does', () => {
    const emoji = '\u{1F600}';
    const input = (n: number) => ({
      DocumentName: 'Cf403-Approval',
      Parameters: { Message: [emoji.repeat(n)] },
    });
    expect(modelViolations('ssm', 'StartAutomationExecution', input(512))).toEqual([]);
    const [tooLong] = modelViolations('ssm', 'StartAutomationExecution', input(513));
    expect(tooLong).toMatchObject({ path: 'Parameters.Message[0]', constraint: 'length' });
  });

  it('a list element too long is reported against its list with all the element constraints', () => {
    const violations = modelViolations('ssm', 'StartAutomationExecution', {
      DocumentName: 'Cf403-Approval',
      Parameters: { Message: ['m'.repeat(600), 'n'.repeat(700)] },
    });
    expect(violations).toHaveLength(1); // one report per collection
    const error = modelValidationError('ssm', 'StartAutomationExecution', violations, 'req-1');
    expect(error).toBeInstanceOf(SsmValidationException);
    expect(error.message).toContain(
      "at 'parameters.Message' failed to satisfy constraint: Member must satisfy constraint: " +
        '[Member must have length less than or equal to 512, Member must have length greater than or equal to 1]',
    );
  });

  it('a missing required member: CloudFront InvalidArgument "The parameter X is required."', () => {
    const input = updateDistributionInput();
    const origin = input.DistributionConfig?.Origins?.Items?.[0];
    if (origin) Reflect.deleteProperty(origin, 'Id');
    const [missing] = modelViolations('cloudfront', 'UpdateDistribution', input);
    expect(missing).toMatchObject({
      path: 'DistributionConfig.Origins.Items[0].Id',
      awsPath: 'distributionConfig.origins.items.1.member.id',
      constraint: 'required',
    });
    const error = refusal('cloudfront', 'UpdateDistribution', input);
    expect(error.name).toBe('InvalidArgument');
    expect(error.message).toBe('The parameter Id is required.');
  });

  it('a missing required member: SNS (query protocol) answers ValidationError, "Value null"', () => {
    const error = refusal('sns', 'Publish', { TopicArn: 'arn:aws:sns:us-east-1:111122223333:cf403' });
    expect(error.name).toBe('ValidationError');
    expect(error.message).toBe(
      "1 validation error detected: Value null at 'message' failed to satisfy constraint: Member must not be null",
    );
  });

  it('a missing URI label is refused by the SDK itself, exactly as the real client refuses it', async () => {
    const ours = refusal('cloudfront', 'GetDistributionConfig', {});
    const client = new CloudFrontClient({
      region: 'us-east-1',
      credentials: { accessKeyId: 'x', secretAccessKey: 'y' },
      maxAttempts: 1,
    });
    const theirs = await client.send(new GetDistributionConfigCommand({} as never)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(theirs).toBeInstanceOf(Error);
    expect(ours.message).toBe((theirs as Error).message);
    expect(ours.name).toBe((theirs as Error).name);
  });

  it('a bad enum: CloudFront InvalidArgument names the value set; S3 answers MalformedXML for its body', () => {
    const input = updateDistributionInput();
    Object.assign(input.DistributionConfig ?? {}, { PriceClass: 'PriceClass_Cheap' });
    const error = refusal('cloudfront', 'UpdateDistribution', input);
    expect(error.name).toBe('InvalidArgument');
    expect(error.message).toBe(
      "1 validation error detected: Value 'PriceClass_Cheap' at 'distributionConfig.priceClass' failed to " +
        'satisfy constraint: Member must satisfy enum value set: [PriceClass_100, PriceClass_200, PriceClass_All, None]',
    );
    const s3 = refusal('s3', 'PutBucketOwnershipControls', {
      Bucket: 'example-site',
      OwnershipControls: { Rules: [{ ObjectOwnership: 'OwnerEnforced' }] },
    });
    expect(s3.name).toBe('MalformedXML');
    expect(s3.message).toMatch(/did not validate against our published schema/);
  });

  it('a list too long: at the list, "Member must have length less than or equal to N"', () => {
    const filters = Array.from({ length: 11 }, () => ({ Key: 'DocumentNamePrefix', Values: ['Cf403'] }));
    const [tooMany] = modelViolations('ssm', 'DescribeAutomationExecutions', { Filters: filters });
    expect(tooMany).toMatchObject({
      path: 'Filters',
      message: 'Member must have length less than or equal to 10',
      constraint: 'length',
    });
    expect(refusal('ssm', 'DescribeAutomationExecutions', { Filters: filters }).name).toBe(
      'ValidationException',
    );
  });

  it('a bad pattern: the whole value must match, as AWS matches (aws/aws-cli#790)', () => {
    const input = (indexName: string) => ({
      TableName: 'cf403-remediation',
      IndexName: indexName,
      KeyConditionExpression: 'pk = :pk',
    });
    expect(modelViolations('dynamodb', 'Query', input('by-status'))).toEqual([]);
    // a substring matches [a-zA-Z0-9_.-]+, the whole value does not
    const error = refusal('dynamodb', 'Query', input('"by-status"'));
    expect(error.name).toBe('ValidationException');
    expect(error.message).toBe(
      "1 validation error detected: Value '\"by-status\"' at 'indexName' failed to satisfy constraint: " +
        'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+',
    );
    const waf = refusal('wafv2', 'GetWebACL', { Name: 'site-acl', Scope: 'CLOUDFRONT', Id: 'a1b2c3d4' });
    expect(waf.name).toBe('ValidationException');
    expect(waf.message).toContain(
      "at 'id' failed to satisfy constraint: Member must satisfy regular expression",
    );
  });

  it('a number out of range, and values of the wrong type (SerializationException for JSON services)', () => {
    const window = { StartTime: new Date(0), EndTime: new Date(1000) };
    const sampled = (maxItems: unknown, startTime: unknown = window.StartTime) => ({
      WebAclArn:
        'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site-acl/a1b2c3d4-0000-0000-0000-000000000000',
      RuleMetricName: 'site-acl',
      Scope: 'CLOUDFRONT',
      TimeWindow: { ...window, StartTime: startTime },
      MaxItems: maxItems,
    });
    expect(modelViolations('wafv2', 'GetSampledRequests', sampled(100))).toEqual([]);
    expect(refusal('wafv2', 'GetSampledRequests', sampled(501)).message).toContain(
      "Value '501' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 500",
    );
    const notDate = refusal('wafv2', 'GetSampledRequests', sampled(100, '2026-11-28T00:00:00Z'));
    expect(notDate.name).toBe('SerializationException');
    const item = refusal('dynamodb', 'PutItem', { TableName: 't', Item: { pk: { S: 5 } } });
    expect(item.name).toBe('SerializationException');
    expect(item.message).toBe('NUMBER_VALUE can not be converted to a String');
  });

  it('the SDK exception class of the service when it models the error', () => {
    const error = refusal('sfn', 'SendTaskSuccess', { taskToken: '', output: '{}' });
    expect(error).toBeInstanceOf(SfnValidationException);
    expect(error.$metadata).toMatchObject({ httpStatusCode: 400, requestId: 'req-1' });
  });
});

describe('quotas from AWS quota pages', () => {
  const inputs: Record<string, (over: boolean) => unknown> = {
    's3-bucket-policy-size': (over) => ({
      Bucket: 'example-site',
      // whitespace is not counted: pad the JSON with spaces it loses, and the Sid with bytes it keeps
      Policy: JSON.stringify(
        { Version: '2012-10-17', Statement: [{ Sid: 'x'.repeat(over ? 20_480 : 20_400) }] },
        null,
        8,
      ),
    }),
    'kms-key-policy-size': (over) => ({ KeyId: 'k', Policy: 'p'.repeat(over ? 32_769 : 32_768) }),
    'sns-message-size': (over) => ({
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:cf403',
      Message: 'm'.repeat(262_144 - 10),
      // name (4) + type (6) + value: the attributes count toward the size
      MessageAttributes: { kind: { DataType: 'String', StringValue: over ? 'x' : '' } },
    }),
    'sfn-task-output-size': (over) => ({ taskToken: 't', output: '\u00e9'.repeat(over ? 131_073 : 131_072) }),
    'cloudfront-invalidation-files': (over) => ({
      DistributionId: 'E2QWRUHEXAMPLE',
      InvalidationBatch: {
        CallerReference: 'r',
        Paths: { Quantity: 0, Items: Array.from({ length: over ? 3001 : 3000 }, (_, i) => `/f${i}.html`) },
      },
    }),
    'cloudfront-invalidation-wildcards': (over) => ({
      DistributionId: 'E2QWRUHEXAMPLE',
      InvalidationBatch: {
        CallerReference: 'r',
        Paths: { Quantity: 0, Items: Array.from({ length: over ? 16 : 15 }, (_, i) => `/d${i}/*`) },
      },
    }),
    'cloudfront-cache-behaviors': (over) => distributionWith('CacheBehaviors', over ? 76 : 75),
    'cloudfront-origins': (over) => distributionWith('Origins', over ? 101 : 100),
    'cloudfront-origin-groups': (over) => distributionWith('OriginGroups', over ? 11 : 10),
    'cloudfront-cnames': (over) => distributionWith('Aliases', over ? 101 : 100),
  };

  function distributionWith(member: string, n: number): unknown {
    const input = updateDistributionInput();
    Object.assign(input.DistributionConfig ?? {}, {
      [member]: { Quantity: n, Items: Array.from({ length: n }, (_, i) => ({ Id: `item-${i}` })) },
    });
    return input;
  }

  it('has an input for every row', () => {
    expect(Object.keys(inputs).sort()).toEqual(QUOTA_ROWS.map((r) => r.id).sort());
  });

  for (const row of QUOTA_ROWS) {
    it(`${row.id}: ${row.limit} passes, one more is refused with ${row.error.name}`, () => {
      const make = inputs[row.id];
      if (!make) throw new Error(`no input for ${row.id}`);
      expect(quotaViolations(row.service, row.operation, make(false))).toEqual([]);
      const violations = quotaViolations(row.service, row.operation, make(true));
      expect(violations).toHaveLength(1);
      expect(violations[0]).toMatchObject({ quota: row.id, path: row.path, constraint: 'quota' });
      const error = quotaError(row.service, row.operation, violations, 'req-1') as ErrorShape;
      expect(error.name).toBe(row.error.name);
      expect(error.$metadata?.httpStatusCode).toBe(row.error.status);
    });
  }

  it('answers with the services’ own exception classes and words', () => {
    const sns = quotaError(
      'sns',
      'Publish',
      quotaViolations('sns', 'Publish', inputs['sns-message-size']?.(true)),
    );
    expect(sns).toBeInstanceOf(InvalidParameterException);
    expect(sns.message).toBe('Invalid parameter: Message too long');
    const behaviors = quotaViolations(
      'cloudfront',
      'UpdateDistribution',
      distributionWith('CacheBehaviors', 76),
    );
    expect(quotaError('cloudfront', 'UpdateDistribution', behaviors)).toBeInstanceOf(TooManyCacheBehaviors);
    const output = quotaViolations('sfn', 'SendTaskSuccess', inputs['sfn-task-output-size']?.(true));
    expect(quotaError('sfn', 'SendTaskSuccess', output).message).toBe(
      "1 validation error detected: Value at 'output' failed to satisfy constraint: " +
        'Member must have length less than or equal to 262144',
    );
  });
});

describe('redaction of sensitive members', () => {
  it('replaces the members the model marks sensitive, in a copy', () => {
    const input = { taskToken: 'token-1', output: '{"secret":true}' };
    expect(redactSensitive('sfn', 'SendTaskSuccess', input)).toEqual({
      taskToken: 'token-1',
      output: REDACTED,
    });
    expect(input.output).toBe('{"secret":true}');
  });

  it('finds sensitive members deep in a structure (CloudFront Comment) and leaves the rest equal', () => {
    const input = updateDistributionInput();
    const redacted = redactSensitive('cloudfront', 'UpdateDistribution', input) as typeof input;
    expect(redacted.DistributionConfig?.Comment).toBe(REDACTED);
    expect({ ...redacted.DistributionConfig, Comment: 'x' }).toEqual({
      ...input.DistributionConfig,
      Comment: 'x',
    });
    expect(redacted.DistributionConfig).not.toBe(input.DistributionConfig);
    expect(sensitivePaths('cloudfront', 'UpdateDistribution', input)).toEqual(['DistributionConfig.Comment']);
  });

  it('redacts S3 SSE keys and SNS phone numbers, and copies calls it has no model for', () => {
    expect(
      redactSensitive('s3', 'PutObject', { Bucket: 'b', Key: 'k', SSECustomerKey: 'key', Body: 'x' }),
    ).toEqual({ Bucket: 'b', Key: 'k', SSECustomerKey: REDACTED, Body: 'x' });
    expect(redactCallInput('sns', 'Publish', { PhoneNumber: '+15555550100', Message: 'hi' })).toEqual({
      PhoneNumber: REDACTED,
      Message: 'hi',
    });
    const other = { a: { b: 1 } };
    const copied = redactCallInput('lambda', 'Invoke', other);
    expect(copied).toEqual(other);
    expect(copied).not.toBe(other);
  });
});

describe('validationMessage', () => {
  it('renders values as AWS prints them', () => {
    const v: ModelViolation = {
      path: 'Values',
      awsPath: 'values',
      message: 'Member must have length less than or equal to 1',
      constraint: 'length',
      value: ['a', 'b'],
    };
    expect(validationMessage([v])).toBe(
      "1 validation error detected: Value '[a, b]' at 'values' failed to satisfy constraint: " +
        'Member must have length less than or equal to 1',
    );
  });
});

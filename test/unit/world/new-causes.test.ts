// The simulated account's issue 11 additions: Lambda (functions, URLs, resource policies), CloudFront
// Function writes, cached error responses, and the edge answers that depend on them.
import {
  CloudFrontClient,
  CreateFunctionCommand,
  CreateInvalidationCommand,
  DeleteFunctionCommand,
  PublishFunctionCommand,
} from '@aws-sdk/client-cloudfront';
import {
  AddPermissionCommand,
  GetPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListFunctionUrlConfigsCommand,
  RemovePermissionCommand,
} from '@aws-sdk/client-lambda';
import { describe, expect, it } from 'vitest';
import { parseFunctionName } from '../../../cli/iam-actions.ts';
import { respond } from '../../../sim/edge/index.ts';
import { World } from '../../../sim/world/world.ts';
import { readScenario } from '../causes/new-causes/scenario-evidence.ts';

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };
const HOST = 'd111111abcdef8.cloudfront.net';
const FUNCTION = 'arn:aws:lambda:us-east-1:111122223333:function:ssr-handler';

function worldOf(name: string): World {
  return new World(readScenario(name), { enforce: { iam: false } });
}

function get(world: World, path: string, host = HOST) {
  return respond(world, {
    url: `https://${host}${path}`,
    method: 'GET',
    country: 'US',
    clientIp: '192.0.2.10',
  });
}

describe('Lambda', () => {
  it('splits function names, partial and full ARNs, with or without qualifier', () => {
    expect(parseFunctionName('ssr-handler')).toEqual({ name: 'ssr-handler', qualifier: '' });
    expect(parseFunctionName('ssr-handler:live')).toEqual({ name: 'ssr-handler', qualifier: 'live' });
    expect(parseFunctionName(`${FUNCTION}:7`)).toEqual({ name: 'ssr-handler', qualifier: '7' });
    expect(parseFunctionName('111122223333:function:ssr-handler')).toEqual({
      name: 'ssr-handler',
      qualifier: '',
    });
    expect(parseFunctionName(FUNCTION, 'live')).toEqual({ name: 'ssr-handler', qualifier: 'live' });
  });

  it('lists functions and their URLs, and keeps a policy per qualifier', async () => {
    const world = worldOf('lambda-url-permission-missing');
    const lambda = world.attach(new LambdaClient(config));
    const listed = await lambda.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => f.FunctionArn)).toEqual([FUNCTION]);
    const urls = await lambda.send(new ListFunctionUrlConfigsCommand({ FunctionName: 'ssr-handler' }));
    expect(urls.FunctionUrlConfigs?.[0]).toMatchObject({ AuthType: 'AWS_IAM', FunctionArn: FUNCTION });
    await expect(
      lambda.send(new GetPolicyCommand({ FunctionName: 'ssr-handler', Qualifier: 'live' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('adds and removes statements as AddPermission and RemovePermission do, refusing duplicates', async () => {
    const world = worldOf('lambda-url-permission-missing-both');
    const lambda = world.attach(new LambdaClient(config));
    await expect(lambda.send(new GetPolicyCommand({ FunctionName: FUNCTION }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    const input = {
      FunctionName: FUNCTION,
      StatementId: 'cf',
      Action: 'lambda:InvokeFunctionUrl',
      Principal: 'cloudfront.amazonaws.com',
      SourceArn: 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE',
      FunctionUrlAuthType: 'AWS_IAM' as const,
    };
    const added = await lambda.send(new AddPermissionCommand(input));
    expect(added.$metadata.httpStatusCode).toBe(201);
    expect(JSON.parse(added.Statement ?? '{}')).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Condition: { StringEquals: { 'lambda:FunctionUrlAuthType': 'AWS_IAM' } },
    });
    await expect(lambda.send(new AddPermissionCommand(input))).rejects.toMatchObject({
      name: 'ResourceConflictException',
    });
    await lambda.send(new RemovePermissionCommand({ FunctionName: FUNCTION, StatementId: 'cf' }));
    await expect(
      lambda.send(new RemovePermissionCommand({ FunctionName: FUNCTION, StatementId: 'cf' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
    expect(world.toScenario().lambda?.functions[0]?.Policy).toBeNull();
  });
});

describe('CloudFront Function writes', () => {
  it('creates in DEVELOPMENT, publishes to LIVE, and refuses to delete a function in use', async () => {
    const world = worldOf('directory-index-missing');
    const cf = world.attach(new CloudFrontClient(config));
    const code = new TextEncoder().encode('function handler(event) { return event.request; }');
    const created = await cf.send(
      new CreateFunctionCommand({
        Name: 'cf403-test',
        FunctionConfig: { Comment: 'cf403', Runtime: 'cloudfront-js-2.0' },
        FunctionCode: code,
      }),
    );
    expect(created.FunctionSummary?.FunctionMetadata?.Stage).toBe('DEVELOPMENT');
    await expect(
      cf.send(
        new CreateFunctionCommand({
          Name: 'cf403-test',
          FunctionConfig: { Comment: '', Runtime: 'cloudfront-js-2.0' },
          FunctionCode: code,
        }),
      ),
    ).rejects.toMatchObject({ name: 'FunctionAlreadyExists' });
    await cf.send(new PublishFunctionCommand({ Name: 'cf403-test', IfMatch: created.ETag }));
    expect(world.toScenario().cloudfront.functions?.[0]?.FunctionMetadata.Stage).toBe('LIVE');
    const d = world.state.distributions.get('E2QWRUHEXAMPLE');
    const behavior = d?.config.DefaultCacheBehavior;
    if (behavior)
      behavior.FunctionAssociations = {
        Quantity: 1,
        Items: [
          {
            FunctionARN: created.FunctionSummary?.FunctionMetadata?.FunctionARN,
            EventType: 'viewer-request',
          },
        ],
      };
    await expect(
      cf.send(new DeleteFunctionCommand({ Name: 'cf403-test', IfMatch: created.ETag })),
    ).rejects.toMatchObject({
      name: 'FunctionInUse',
    });
  });
});

describe('cached error responses', () => {
  it('serves the cached 403 with its Age until an invalidation of the path completes', async () => {
    const world = worldOf('error-response-cached');
    const before = get(world, '/index.html');
    expect(before.status).toBe(403);
    expect(before.headers.age).toBe('600');
    expect(before.headers['x-cache']).toBe('Error from cloudfront');
    const cf = world.attach(new CloudFrontClient(config));
    await cf.send(
      new CreateInvalidationCommand({
        DistributionId: 'E2QWRUHEXAMPLE',
        InvalidationBatch: { CallerReference: 'x', Paths: { Quantity: 1, Items: ['/index.html'] } },
      }),
    );
    expect(get(world, '/index.html').status).toBe(403); // still in progress
    world.advance(120);
    expect(get(world, '/index.html').status).toBe(200);
    expect(get(world, '/app.js').status).toBe(403); // not invalidated
    expect(world.toScenario().simulation?.errorCache?.map((e) => e.path)).toEqual(['/app.js']);
  });

  it('expires after ErrorCachingMinTTL', () => {
    const world = worldOf('error-response-cached');
    world.advance(3000);
    expect(get(world, '/index.html').status).toBe(200);
  });
});

describe('edge answers of issue 11 origins', () => {
  it('a function URL refuses CloudFront without both statements, with the message Lambda gives', () => {
    const res = get(worldOf('lambda-url-permission-missing'), '/');
    expect(res.status).toBe(403);
    expect(res.headers['x-amzn-errortype']).toBe('AccessDeniedException');
    expect(res.body).toContain('For troubleshooting Function URL authorization issues');
    expect(get(worldOf('healthy-lambda-url-oac'), '/').status).toBe(200);
  });

  it('API Gateway and function URLs refuse a forwarded viewer Host', () => {
    expect(get(worldOf('host-header-to-custom-origin'), '/api/orders', 'www.example.com')).toMatchObject({
      status: 403,
      body: '{"message":"Forbidden"}',
    });
    expect(get(worldOf('host-header-to-custom-origin-lambda-url'), '/').status).toBe(403);
    expect(
      get(worldOf('healthy-api-gateway-all-viewer-except-host'), '/api/orders', 'www.example.com').status,
    ).toBe(200);
  });

  it('a Lambda@Edge request trigger answers for the paths it is given', () => {
    const world = worldOf('lambda-edge-denied-origin-request');
    const denied = get(world, '/reports/q3.pdf');
    expect(denied.status).toBe(403);
    expect(denied.headers['x-cache']).toBe('LambdaGeneratedResponse from cloudfront');
    expect(get(world, '/index.html').status).toBe(200);
  });

  it("S3 sees the Referer and User-Agent CloudFront sends, not the viewer's", () => {
    expect(get(worldOf('policy-header-condition'), '/index.html', 'www.example.com').status).toBe(403);
    expect(get(worldOf('policy-header-condition-user-agent'), '/index.html').status).toBe(403);
    expect(get(worldOf('policy-header-condition-website-secret'), '/index.html').status).toBe(403);
    expect(get(worldOf('healthy-website-referer-secret'), '/index.html').status).toBe(200);
  });
});

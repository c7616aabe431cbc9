import {
  CreateInvalidationCommand,
  CreateOriginAccessControlCommand,
  DeleteOriginAccessControlCommand,
  DescribeFunctionCommand,
  type DistributionConfig,
  GetDistributionCommand,
  GetDistributionConfigCommand,
  GetInvalidationCommand,
  GetKeyGroupCommand,
  GetOriginAccessControlCommand,
  GetOriginRequestPolicyCommand,
  IllegalOriginAccessConfiguration,
  InconsistentQuantities,
  InvalidArgument,
  InvalidDomainNameForOriginAccessControl,
  InvalidIfMatchVersion,
  ListDistributionsCommand,
  ListInvalidationsCommand,
  ListOriginAccessControlsCommand,
  NoSuchDistribution,
  NoSuchOrigin,
  NoSuchOriginAccessControl,
  OriginAccessControlInUse,
  PreconditionFailed,
  TestFunctionCommand,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import {
  ALL_VIEWER_EXCEPT_HOST_POLICY_ID,
  CORS_S3_ORIGIN_POLICY_ID,
} from '../../../sim/world/managed-policies.ts';
import { clients, DIST, OAC, rejection, worldOf } from './helpers.ts';

describe('distribution config, ETag and IfMatch', () => {
  it('answers GetDistributionConfig with the scenario ETag and config', async () => {
    const world = worldOf('healthy');
    const { cf } = clients(world);
    const out = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    expect(out.ETag).toBe('E1ABCDEFGHIJK');
    expect(out.DistributionConfig?.Origins?.Items?.[0]?.OriginAccessControlId).toBe(OAC);
    expect(out.$metadata.httpStatusCode).toBe(200);
  });

  it('updates with the current ETag, returns a new one, and rejects the stale one', async () => {
    const world = worldOf('default-root-object-missing');
    const { cf } = clients(world);
    const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    if (!DistributionConfig) throw new Error('no config');
    DistributionConfig.DefaultRootObject = 'index.html';
    const updated = await cf.send(
      new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig }),
    );
    expect(updated.ETag).toMatch(/^E[A-Z0-9]{13}$/);
    expect(updated.ETag).not.toBe(ETag);
    expect(updated.Distribution?.Status).toBe('InProgress');
    expect(updated.Distribution?.DistributionConfig?.DefaultRootObject).toBe('index.html');

    const stale = await rejection(
      cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig })),
    );
    expect(stale).toBeInstanceOf(PreconditionFailed);
    expect(stale.$metadata?.httpStatusCode).toBe(412);
  });

  it('needs IfMatch', async () => {
    const world = worldOf('healthy');
    const { cf } = clients(world);
    const { DistributionConfig } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    const error = await rejection(cf.send(new UpdateDistributionCommand({ Id: DIST, DistributionConfig })));
    expect(error).toBeInstanceOf(InvalidIfMatchVersion);
  });

  it('answers NoSuchDistribution for an unknown id', async () => {
    const { cf } = clients(worldOf('healthy'));
    const error = await rejection(cf.send(new GetDistributionCommand({ Id: 'ENOPE' })));
    expect(error).toBeInstanceOf(NoSuchDistribution);
    expect(error.$metadata?.httpStatusCode).toBe(404);
  });
});

describe('deployment timing', () => {
  it('stays InProgress until deploymentSeconds of simulated time, then the edge serves the new config', async () => {
    const world = worldOf('default-root-object-missing', (s) => {
      s.simulation = { deploymentSeconds: 120 };
    });
    const { cf } = clients(world);
    const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    if (!DistributionConfig) throw new Error('no config');
    DistributionConfig.DefaultRootObject = 'index.html';
    await cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig }));

    expect(world.deployedConfig(DIST).DefaultRootObject).toBe('');
    world.advance(119);
    expect((await cf.send(new GetDistributionCommand({ Id: DIST }))).Distribution?.Status).toBe('InProgress');
    expect(world.deployedConfig(DIST).DefaultRootObject).toBe('');
    world.advance(1);
    const got = await cf.send(new GetDistributionCommand({ Id: DIST }));
    expect(got.Distribution?.Status).toBe('Deployed');
    expect(world.deployedConfig(DIST).DefaultRootObject).toBe('index.html');
  });

  it('a distribution InProgress in the scenario has a stale edge until the default 300 s pass', () => {
    const world = worldOf('healthy', (s) => {
      const d = s.cloudfront.distributions[0];
      if (d) d.Status = 'InProgress';
    });
    expect(world.staleEdge(DIST)).toBe(true);
    expect(world.distribution(DIST).Status).toBe('InProgress');
    world.advance(299);
    expect(world.staleEdge(DIST)).toBe(true);
    world.advance(1);
    expect(world.staleEdge(DIST)).toBe(false);
    expect(world.distribution(DIST).Status).toBe('Deployed');
  });

  it('starts the clock at 2026-11-28T00:00:00Z and refuses to go back', () => {
    const world = worldOf('healthy');
    expect(new Date(world.now()).toISOString()).toBe('2026-11-28T00:00:00.000Z');
    world.advance(60);
    expect(new Date(world.now()).toISOString()).toBe('2026-11-28T00:01:00.000Z');
    expect(() => world.advance(-1)).toThrow(RangeError);
  });
});

describe('UpdateDistribution validation', () => {
  async function updateWith(edit: (config: DistributionConfig) => void) {
    const world = worldOf('healthy');
    const { cf } = clients(world);
    const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    if (!DistributionConfig) throw new Error('no config');
    edit(DistributionConfig);
    return {
      world,
      error: await rejection(
        cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig })),
      ),
    };
  }

  it('rejects a Quantity that is not the length of Items', async () => {
    const { error, world } = await updateWith((c) => {
      if (c.DefaultCacheBehavior?.AllowedMethods) c.DefaultCacheBehavior.AllowedMethods.Quantity = 3;
    });
    expect(error).toBeInstanceOf(InconsistentQuantities);
    expect(error.message).toContain('DefaultCacheBehavior.AllowedMethods.Quantity');
    expect(world.distribution(DIST).ETag).toBe('E1ABCDEFGHIJK');
  });

  it('rejects an origin with both an OAC and an OAI', async () => {
    const { error } = await updateWith((c) => {
      const origin = c.Origins?.Items?.[0];
      if (origin?.S3OriginConfig)
        origin.S3OriginConfig.OriginAccessIdentity = 'origin-access-identity/cloudfront/E3OAIEXAMPLE';
    });
    expect(error).toBeInstanceOf(IllegalOriginAccessConfiguration);
  });

  it('refuses an existing OAC on a website endpoint with InvalidDomainNameForOriginAccessControl', async () => {
    const world = worldOf('website-endpoint-origin', (s) => {
      s.cloudfront.originAccessControls = [
        {
          Id: OAC,
          OriginAccessControlConfig: {
            Name: 'oac',
            SigningProtocol: 'sigv4',
            SigningBehavior: 'always',
            OriginAccessControlOriginType: 's3',
          },
        },
      ];
    });
    const { cf } = clients(world);
    const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    const origin = DistributionConfig?.Origins?.Items?.[0];
    if (!origin) throw new Error('no origin');
    origin.OriginAccessControlId = OAC;
    const error = await rejection(
      cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig })),
    );
    expect(error).toBeInstanceOf(InvalidDomainNameForOriginAccessControl);
  });

  it('rejects a behavior that targets no origin, and an OAC that does not exist', async () => {
    const misrouted = await updateWith((c) => {
      if (c.DefaultCacheBehavior) c.DefaultCacheBehavior.TargetOriginId = 'nowhere';
    });
    expect(misrouted.error).toBeInstanceOf(NoSuchOrigin);
    const missingOac = await updateWith((c) => {
      const origin = c.Origins?.Items?.[0];
      if (origin) origin.OriginAccessControlId = 'E9NOTTHERE';
    });
    expect(missingOac.error).toBeInstanceOf(NoSuchOriginAccessControl);
  });
});

describe('listing', () => {
  it('pages ListDistributions with Marker and MaxItems', async () => {
    const world = worldOf('healthy', (s) => {
      const first = s.cloudfront.distributions[0];
      if (!first) throw new Error('no distribution');
      s.cloudfront.distributions.push({
        ...structuredClone(first),
        Id: 'E3SECONDEXAMPLE',
        ARN: 'arn:aws:cloudfront::111122223333:distribution/E3SECONDEXAMPLE',
        DomainName: 'd222222abcdef8.cloudfront.net',
      });
    });
    const { cf } = clients(world);
    const first = await cf.send(new ListDistributionsCommand({ MaxItems: 1 }));
    expect(first.DistributionList?.Quantity).toBe(1);
    expect(first.DistributionList?.IsTruncated).toBe(true);
    expect(first.DistributionList?.Items?.[0]?.Id).toBe(DIST);
    expect(first.DistributionList?.Items?.[0]?.Origins?.Quantity).toBe(1);
    const second = await cf.send(
      new ListDistributionsCommand({ MaxItems: 1, Marker: first.DistributionList?.NextMarker }),
    );
    expect(second.DistributionList?.Items?.map((d) => d.Id)).toEqual(['E3SECONDEXAMPLE']);
    expect(second.DistributionList?.IsTruncated).toBe(false);
    expect(second.DistributionList?.NextMarker).toBeUndefined();
  });

  it('lists OACs as summaries', async () => {
    const { cf } = clients(worldOf('healthy'));
    const out = await cf.send(new ListOriginAccessControlsCommand({}));
    expect(out.OriginAccessControlList?.Items).toEqual([
      {
        Id: OAC,
        Description: 'OAC for example-site',
        Name: 'example-site-oac',
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    ]);
  });
});

describe('origin access controls', () => {
  it('creates, reads and deletes an OAC; refuses to delete one in use', async () => {
    const world = worldOf('origin-access-missing');
    const { cf } = clients(world);
    const created = await cf.send(
      new CreateOriginAccessControlCommand({
        OriginAccessControlConfig: {
          Name: 'cf403-oac',
          SigningProtocol: 'sigv4',
          SigningBehavior: 'always',
          OriginAccessControlOriginType: 's3',
        },
      }),
    );
    const id = created.OriginAccessControl?.Id ?? '';
    expect(id).toMatch(/^E[A-Z0-9]{13}$/);
    expect(created.Location).toContain(id);
    expect(created.$metadata.httpStatusCode).toBe(201);
    const got = await cf.send(new GetOriginAccessControlCommand({ Id: id }));
    expect(got.ETag).toBe(created.ETag);
    expect(got.OriginAccessControl?.OriginAccessControlConfig?.Name).toBe('cf403-oac');

    const inUse = worldOf('healthy');
    const cfInUse = clients(inUse).cf;
    const existing = await cfInUse.send(new GetOriginAccessControlCommand({ Id: OAC }));
    const error = await rejection(
      cfInUse.send(new DeleteOriginAccessControlCommand({ Id: OAC, IfMatch: existing.ETag })),
    );
    expect(error).toBeInstanceOf(OriginAccessControlInUse);

    await cf.send(new DeleteOriginAccessControlCommand({ Id: id, IfMatch: got.ETag }));
    expect(await rejection(cf.send(new GetOriginAccessControlCommand({ Id: id })))).toBeInstanceOf(
      NoSuchOriginAccessControl,
    );
  });
});

describe('invalidations', () => {
  it('completes after invalidationSeconds', async () => {
    const world = worldOf('healthy');
    const { cf } = clients(world);
    const created = await cf.send(
      new CreateInvalidationCommand({
        DistributionId: DIST,
        InvalidationBatch: {
          CallerReference: 'r1',
          Paths: { Quantity: 2, Items: ['/index.html', '/assets/*'] },
        },
      }),
    );
    const id = created.Invalidation?.Id ?? '';
    expect(created.Invalidation?.Status).toBe('InProgress');
    expect(
      (await cf.send(new GetDistributionCommand({ Id: DIST }))).Distribution?.InProgressInvalidationBatches,
    ).toBe(1);
    world.advance(59);
    expect(
      (await cf.send(new GetInvalidationCommand({ DistributionId: DIST, Id: id }))).Invalidation?.Status,
    ).toBe('InProgress');
    world.advance(1);
    expect(
      (await cf.send(new GetInvalidationCommand({ DistributionId: DIST, Id: id }))).Invalidation?.Status,
    ).toBe('Completed');
    const list = await cf.send(new ListInvalidationsCommand({ DistributionId: DIST }));
    expect(list.InvalidationList?.Items).toEqual([
      { Id: id, CreateTime: new Date(world.now() - 60_000), Status: 'Completed' },
    ]);
  });

  it.each([['index.html'], ['/a*b'], ['/*/x']])('rejects the invalid path %s', async (path) => {
    const { cf } = clients(worldOf('healthy'));
    const error = await rejection(
      cf.send(
        new CreateInvalidationCommand({
          DistributionId: DIST,
          InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 1, Items: [path] } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InvalidArgument);
  });

  it('rejects inconsistent path quantities', async () => {
    const { cf } = clients(worldOf('healthy'));
    const error = await rejection(
      cf.send(
        new CreateInvalidationCommand({
          DistributionId: DIST,
          InvalidationBatch: { CallerReference: 'r', Paths: { Quantity: 2, Items: ['/*'] } },
        }),
      ),
    );
    expect(error).toBeInstanceOf(InconsistentQuantities);
  });
});

describe('policies, key groups and functions', () => {
  it('knows the AWS managed origin request policies', async () => {
    const { cf } = clients(worldOf('healthy'));
    const cors = await cf.send(new GetOriginRequestPolicyCommand({ Id: CORS_S3_ORIGIN_POLICY_ID }));
    expect(cors.OriginRequestPolicy?.OriginRequestPolicyConfig?.HeadersConfig?.Headers?.Items).toContain(
      'origin',
    );
    const exceptHost = await cf.send(
      new GetOriginRequestPolicyCommand({ Id: ALL_VIEWER_EXCEPT_HOST_POLICY_ID }),
    );
    expect(exceptHost.OriginRequestPolicy?.OriginRequestPolicyConfig?.HeadersConfig).toEqual({
      HeaderBehavior: 'allExcept',
      Headers: { Quantity: 1, Items: ['host'] },
    });
  });

  it('reads key groups, and shows them as active trusted key groups', async () => {
    const { cf } = clients(worldOf('signed-url-required'));
    const kg = await cf.send(new GetKeyGroupCommand({ Id: 'kg-0001' }));
    expect(kg.KeyGroup?.KeyGroupConfig?.Items).toEqual(['K2PUBKEYEXAMPLE']);
    const dist = await cf.send(new GetDistributionCommand({ Id: DIST }));
    expect(dist.Distribution?.ActiveTrustedKeyGroups?.Items?.[0]?.KeyGroupId).toBe('kg-0001');
  });

  it('describes and tests a CloudFront Function', async () => {
    const world = worldOf('healthy', (s) => {
      s.cloudfront.functions = [
        {
          Name: 'block-admin',
          FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: '' },
          FunctionMetadata: {
            FunctionARN: 'arn:aws:cloudfront::111122223333:function/block-admin',
            Stage: 'LIVE',
            LastModifiedTime: undefined,
          },
          FunctionCode:
            "function handler(event) { console.log('uri ' + event.request.uri); if (event.request.uri.startsWith('/admin')) { return { statusCode: 403, statusDescription: 'Forbidden' }; } return event.request; }",
        },
      ];
    });
    const { cf } = clients(world);
    const described = await cf.send(new DescribeFunctionCommand({ Name: 'block-admin', Stage: 'LIVE' }));
    expect(described.FunctionSummary?.FunctionMetadata?.Stage).toBe('LIVE');
    const event = {
      version: '1.0',
      context: {
        distributionDomainName: 'd111111abcdef8.cloudfront.net',
        distributionId: DIST,
        eventType: 'viewer-request',
        requestId: 'r',
      },
      viewer: { ip: '203.0.113.10' },
      request: { method: 'GET', uri: '/admin/x', querystring: {}, headers: {}, cookies: {} },
    };
    const tested = await cf.send(
      new TestFunctionCommand({
        Name: 'block-admin',
        IfMatch: described.ETag,
        Stage: 'LIVE',
        EventObject: new TextEncoder().encode(JSON.stringify(event)),
      }),
    );
    expect(tested.TestResult?.FunctionErrorMessage).toBe('');
    expect(tested.TestResult?.FunctionExecutionLogs).toEqual(['uri /admin/x']);
    expect(JSON.parse(tested.TestResult?.FunctionOutput ?? '{}')).toEqual({
      response: { statusCode: 403, statusDescription: 'Forbidden' },
    });
    const stale = await rejection(
      cf.send(
        new TestFunctionCommand({ Name: 'block-admin', IfMatch: 'EWRONG', EventObject: new Uint8Array() }),
      ),
    );
    expect(stale).toBeInstanceOf(PreconditionFailed);
  });
});

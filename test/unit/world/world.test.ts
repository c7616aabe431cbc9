import {
  CloudFrontClient,
  CloudFrontServiceException,
  GetDistributionConfigCommand,
  ListCachePoliciesCommand,
  PreconditionFailed,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { GetBucketPolicyCommand, S3ServiceException } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/validate.ts';
import { World } from '../../../sim/world/world.ts';
import { clients, DIST, rejection, scenario, scenarioFiles, worldOf } from './helpers.ts';

describe('faults', () => {
  it('throws the injected error for the first `times` calls, then answers', async () => {
    const world = worldOf('healthy', (s) => {
      s.simulation = { faults: [{ api: 'GetDistributionConfig', error: 'ThrottlingException', times: 2 }] };
    });
    const { cf } = clients(world);
    for (let i = 0; i < 2; i++) {
      const error = await rejection(cf.send(new GetDistributionConfigCommand({ Id: DIST })));
      expect(error).toBeInstanceOf(CloudFrontServiceException);
      expect(error.name).toBe('Throttling');
      expect(error.message).toBe('Rate exceeded');
    }
    expect((await cf.send(new GetDistributionConfigCommand({ Id: DIST }))).ETag).toBe('E1ABCDEFGHIJK');
    expect(world.calls.map((c) => [c.api, c.ok, c.error])).toEqual([
      ['GetDistributionConfig', false, 'Throttling'],
      ['GetDistributionConfig', false, 'Throttling'],
      ['GetDistributionConfig', true, undefined],
    ]);
  });

  it('names faults as each service does', async () => {
    const world = worldOf('healthy', (s) => {
      s.simulation = {
        faults: [
          { api: 'GetBucketPolicy', error: 'ThrottlingException', times: 1 },
          { api: 'UpdateDistribution', error: 'PreconditionFailed', times: 1 },
        ],
      };
    });
    const { cf, s3 } = clients(world);
    const throttled = await rejection(s3.send(new GetBucketPolicyCommand({ Bucket: 'example-site' })));
    expect(throttled).toBeInstanceOf(S3ServiceException);
    expect(throttled.name).toBe('ThrottlingException');
    const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    const stale = await rejection(
      cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig })),
    );
    expect(stale).toBeInstanceOf(PreconditionFailed);
    // the fault is spent: the same ETag now works
    await cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig }));
    expect(world.toScenario().simulation?.faults).toEqual([]);
  });
});

describe('attach', () => {
  it('answers only attached clients, and names unknown commands', async () => {
    const world = worldOf('healthy');
    const cf = world.attach(
      new CloudFrontClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    );
    // attaching twice replaces the middleware instead of failing on a duplicate name
    world.attach(cf);
    const error = await rejection(cf.send(new ListCachePoliciesCommand({})));
    expect(error.message).toContain('ListCachePolicies');
    expect(world.calls.at(-1)).toMatchObject({
      service: 'cloudfront',
      api: 'ListCachePolicies',
      ok: false,
    });
  });
});

describe('toScenario', () => {
  it.each(scenarioFiles())('%s round-trips through parseScenario', (file) => {
    const world = new World(scenario(file.replace(/\.json$/, '')));
    const out = world.toScenario();
    expect(parseScenario(out)).toEqual(out);
    expect(out.expect).toBeUndefined();
  });

  it('reflects changes, never mutates the input, and carries InProgress with its remaining time', async () => {
    const input = scenario('default-root-object-missing');
    const snapshot = structuredClone(input);
    const world = new World(input);
    const { cf } = clients(world);
    const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
    if (!DistributionConfig) throw new Error('no config');
    DistributionConfig.DefaultRootObject = 'index.html';
    await cf.send(new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig }));
    DistributionConfig.DefaultRootObject = 'mutated-after-send.html';
    world.advance(100);
    expect(input).toEqual(snapshot);

    const out = parseScenario(world.toScenario());
    const d = out.cloudfront.distributions[0];
    expect(d?.Status).toBe('InProgress');
    expect(d?.DistributionConfig.DefaultRootObject).toBe('index.html');
    const again = new World(out);
    expect(again.distribution(DIST).Status).toBe('InProgress');
    again.advance(199);
    expect(again.distribution(DIST).Status).toBe('InProgress');
    again.advance(1);
    expect(again.distribution(DIST).Status).toBe('Deployed');
    expect(again.deployedConfig(DIST).DefaultRootObject).toBe('index.html');
  });

  it('is reproducible: the same calls give the same ids', async () => {
    const run = async () => {
      const world = worldOf('healthy');
      const { cf } = clients(world);
      const { DistributionConfig, ETag } = await cf.send(new GetDistributionConfigCommand({ Id: DIST }));
      const out = await cf.send(
        new UpdateDistributionCommand({ Id: DIST, IfMatch: ETag, DistributionConfig }),
      );
      return out.ETag;
    };
    expect(await run()).toBe(await run());
  });
});

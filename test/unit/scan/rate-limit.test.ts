import { CloudFrontClient, ListDistributionsCommand } from '@aws-sdk/client-cloudfront';
import { GetBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { generateAccount } from '../../../bench/world-gen.ts';
import { parseScenario, ScenarioError } from '../../../sim/scenario/validate.ts';
import { World } from '../../../sim/world/index.ts';
import { RateLimits } from '../../../sim/world/rate-limit.ts';

const creds = { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' };

describe('RateLimits', () => {
  it('throttles a limited service past its rate and leaves the others alone', () => {
    let now = 0;
    const limits = new RateLimits({ cloudfront: 2 }, () => now);
    expect([limits.admit('cloudfront'), limits.admit('cloudfront'), limits.admit('cloudfront')]).toEqual([
      true,
      true,
      false,
    ]);
    expect(Array.from({ length: 100 }, () => limits.admit('s3')).every(Boolean)).toBe(true);
    now = 500;
    expect(limits.admit('cloudfront')).toBe(true);
  });
});

describe('World with simulation.rateLimit', () => {
  it('answers CloudFront calls past the limit with Throttling: Rate exceeded', async () => {
    const world = new World(parseScenario(generateAccount({ distributions: 2, cloudfrontRateLimit: 3 })));
    const cf = world.attach(new CloudFrontClient({ region: 'us-east-1', credentials: creds }));
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => cf.send(new ListDistributionsCommand({}))),
    );
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
    expect(refused.map((r) => [(r.reason as Error).name, (r.reason as Error).message])).toEqual([
      ['Throttling', 'Rate exceeded'],
      ['Throttling', 'Rate exceeded'],
    ]);
    expect(world.calls.filter((c) => c.error === 'Throttling')).toHaveLength(2);
    // S3 has no limit in this account
    const s3 = world.attach(new S3Client({ region: 'us-east-1', credentials: creds }));
    const bucket = world.scenario.s3.buckets[0]?.Name ?? '';
    await expect(
      Promise.all(Array.from({ length: 10 }, () => s3.send(new GetBucketPolicyCommand({ Bucket: bucket })))),
    ).resolves.toHaveLength(10);
  });

  it('refuses a rate that is not positive, naming the field', () => {
    const bad = { ...generateAccount({ distributions: 1 }), simulation: { rateLimit: { cloudfront: 0 } } };
    expect(() => parseScenario(bad)).toThrow(ScenarioError);
    expect(() => parseScenario(bad)).toThrow(/simulation\.rateLimit\.cloudfront/);
    const unknown = { ...bad, simulation: { rateLimit: { lambda: 5 } } };
    expect(() => parseScenario(unknown)).toThrow(/rateLimit/);
  });
});

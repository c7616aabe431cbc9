import { describe, expect, it } from 'vitest';
import { generateAccount, PROFILE_CAUSE, profileOf } from '../../../bench/world-gen.ts';
import { runScan } from '../../../cli/scan.ts';
import type { AwsClients } from '../../../functions/adapters/clients.ts';
import { accountOfArn } from '../../../functions/adapters/scan.ts';
import { simulatedClients as worldClients } from '../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import { parseScenario } from '../../../sim/scenario/validate.ts';
import { World } from '../../../sim/world/index.ts';

const MUTATING = /^(Create|Update|Put|Delete|Publish|Send|Start)/;

class MutationAttemptError extends Error {
  override name = 'MutationAttemptError';
}

/** Clients that throw before any mutating command reaches the account. */
function readOnlyGuard(clients: AwsClients): AwsClients {
  const guard = <C extends object>(client: C): C =>
    new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'send' || typeof value !== 'function') return value;
        return (command: object, ...rest: unknown[]) => {
          const name = command.constructor.name.replace(/Command$/, '');
          if (MUTATING.test(name)) throw new MutationAttemptError(`scan sent ${name}`);
          return value.call(target, command, ...rest);
        };
      },
    });
  return Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, guard(c)])) as unknown as AwsClients;
}

const noSleep = () => Promise.resolve();

describe('runScan', () => {
  it('reports each latent cause on its distribution and sends only reads', async () => {
    const world = new World(parseScenario(generateAccount({ distributions: 60 })));
    const result = await runScan(readOnlyGuard(worldClients(world)), {
      region: 'us-east-1',
      ratePerSecond: 10_000,
      pageSize: 7,
    });
    expect(result.scanned).toBe(60);
    expect(result.failed).toBe(0);
    expect(result.distributions.map((d) => d.id)).toEqual(world.distributionIds());
    result.distributions.forEach((d, i) => {
      const want = PROFILE_CAUSE[profileOf(i)];
      expect(d.causes[0]?.id, `${d.id} (${profileOf(i)})`).toBe(want);
      for (const c of d.causes) expect(c.latent).toBe(true);
    });
    expect(world.calls.filter((c) => MUTATING.test(c.api))).toEqual([]);
    // every page of 7 read once
    expect(world.calls.filter((c) => c.api === 'ListDistributions')).toHaveLength(Math.ceil(60 / 7));
  });

  it('retries CloudFront throttling until the call goes through', async () => {
    const scenario = generateAccount({ distributions: 12, cloudfrontRateLimit: 10 });
    const world = new World(parseScenario(scenario));
    // The scanner's own pace is far above the account's limit, so the account throttles it.
    const result = await runScan(worldClients(world), {
      region: 'us-east-1',
      ratePerSecond: 10_000,
      concurrency: 12,
    });
    expect(result.failed).toBe(0);
    expect(result.stats.throttled).toBeGreaterThan(0);
    expect(result.stats.exhausted).toBe(0);
    expect(world.calls.filter((c) => c.error === 'Throttling').length).toBe(result.stats.throttled);
  });

  it('reports a distribution whose evidence has a read that stayed throttled as failed', async () => {
    const sc = generateAccount({ distributions: 1 });
    sc.simulation = { faults: [{ api: 'GetOriginAccessControl', error: 'ThrottlingException', times: 6 }] };
    const world = new World(parseScenario(sc));
    const result = await runScan(worldClients(world), { region: 'us-east-1', sleep: noSleep });
    expect(result.failed).toBe(1);
    expect(result.distributions[0]?.error).toBe(
      'incomplete: GetOriginAccessControl E3GENERATEDOAC stayed throttled',
    );
  });

  it('gives up on a distribution after six throttled attempts and goes on with the others', async () => {
    const sc = loadScenario(
      new URL('../../scenarios/fault-throttled-forever.json', import.meta.url).pathname,
    );
    const world = new World(sc);
    const result = await runScan(worldClients(world), { region: sc.region, sleep: noSleep });
    expect(result.failed).toBe(1);
    expect(result.scanned).toBe(0);
    expect(result.distributions[0]?.error).toMatch(/Throttling/);
    expect(result.stats.exhausted).toBe(1);
    expect(world.calls.filter((c) => c.api === 'GetDistribution')).toHaveLength(6);
  });

  it('paces CloudFront calls at the configured rate', async () => {
    const world = new World(parseScenario(generateAccount({ distributions: 3 })));
    const waits: number[] = [];
    let clock = 0;
    const result = await runScan(worldClients(world), {
      region: 'us-east-1',
      ratePerSecond: 2,
      burst: 1,
      concurrency: 1,
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
    });
    const cloudfrontCalls = world.calls.filter((c) => c.service === 'cloudfront').length;
    expect(result.stats.cloudfrontCalls).toBe(cloudfrontCalls);
    // one call free, then one every 500 ms (a millisecond later at first: timers may fire early)
    expect(waits).toHaveLength(cloudfrontCalls - 1);
    for (const w of waits) expect([500, 501]).toContain(w);
    expect(waits.reduce((a, b) => a + b, 0)).toBe(500 * (cloudfrontCalls - 1) + 1);
  });
});

describe('accountOfArn', () => {
  it('reads the account id of a distribution ARN', () => {
    expect(accountOfArn('arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE')).toBe(
      '123456789012',
    );
  });
});

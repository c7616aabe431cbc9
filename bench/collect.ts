// Item 1: evidence collection against API latency. The collector as it runs in the workflow, against
// the very same calls made one after another (the field guide's checklist done by hand), and against
// the critical path: the longest chain of calls that need an earlier answer.

import type { AwsClients } from '../functions/adapters/clients.ts';
import { collectEvidence } from '../functions/adapters/collector.ts';
import { StaticRequestLog } from '../functions/adapters/request-log.ts';
import { EdgeProber } from '../sim/runner/ports.ts';
import { simulatedClients as worldClients } from '../sim/runner/simulate.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { World } from '../sim/world/index.ts';
import { criticalPathLength, median, timeRuns } from './stats.ts';

export const COLLECT_LATENCY_MS = 50;

/** Scenarios whose evidence has the deepest chains: plain S3, KMS, WAF, a function, key groups. */
export const COLLECT_SCENARIOS = [
  'origin-access-missing',
  'combo-bucket-policy-grant-missing-kms-access-denied',
  'waf-blocked',
  'edge-function-denied',
  'signed-url-required',
] as const;

export interface CollectResult {
  scenario: string;
  calls: number;
  /** calls on the longest dependent chain */
  criticalCalls: number;
  criticalPathMs: number;
  concurrentMs: number;
  sequentialMs: number;
  runs: number;
}

/** Every send waits for the previous one to finish: one call at a time, as a person would make them. */
function oneAtATime(clients: AwsClients): AwsClients {
  let queue: Promise<unknown> = Promise.resolve();
  const serial = <C extends object>(client: C): C =>
    new Proxy(client, {
      get(target, prop, receiver) {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (prop !== 'send' || typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const run = queue.then(() => value.apply(target, args));
          queue = run.catch(() => undefined);
          return run;
        };
      },
    });
  return Object.fromEntries(Object.entries(clients).map(([k, c]) => [k, serial(c)])) as unknown as AwsClients;
}

async function collectOnce(scenario: Scenario, sequential: boolean): Promise<World> {
  const world = new World(scenario);
  const clients = worldClients(world);
  await collectEvidence(
    sequential ? oneAtATime(clients) : clients,
    new EdgeProber(world),
    new StaticRequestLog(scenario.requests),
    {
      distributionId: scenario.cloudfront.distributions[0]?.Id ?? '',
      account: scenario.account,
      region: scenario.region,
      requests: scenario.requests,
    },
  );
  return world;
}

export async function benchCollect(
  scenarios: readonly Scenario[],
  runs: number,
  latencyMs = COLLECT_LATENCY_MS,
): Promise<CollectResult[]> {
  const out: CollectResult[] = [];
  for (const base of scenarios) {
    const scenario: Scenario = { ...base, simulation: { ...base.simulation, apiLatencyMs: latencyMs } };
    const world = await collectOnce(scenario, false); // warm-up, and the calls it makes
    const criticalCalls = criticalPathLength(world.calls);
    const concurrent = await timeRuns(runs, () => collectOnce(scenario, false));
    const sequential = await timeRuns(runs, () => collectOnce(scenario, true));
    out.push({
      scenario: base.name,
      calls: world.calls.length,
      criticalCalls,
      criticalPathMs: criticalCalls * latencyMs,
      concurrentMs: median(concurrent),
      sequentialMs: median(sequential),
      runs,
    });
  }
  return out;
}

// `cf403 scan` on a generated account: distributions per second against the most CloudFront's rate limit
// allows: every call past the first second's burst costs 1/limit s.
import { runScan } from '../cli/scan.ts';
import { simulatedClients as worldClients } from '../sim/runner/simulate.ts';
import { parseScenario } from '../sim/scenario/validate.ts';
import { World } from '../sim/world/index.ts';
import { median } from './stats.ts';
import { generateAccount } from './world-gen.ts';

export interface ScanCase {
  label: string;
  distributions: number;
  apiLatencyMs: number;
  /** the account's CloudFront limit, requests per second; undefined: none */
  limit?: number;
  /** the scanner's own pace */
  scannerRate: number;
  concurrency: number;
}

export interface ScanBenchRun extends ScanCase {
  seconds: number;
  distributionsPerSecond: number;
  /** successful CloudFront calls per distribution, ListDistributions pages included */
  cloudfrontCallsPerDistribution: number;
  /** distributions ÷ the least time the limit allows for their calls (one second's burst free) */
  limitMaxPerSecond?: number;
  throttled: number;
  failed: number;
  /** distributions whose latent causes were found (the generated account has a known share) */
  withCauses: number;
  runs: number;
}

/** The simulated account's bucket holds one second's worth of calls; the rest come at `limit` a second. */
export function limitMaxPerSecond(distributions: number, calls: number, limit: number): number {
  const seconds = Math.max(0, calls - limit) / limit;
  return seconds > 0 ? distributions / seconds : Number.POSITIVE_INFINITY;
}

export async function benchScan(c: ScanCase, runs: number): Promise<ScanBenchRun> {
  const scenario = parseScenario(
    generateAccount({
      distributions: c.distributions,
      apiLatencyMs: c.apiLatencyMs,
      ...(c.limit !== undefined ? { cloudfrontRateLimit: c.limit } : {}),
    }),
  );
  const seconds: number[] = [];
  const throttled: number[] = [];
  let okCalls = 0;
  let failed = 0;
  let withCauses = 0;
  for (let i = 0; i < runs; i++) {
    const world = new World(scenario);
    const t = performance.now();
    const result = await runScan(worldClients(world), {
      region: scenario.region,
      ratePerSecond: c.scannerRate,
      concurrency: c.concurrency,
    });
    seconds.push((performance.now() - t) / 1000);
    throttled.push(result.stats.throttled);
    okCalls = world.calls.filter((x) => x.service === 'cloudfront' && x.ok).length;
    failed = Math.max(failed, result.failed);
    withCauses = result.distributions.filter((d) => d.causes.length > 0).length;
  }
  const s = median(seconds);
  return {
    ...c,
    seconds: s,
    distributionsPerSecond: c.distributions / s,
    cloudfrontCallsPerDistribution: okCalls / c.distributions,
    ...(c.limit !== undefined
      ? { limitMaxPerSecond: limitMaxPerSecond(c.distributions, okCalls, c.limit) }
      : {}),
    throttled: median(throttled),
    failed,
    withCauses,
    runs,
  };
}

// The predicted probe must be what the edge model answers, wherever the configuration decides the answer.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { worldClients } from '../../../cli/scan.ts';
import { collectEvidence } from '../../../functions/adapters/collector.ts';
import { StaticRequestLog } from '../../../functions/adapters/request-log.ts';
import { latentFindings, predictProbe } from '../../../functions/domain/scan.ts';
import type { Evidence, ProbeResult } from '../../../functions/domain/types.ts';
import { EdgeProber } from '../../../sim/runner/ports.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import { World } from '../../../sim/world/index.ts';

const DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** Answers that depend on more than the configuration: code, the deployment in flight, another origin. */
const NOT_PREDICTABLE = new Set([
  'custom-origin-denied', // a custom origin's own access rules
  'deployment-in-progress', // the edge still serves the previous config
  'edge-function-denied', // a CloudFront Function runs code (its rule reads the TestFunction replays)
  'stacked-distribution', // the origin is another distribution
  'fault-throttled-forever', // nothing to collect
]);

async function evidenceOf(file: string): Promise<Evidence> {
  const sc = loadScenario(file);
  const world = new World(sc);
  return collectEvidence(worldClients(world), new EdgeProber(world), new StaticRequestLog(sc.requests), {
    distributionId: sc.cloudfront.distributions[0]?.Id ?? '',
    account: sc.account,
    region: sc.region,
    requests: sc.requests,
  });
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json') && !NOT_PREDICTABLE.has(f.replace(/\.json$/, '')))
  .sort();

describe('predictProbe', () => {
  it('covers the scenario catalog', () => {
    expect(files.length).toBeGreaterThan(30);
  });

  it.each(files)('agrees with the edge model on %s', async (file) => {
    const ev = await evidenceOf(`${DIR}${file}`);
    // Who answered matters for errors only: a 200 from S3 and one from the cache read the same to the rules.
    const view = (p: ProbeResult) => ({
      url: p.url,
      status: p.status,
      kind: p.fingerprint.kind,
      source: p.status >= 400 ? p.fingerprint.source : '-',
    });
    const predicted = ev.requests.map((r) => view(predictProbe(ev, r)));
    const actual = ev.probes.map(view);
    expect(predicted).toEqual(actual);
  });
});

describe('latentFindings', () => {
  it('finds a missing OAC without probing, marked latent and with lowered confidence', async () => {
    const ev = await evidenceOf(`${DIR}origin-access-missing.json`);
    const noProbes: Evidence = { ...ev, probes: [] };
    const found = latentFindings(noProbes);
    const first = found[0];
    expect(first?.id).toBe('ORIGIN_ACCESS_MISSING');
    expect(first?.latent).toBe(true);
    expect(first?.confidence).toBeCloseTo(0.95 * 0.8, 3);
    expect(first?.evidence.some((l) => l.startsWith('predicted probe GET /'))).toBe(true);
    expect(first?.evidence.some((l) => l.startsWith('probe '))).toBe(false);
  });

  it('reports nothing for a healthy site', async () => {
    const shared = fileURLToPath(new URL('../../../../shared/scenarios/healthy.json', import.meta.url));
    const ev = await evidenceOf(shared);
    expect(latentFindings({ ...ev, probes: [] })).toEqual([]);
  });

  it('does not report a deployment in flight as a latent cause', async () => {
    const ev = await evidenceOf(`${DIR}deployment-in-progress.json`);
    const disabled: Evidence = {
      ...ev,
      distribution: {
        ...ev.distribution,
        DistributionConfig: { ...ev.distribution.DistributionConfig, Enabled: false },
      },
    };
    const ids = latentFindings(disabled).map((f) => f.id);
    expect(ids).toContain('DISTRIBUTION_DISABLED');
    expect(ids).not.toContain('DEPLOYMENT_IN_PROGRESS');
  });
});

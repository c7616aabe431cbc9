// The predicted probe must be what the edge model answers, wherever the configuration decides the answer.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectEvidence } from '../../../functions/adapters/collector.ts';
import { StaticRequestLog } from '../../../functions/adapters/request-log.ts';
import { parseAlarmEvent } from '../../../functions/domain/alarm-event.ts';
import { carriesKeyPairId } from '../../../functions/domain/causes/shared/viewer.ts';
import { resolveRequests } from '../../../functions/domain/routing.ts';
import { latentFindings, predictProbe } from '../../../functions/domain/scan.ts';
import type { Evidence, ProbeResult, ViewerRequest } from '../../../functions/domain/types.ts';
import { EdgeProber } from '../../../sim/runner/ports.ts';
import { simulatedClients as worldClients } from '../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import { World } from '../../../sim/world/index.ts';

const DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

let comparedRequests = 0;

/** Answers that depend on the viewer or on code, which the configuration alone cannot tell. */
const VIEWER_DEPENDENT = new Set([
  'cf-waf-blocked',
  'cf-geo-blocked',
  'cf-function-response',
  // which key signed the viewer's URL, and whether the signature holds, is the viewer's doing
  'cf-bad-signature',
]);

/** The distribution the scenario's alarm names (the first one when there is no usable alarm event). */
function alarmedDistribution(alarmEvent: Record<string, unknown> | undefined, first: string): string {
  if (!alarmEvent) return first;
  try {
    const trigger = parseAlarmEvent(alarmEvent);
    return trigger.ignored ? first : trigger.distributionId;
  } catch {
    return first;
  }
}

async function evidenceOf(file: string): Promise<Evidence> {
  const sc = loadScenario(file);
  const world = new World(sc);
  return collectEvidence(worldClients(world), new EdgeProber(world), new StaticRequestLog(sc.requests), {
    distributionId: alarmedDistribution(sc.alarmEvent, sc.cloudfront.distributions[0]?.Id ?? ''),
    account: sc.account,
    region: sc.region,
    requests: sc.requests,
  });
}

/**
 * The requests whose answer the configuration decides: a deployed distribution, an S3 origin (or a refusal
 * by this distribution itself), no viewer function, nothing that depends on who the viewer is.
 */
function predictable(ev: Evidence, i: number): boolean {
  const probe = ev.probes[i];
  const r = resolveRequests(ev)[i];
  if (!probe || !r || ev.distribution.Status !== 'Deployed') return false;
  if (VIEWER_DEPENDENT.has(probe.fingerprint.kind) || probe.status >= 500) return false;
  if ((r.matched.behavior.FunctionAssociations?.Quantity ?? 0) > 0) return false;
  // a signed request: which key signed it, and whether the signature holds, is the viewer's doing
  const b = r.matched.behavior;
  const signs = b.TrustedKeyGroups?.Enabled === true || b.TrustedSigners?.Enabled === true;
  if (signs && carriesKeyPairId(r.request.url, r.request.headers)) return false;
  // Lambda@Edge code decides, and cannot be run from configuration
  if ((r.matched.behavior.LambdaFunctionAssociations?.Quantity ?? 0) > 0) return false;
  // an error served from CloudFront's cache is history, not configuration
  if (probe.age !== undefined && probe.age > 0) return false;
  // a bucket whose policy could not be read leaves its answer unknown
  const bucket = r.origin?.bucket === undefined ? undefined : ev.buckets[r.origin.bucket];
  if (bucket && !bucket.policy.ok) return false;
  const s3 = r.origin?.kind === 's3-rest' || r.origin?.kind === 's3-website';
  // behind another distribution, a CloudFront refusal may be the other distribution's
  return s3 || (probe.fingerprint.source === 'cloudfront' && r.origin?.kind !== 'cloudfront');
}

const files = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort();

describe('predictProbe', () => {
  it.each(files)('agrees with the edge model on %s', async (file) => {
    let ev: Evidence;
    try {
      ev = await evidenceOf(`${DIR}${file}`);
    } catch (err) {
      // scenarios whose distribution cannot be read (throttled forever, unknown id) have nothing to predict
      expect((err as Error).name).toMatch(/RetryableAwsError|DistributionNotFoundError|AwsCallError/);
      return;
    }
    // Who answered matters for errors only: a 200 from S3 and one from the cache read the same to the rules.
    const view = (p: ProbeResult) => ({
      url: p.url,
      status: p.status,
      kind: p.fingerprint.kind,
      source: p.status >= 400 ? p.fingerprint.source : '-',
    });
    const compared = ev.requests.map((_, i) => i).filter((i) => predictable(ev, i));
    const predicted = compared.map((i) => view(predictProbe(ev, ev.requests[i] as ViewerRequest)));
    const actual = compared.map((i) => view(ev.probes[i] as ProbeResult));
    expect(predicted).toEqual(actual);
    comparedRequests += compared.length;
  });

  it('compared most of the catalog', () => {
    expect(comparedRequests).toBeGreaterThan(files.length);
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

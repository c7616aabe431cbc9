// Where the probe stands (issue 10): a 403 CloudFront gives the prober for its own location or identity is
// told apart from the viewers' failures, which the diagnosis reads from their access-log records instead.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { collectEvidence } from '../../../functions/adapters/collector.ts';
import { diagnose } from '../../../functions/domain/diagnose.ts';
import type { Evidence } from '../../../functions/domain/types.ts';
import {
  loggedProbe,
  probeBlockers,
  probeCountry,
  vantageBlocks,
} from '../../../functions/domain/vantage.ts';
import { EdgeProber, ScenarioRequestLog } from '../../../sim/runner/ports.ts';
import { simulatedClients } from '../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import { World } from '../../../sim/world/index.ts';

const DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

/** The evidence the collect step gathers for a library scenario, its requests annotated as their logs show them. */
async function evidenceOf(name: string): Promise<Evidence> {
  const sc = loadScenario(`${DIR}${name}.json`);
  const world = new World(sc, { enforce: { model: false, iam: false } });
  return collectEvidence(
    simulatedClients(world),
    new EdgeProber(world),
    new ScenarioRequestLog(sc.requests, world),
    {
      distributionId: sc.cloudfront.distributions[0]?.Id ?? '',
      account: sc.account,
      region: sc.region,
      now: new Date(world.now()),
    },
  );
}

describe('vantageBlocks', () => {
  it("takes a geo refusal of the probe for the prober's own when the logged viewers' countries are allowed", async () => {
    const ev = await evidenceOf('origin-access-missing-geo-allow-list-excludes-probe');
    const blocks = vantageBlocks(ev);
    expect(blocks.map((b) => b.kind)).toEqual(['geo', 'geo', 'geo']);
    expect(blocks[0]?.reason).toMatch(/refuses the probe .* not the logged viewer from DE/);
    const diagnosis = diagnose(ev);
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['ORIGIN_ACCESS_MISSING']);
    expect(diagnosis.unreproducible).toHaveLength(3);
    // the access log's record stands in for the probe: S3 refused the viewers
    expect(diagnosis.causes[0]?.evidence.join('\n')).toMatch(/access log GET \/index.html: 403/);
  });

  it("leaves a refusal the viewers' logs show too to the geo restriction cause", async () => {
    const ev = await evidenceOf('geo-restricted-probe-blocked');
    expect(vantageBlocks(ev)).toEqual([]);
    expect(diagnose(ev).causes.map((c) => c.id)).toContain('GEO_RESTRICTED');
  });

  it('names the Bot Control signal that blocks the probe but not the browsers in the logs', async () => {
    const ev = await evidenceOf('bucket-policy-grant-missing-waf-bot-control');
    const blocks = vantageBlocks(ev);
    expect(blocks.map((b) => b.kind)).toEqual(['waf', 'waf']);
    expect(blocks[0]?.reason).toMatch(/SignalNonBrowserUserAgent.*cf403-probe\/1\.0/);
    const ids = diagnose(ev).causes.map((c) => c.id);
    expect(ids).toEqual(['BUCKET_POLICY_GRANT_MISSING']);
  });

  it('keeps a WAF rule that blocks the logged viewers as their cause', async () => {
    const ev = await evidenceOf('combo-waf-blocked-probe-origin-access-missing');
    expect(vantageBlocks(ev)).toEqual([]);
    expect(diagnose(ev).causes.map((c) => c.id)).toContain('WAF_BLOCKED');
  });

  it('names a required header and a data-centre IP set among the rules that stop the probe', async () => {
    const header = await evidenceOf('bucket-policy-grant-missing-waf-required-header');
    const ipset = await evidenceOf('bucket-policy-grant-missing-waf-datacenter-ipset');
    const waf = (ev: Evidence) => (ev.waf.ok && ev.waf.value ? ev.waf.value : undefined);
    const h = waf(header);
    const i = waf(ipset);
    if (!h || !i) throw new Error('the scenarios have a web ACL');
    expect(probeBlockers(h, 'us-east-1')).toEqual([
      'rule require-site-client blocks requests without header x-site-client, which the probe does not send',
    ]);
    expect(probeBlockers(i, 'us-east-1')[0]).toMatch(/IP set 'data-centres'/);
  });
});

describe('loggedProbe', () => {
  const request = (status: number, contentType: string) => ({
    url: 'https://d111111abcdef8.cloudfront.net/index.html',
    method: 'GET',
    logged: { status, contentType, edgeResultType: status >= 400 ? 'Error' : 'Miss' },
  });

  it("reads S3's XML refusal as S3 AccessDenied, a served request as served, and nothing else", () => {
    expect(loggedProbe(request(403, 'application/xml'), 's3-rest')?.fingerprint).toMatchObject({
      source: 's3',
      kind: 's3-access-denied',
    });
    expect(loggedProbe(request(200, 'text/html'), 's3-rest')?.fingerprint.kind).toBe('ok');
    // CloudFront's own pages are HTML: the record does not say who refused
    expect(loggedProbe(request(403, 'text/html'), 's3-rest')).toBeUndefined();
    expect(loggedProbe({ url: 'https://x/', method: 'GET' }, 's3-rest')).toBeUndefined();
  });

  it("places the probe in its region's country", () => {
    expect(probeCountry('us-east-1')).toBe('US');
    expect(probeCountry('eu-central-1')).toBe('DE');
  });
});

// Every example scenario's failing traffic gets the answer its description implies, both from the
// request's own location and from the workflow's probe location.
import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { type EdgeResponse, respond } from '../../../sim/edge/index.ts';
import {
  expectCloudFrontPage,
  expectMissingKey,
  expectOk,
  expectS3Denied,
  expectWebsiteDenied,
  get,
  INDEX_BODY,
  loadScenario,
  PROBE,
  REASON,
  SCENARIO_DIR,
  viewOf,
} from './helpers.ts';

type Expected = (res: EdgeResponse) => void;

const s3Denied: Expected = (res) => expectS3Denied(res);
const ok: Expected = (res) => expectOk(res);

/** [answer for the request's own country/ip, answer for the probe (US, 192.0.2.10)] */
const EXPECTED: Record<string, [Expected, Expected]> = {
  'behavior-misrouted': [s3Denied, s3Denied],
  'bucket-policy-grant-missing': [s3Denied, s3Denied],
  'default-root-object-missing': [s3Denied, s3Denied],
  'geo-restricted': [(res) => expectCloudFrontPage(res, 403, REASON.geoBlocked), ok],
  healthy: [ok, ok],
  'origin-access-missing': [s3Denied, s3Denied],
  'public-access-blocked': [s3Denied, s3Denied],
  'signed-url-required': [expectMissingKey, expectMissingKey],
  'waf-blocked-ipset': [(res) => expectCloudFrontPage(res, 403, REASON.wafBlocked), ok],
  'website-endpoint-origin': [expectWebsiteDenied, expectWebsiteDenied],
};

describe('example scenarios', () => {
  it('covers every scenario file', () => {
    const names = readdirSync(SCENARIO_DIR)
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
    expect(names).toEqual(Object.keys(EXPECTED).sort());
  });

  for (const [name, [own, probe]] of Object.entries(EXPECTED)) {
    it(`${name}: each request gets the failing answer`, () => {
      const scenario = loadScenario(name);
      const view = viewOf(scenario);
      expect(scenario.requests.length).toBeGreaterThan(0);
      for (const r of scenario.requests) {
        const base = { url: r.url, method: r.method, headers: r.headers };
        own(
          respond(view, {
            ...base,
            country: r.country ?? PROBE.country,
            clientIp: r.clientIp ?? PROBE.clientIp,
          }),
        );
        probe(respond(view, { ...base, ...PROBE }));
      }
    });
  }

  it('default-root-object-missing: /index.html works while / is denied', () => {
    const scenario = loadScenario('default-root-object-missing');
    expectOk(get(scenario, '/index.html'), INDEX_BODY);
    expect(get(scenario, '/').trace).toContain('origin:s3-rest:s3:ListBucket:ImplicitlyDenied:policy');
  });

  it('behavior-misrouted: paths outside /assets/* are served by the right origin', () => {
    const scenario = loadScenario('behavior-misrouted');
    expectOk(get(scenario, '/app.js'), "console.log('hi')");
    expect(get(scenario, '/assets/logo.svg').trace).toContain('behavior:/assets/*');
  });

  it('public-access-blocked: the public grant is what Block Public Access overrides', () => {
    const res = get(loadScenario('public-access-blocked'), '/index.html');
    expect(res.trace.some((t) => t.endsWith('ExplicitlyDenied:bpa-restrict-public-buckets'))).toBe(true);
  });

  it('healthy: serves the object body with S3 and CloudFront headers', () => {
    const res = get(loadScenario('healthy'), '/');
    expectOk(res, INDEX_BODY);
    expect(res.headers.server).toBe('AmazonS3');
    expect(res.headers['content-type']).toBe('text/html');
    expect(res.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    expect(res.headers.via).toMatch(/^1\.1 [0-9a-f]{32}\.cloudfront\.net \(CloudFront\)$/);
    expect(res.headers['x-amz-cf-id']).toMatch(/^[A-Za-z0-9+/]{54}==$/);
  });
});

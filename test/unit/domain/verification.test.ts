// Verification by cause (issue 10): cured, not cured, or unverifiable from where the probe stands; then the
// viewers' side decides, and only evidence of failure rolls a fix back.
import { describe, expect, it } from 'vitest';
import type { Evidence, ProbeResult } from '../../../functions/domain/types.ts';
import {
  checkProbes,
  judgeViewers,
  probeVerdict,
  RECOVERED_POINTS,
  type ViewerEvidence,
} from '../../../functions/domain/verification.ts';
import { evidence, geoBlocked, kmsDenied, s3Denied, served, withRequests } from '../causes/s3/fixtures.ts';

function probesAfter(ev: Evidence, probes: ((path: string) => ProbeResult)[]): ProbeResult[] {
  return ev.requests.map((r, i) => {
    const make = probes[i];
    if (!make) throw new Error('one probe per request');
    return make(new URL(r.url).pathname);
  });
}

describe('checkProbes', () => {
  const ev = withRequests(evidence(), [
    ['/index.html', s3Denied],
    ['/app.js', s3Denied],
    ['/about.html', s3Denied],
  ]);

  it('is cured when the request no longer fails', () => {
    const checks = checkProbes(ev, probesAfter(ev, [served, served, served]));
    expect(checks.map((c) => c.verdict)).toEqual(['cured', 'cured', 'cured']);
    expect(checks[0]?.reason).toMatch(/200 .*was probe GET \/index.html: 403/);
    expect(probeVerdict(checks)).toBe('cured');
  });

  it('is not cured when the same refusal remains, nor when another origin refusal takes its place', () => {
    const checks = checkProbes(ev, probesAfter(ev, [served, s3Denied, kmsDenied]));
    expect(checks.map((c) => c.verdict)).toEqual(['cured', 'not-cured', 'not-cured']);
    expect(checks[1]?.reason).toMatch(/^still .*reason that was fixed/);
    expect(checks[2]?.reason).toMatch(/^now .*was probe/);
    expect(probeVerdict(checks)).toBe('not-cured');
  });

  it('is unverifiable when CloudFront refuses the prober itself, and that alone is no evidence of failure', () => {
    const checks = checkProbes(ev, probesAfter(ev, [geoBlocked, geoBlocked, served]));
    expect(checks.map((c) => c.verdict)).toEqual(['unverifiable', 'unverifiable', 'cured']);
    expect(probeVerdict(checks)).toBe('cured');
    expect(probeVerdict(checkProbes(ev, probesAfter(ev, [geoBlocked, geoBlocked, geoBlocked])))).toBe(
      'unverifiable',
    );
  });
});

describe('judgeViewers', () => {
  const since = new Date('2026-11-28T00:06:00Z');
  const points = (...values: number[]) =>
    values.map((value, i) => ({ at: new Date(since.getTime() + (i - 2) * 60_000).toISOString(), value }));
  const base = (values: number[], alarm?: ViewerEvidence['alarm']): ViewerEvidence => ({
    metric: '4xxErrorRate',
    threshold: 5,
    datapoints: points(...values),
    ...(alarm ? { alarm } : {}),
  });

  it(`is cured once ${RECOVERED_POINTS} datapoints since the fix are under the threshold`, () => {
    // the two before `since` do not count
    expect(judgeViewers(base([100, 100, 2, 0]), since, false).verdict).toBe('pending');
    const j = judgeViewers(base([100, 100, 2, 0, 0]), since, false);
    expect(j.verdict).toBe('cured');
    expect(j.reason).toMatch(/fell back under the alarm's threshold/);
  });

  it('is cured when the alarm returned to OK after the fix, not before it', () => {
    const ok = (at: string) => ({
      name: 'site-4xx',
      metric: '4xxErrorRate',
      threshold: 5,
      comparison: 'GreaterThanOrEqualToThreshold',
      state: 'OK',
      since: at,
    });
    expect(judgeViewers(base([], ok('2026-11-28T00:08:00Z')), since, false).verdict).toBe('cured');
    expect(judgeViewers(base([], ok('2026-11-27T23:00:00Z')), since, false).verdict).toBe('pending');
  });

  it('ends, after the bounded wait, as not cured in breach and unverifiable without data', () => {
    const breach = judgeViewers(base([100, 100, 100, 100, 100]), since, true);
    expect(breach.verdict).toBe('not-cured');
    expect(breach.reason).toMatch(/stayed in breach/);
    const none = judgeViewers(base([100, 100]), since, true);
    expect(none.verdict).toBe('unverifiable');
    expect(none.reason).toMatch(/no 4xxErrorRate datapoints since the fix/);
    expect(judgeViewers(base([100, 100, 0, 0]), since, true).verdict).toBe('unverifiable');
  });
});

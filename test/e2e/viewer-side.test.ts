// Issue 10 end to end: a fix the probe cannot see is verified from the viewers' side and never rolled back
// without evidence; the report says what was verified, what could not be and why; evidence comes from the
// viewers' logs; KMS keys are called in their own region, AWS managed keys are never changed; every list pages.
import { describe, expect, it } from 'vitest';
import { SAMPLE_WINDOW_MS } from '../../functions/adapters/collector.ts';
import { type Report, simulate } from '../../sim/runner/simulate.ts';
import { scenario } from './helpers.ts';

const run = (name: string): Promise<Report> => simulate(scenario(name), { decision: 'approve' });
const calls = (r: Report, operation: string) => r.trace.filter((t) => t.operation === operation);

describe('verification from where the workflow stands', () => {
  it('verifies from the viewers what a geo allow list keeps the probe from seeing', async () => {
    const r = await run('origin-access-missing-geo-allow-list-legacy-logs');
    expect(r.outcome).toBe('REMEDIATED');
    expect(r.verification).toMatchObject({ verdict: 'cured', verifiedBy: 'viewer-metrics' });
    expect(r.verification?.requests.map((c) => c.verdict)).toEqual([
      'unverifiable',
      'unverifiable',
      'unverifiable',
    ]);
    expect(r.verification?.requests[0]?.reason).toMatch(/geo restriction .* refuses the probe/);
    expect(r.verification?.viewers?.metric).toBe('403ErrorRate');
    expect(r.unreproducible).toHaveLength(3);
    expect(r.accessLogs?.read[0]).toMatch(/^standard-log s3:\/\/example-site-logs\/cf\//);
    // the verify step reads CloudWatch as itself, in us-east-1
    expect(calls(r, 'GetMetricData').every((t) => t.step === 'verify' && t.region === 'us-east-1')).toBe(
      true,
    );
    const last = r.notifications[r.notifications.length - 1]?.message ?? '';
    expect(last).toMatch(/Verification: cured \(from the viewers: CloudWatch\)/);
    expect(last).toMatch(/The probe could not reproduce these as a viewer would/);
  });

  it('keeps a fix nothing can verify, and says so', async () => {
    const r = await run('origin-access-missing-geo-unverifiable');
    expect(r.outcome).toBe('REMEDIATED');
    expect(r.verification).toMatchObject({ verdict: 'unverifiable', verifiedBy: 'none' });
    expect(r.verification?.viewers?.reason).toMatch(/no 4xxErrorRate datapoints since the fix/);
    expect(r.rollback).toBeUndefined();
    const last = r.notifications[r.notifications.length - 1]?.message ?? '';
    expect(last).toMatch(/neither the probe nor the viewers could verify it/);
  });

  it("rolls back on the viewers' evidence that the fix did not cure", async () => {
    const r = await run('rollback-hidden-deny-geo-probe');
    expect(r.outcome).toBe('ROLLED_BACK');
    expect(r.verification).toMatchObject({ verdict: 'not-cured', verifiedBy: 'viewer-metrics' });
    expect(r.verification?.viewers?.reason).toMatch(/stayed in breach/);
  });

  it('verifies with the probe past a WAF that blocks others, as it did before', async () => {
    const r = await run('bucket-policy-grant-missing-waf-anonymous-ip-list');
    expect(r.verification).toMatchObject({ verdict: 'cured', verifiedBy: 'probe' });
    expect(calls(r, 'GetMetricData')).toEqual([]);
  });

  it('asks WAF for sampled requests of the last three hours, less a margin', async () => {
    const r = await run('bucket-policy-grant-missing-waf-bot-control');
    const sampled = calls(r, 'GetSampledRequests')[0]?.input as
      | { TimeWindow: { StartTime: string; EndTime: string } }
      | undefined;
    const window = sampled?.TimeWindow ?? { StartTime: '', EndTime: '' };
    expect(Date.parse(window.EndTime) - Date.parse(window.StartTime)).toBe(SAMPLE_WINDOW_MS);
    expect(r.outcome).toBe('REMEDIATED');
    expect(r.verification?.requests[0]?.reason).toMatch(/SignalNonBrowserUserAgent/);
  });
});

describe('KMS keys', () => {
  it('are read and changed in their own region', async () => {
    const r = await run('kms-access-denied-eu-west-1-key-id');
    expect(r.outcome).toBe('REMEDIATED');
    const kms = r.trace.filter((t) => t.service === 'KMS');
    expect(kms.length).toBeGreaterThan(0);
    expect(kms.every((t) => t.region === 'eu-west-1')).toBe(true);
    expect(calls(r, 'PutKeyPolicy')).toHaveLength(1);
    expect(calls(r, 'GetBucketLocation')[0]?.input).toEqual({ Bucket: 'example-site' });
  });

  it('never get a PutKeyPolicy when AWS manages them: the workflow escalates with the steps', async () => {
    for (const name of ['kms-access-denied-aws-managed-key', 'kms-access-denied-aws-managed-key-alias']) {
      const r = await run(name);
      expect(r.outcome).toBe('ESCALATED');
      expect(calls(r, 'PutKeyPolicy')).toEqual([]);
      expect(calls(r, 'DescribeKey').length).toBeGreaterThan(0);
      const action = r.actions.find((a) => a.cause === 'KMS_ACCESS_DENIED');
      expect(action?.risk).toBe('manual');
      expect(action?.description).toMatch(/SSE-S3.*PutBucketEncryption.*customer managed key/s);
    }
  });
});

describe('every list call pages to the end', () => {
  it('reuses the OAC named for the bucket on the second page of ListOriginAccessControls', async () => {
    const r = await run('origin-access-missing-oac-second-page');
    expect(r.outcome).toBe('REMEDIATED');
    expect(calls(r, 'CreateOriginAccessControl')).toEqual([]);
    const update = JSON.stringify(calls(r, 'UpdateDistribution')[0]?.input);
    expect(update).toContain('"OriginAccessControlId":"E3SITEOACPAGE2"');
    expect(calls(r, 'ListOriginAccessControls').some((t) => (t.input as { Marker?: string }).Marker)).toBe(
      true,
    );
  });

  it('never takes a name an OAC on a later page already has', async () => {
    const r = await run('origin-access-missing-oac-name-on-third-page');
    expect(r.outcome).toBe('REMEDIATED');
    const created = calls(r, 'CreateOriginAccessControl')[0]?.input as
      | { OriginAccessControlConfig: { Name: string } }
      | undefined;
    expect(created?.OriginAccessControlConfig.Name).toBe('example-site-oac-2');
  });
});

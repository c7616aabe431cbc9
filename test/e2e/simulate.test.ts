import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/runner/simulate.ts';
import { accountState, scenario } from './helpers.ts';

const CLI = fileURLToPath(new URL('../../bin/cf403.js', import.meta.url));
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf-8', timeout: 120_000 });

function statements(policy: string | null): string[] {
  return (JSON.parse(policy ?? '{"Statement":[]}') as { Statement: unknown[] }).Statement.map((s) =>
    JSON.stringify(s),
  );
}

describe('cf403 simulate, end to end through the synthesized state machine', () => {
  it('repairs a site whose S3 origin has no OAC, keeping every existing policy statement', async () => {
    const sc = scenario('origin-access-missing');
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.causes[0]?.id).toBe('ORIGIN_ACCESS_MISSING');
    expect(report.approval).toMatchObject({ required: true, decision: 'approved' });
    expect(report.probes.before.every((p) => p.status === 403)).toBe(true);
    expect(report.probes.after.map((p) => p.status)).toEqual(sc.requests.map(() => 200));

    const origin = report.world.cloudfront.distributions[0]?.DistributionConfig.Origins?.Items?.[0];
    const oac = report.world.cloudfront.originAccessControls?.find(
      (o) => o.Id === origin?.OriginAccessControlId,
    );
    expect(oac?.OriginAccessControlConfig).toMatchObject({
      SigningProtocol: 'sigv4',
      SigningBehavior: 'always',
      OriginAccessControlOriginType: 's3',
    });
    const before = sc.s3.buckets[0]?.Policy ?? '';
    const after = report.world.s3.buckets[0]?.Policy ?? '';
    // Every existing statement is kept, byte for byte: the new one is inserted before the array closes.
    const lastStatementEnd = before.lastIndexOf('}', before.lastIndexOf(']')) + 1;
    expect(after.startsWith(before.slice(0, lastStatementEnd))).toBe(true);
    expect(statements(after)).toHaveLength(statements(before).length + 1);
    expect(JSON.parse(after).Statement.at(-1)).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: {
        StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE' },
      },
    });

    const names = report.states.map((s) => s.name);
    for (const state of [
      'CollectEvidence',
      'Classify',
      'PlanFix',
      'RequestApproval',
      'ApplyFix',
      'WaitForCloudFront',
      'InvalidateCache',
      'WaitForCacheInvalidation',
      'VerifyFix',
      'Remediated',
      'Done',
    ]) {
      expect(names).toContain(state);
    }
    // Simulated time: at least CloudFront's own deployment + invalidation, with little polling overhead.
    expect(report.simulatedSeconds).toBeGreaterThanOrEqual(360);
    expect(report.simulatedSeconds).toBeLessThanOrEqual(360 * 1.1);
  });

  it('changes nothing when the operator rejects the plan', async () => {
    const sc = scenario('origin-access-missing');
    const report = await simulate(sc, { decision: 'reject' });
    expect(report.outcome).toBe('REJECTED');
    expect(report.approval.decision).toBe('rejected');
    expect(report.actions.every((a) => !a.applied)).toBe(true);
    expect(report.probes.after).toEqual([]);
    expect(accountState(report.world)).toEqual(accountState(sc));
    expect(report.world.cloudfront.distributions[0]?.ETag).toBe(sc.cloudfront.distributions[0]?.ETag);
  });

  it('treats an approval that times out as a rejection', async () => {
    const sc = scenario('origin-access-missing');
    const report = await simulate(sc, { decision: 'timeout' });
    expect(report.outcome).toBe('REJECTED');
    expect(report.approval.decision).toBe('timed-out');
    expect(report.states.map((s) => s.name)).toContain('ApprovalTimedOut');
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it('rolls back every change when verification still sees 403, restoring the account exactly', async () => {
    const sc = scenario('rollback-hidden-deny');
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('ROLLED_BACK');
    expect(report.probes.after.some((p) => p.status === 403)).toBe(true);
    expect(report.rollback?.restored.length).toBe(3);
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it.each([
    ['fault-throttled-update', 'REMEDIATED'],
    ['fault-stale-etag', 'REMEDIATED'],
    ['fault-invalidation-unavailable', 'REMEDIATED'],
  ])('recovers from injected faults: %s', async (name, outcome) => {
    const report = await simulate(scenario(name), { decision: 'approve' });
    expect(report.outcome).toBe(outcome);
    expect(report.states.some((s) => s.name === 'RollBackAfterFailure')).toBe(false);
  });

  it('fails cleanly on a non-retryable fault, undoing the change already made', async () => {
    const sc = scenario('fault-update-denied');
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('FAILED');
    expect(report.error?.error).toBe('AwsAccessDeniedError');
    expect(report.states.map((s) => s.name)).toContain('RollBackAfterFailure');
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it.each([
    ['event-unknown-distribution', 'DistributionNotFoundError', /EDOESNOTEXIST1 does not exist/],
    ['event-not-cloudfront', 'InvalidAlarmEventError', /AWS\/EC2\/CPUUtilization/],
    ['fault-throttled-forever', 'RetryableAwsError', /Rate exceeded/],
  ])('ends FAILED with a clear error for %s, changing nothing', async (name, error, cause) => {
    const sc = scenario(name);
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('FAILED');
    expect(report.error?.error).toBe(error);
    expect(report.error?.cause).toMatch(cause);
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it('ignores an alarm that returns to OK', async () => {
    const report = await simulate(scenario('event-ok-state'), { decision: 'approve' });
    expect(report.outcome).toBe('NO_ACTION_NEEDED');
    expect(report.states.map((s) => s.name)).toEqual(['CollectEvidence', 'IsActionable?', 'Ignored']);
  });

  it('changes nothing on a second run over the repaired account', async () => {
    const first = await simulate(scenario('origin-access-missing'), { decision: 'approve' });
    const again = await simulate(
      { ...first.world, name: 'origin-access-missing-again' },
      { decision: 'approve' },
    );
    expect(again.outcome).toBe('NO_ACTION_NEEDED');
    expect(accountState(again.world)).toEqual(accountState(first.world));
  });
});

describe('the cf403 command line', () => {
  it('prints one JSON report on stdout with --json', () => {
    const r = cli(
      'simulate',
      fileURLToPath(new URL('../scenarios/origin-access-missing.json', import.meta.url)),
      '--approve',
      '--json',
    );
    expect(r.status).toBe(0);
    const report = JSON.parse(r.stdout) as { outcome: string; world: { name: string } };
    expect(report.outcome).toBe('REMEDIATED');
  });

  it('prints a readable timeline by default, on the embedded demo', () => {
    const r = cli('simulate', '--approve');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /DIAGNOSIS[\s\S]*ORIGIN_ACCESS_MISSING[\s\S]*APPROVAL\s+approved[\s\S]*VERIFY[\s\S]*OUTCOME\s+REMEDIATED/,
    );
  });

  it('exits 2 naming the field of a malformed scenario, and runs nothing', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cf403-bad-'));
    const sc = scenario('origin-access-missing') as unknown as { account: string };
    sc.account = '1234';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(sc));
    const r = cli('simulate', file, '--approve', '--json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/account/);
    expect(r.stdout).toBe('');
  });

  it('exits 2 on bad arguments', () => {
    const r = cli('simulate', 'does-not-exist.json', '--approve');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/does-not-exist\.json/);
    expect(cli('simulate', '--approve', '--reject').status).toBe(2);
  });
});

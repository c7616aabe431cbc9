import { describe, expect, it } from 'vitest';
import type { MetricPoint } from '../../functions/domain/metrics.ts';
import { synthesizedStack } from '../../sim/runner/definition.ts';
import { buildReport, defaultAlarmEvent, LocalWorkflow } from '../../sim/runner/simulate.ts';
import { World } from '../../sim/world/index.ts';
import { scenario } from './helpers.ts';

/** Runs one scenario through the synthesized state machine; returns the outcome and the recorded metrics. */
async function run(name: string, decision: 'approve' | 'reject') {
  const sc = scenario(name);
  const world = new World(sc);
  const wf = new LocalWorkflow(world, await synthesizedStack());
  const result = await wf.execute(defaultAlarmEvent(sc), `metrics-${name}`, decision);
  return { report: buildReport(sc, world, result), points: wf.metrics.points };
}

const named = (points: MetricPoint[], name: string) => points.filter((p) => p.name === name);

describe('metrics the steps record (EMF in Lambda, a recorder in the simulator)', () => {
  it('a REMEDIATED run records its outcome, its cause and the time from alarm to verified', async () => {
    const { report, points } = await run('origin-access-missing', 'approve');
    expect(report.outcome).toBe('REMEDIATED');
    expect(named(points, 'Remediations')).toEqual([
      { name: 'Remediations', unit: 'Count', value: 1, dimensions: { outcome: 'REMEDIATED' } },
    ]);
    expect(named(points, 'RemediationsByCause').map((p) => p.dimensions)).toEqual([
      { cause: 'ORIGIN_ACCESS_MISSING' },
    ]);
    const [duration, ...more] = named(points, 'TimeToVerified');
    expect(more).toHaveLength(0);
    expect(duration?.unit).toBe('Seconds');
    // the workflow waited for CloudFront to deploy on the simulated clock, so it took time
    expect(duration?.value).toBeGreaterThan(0);
    // the simulated clock starts at the alarm's time, so the whole run is the time to verified
    expect(duration?.value).toBe(report.simulatedSeconds);
    // an approval was requested and closed by the relay
    expect(named(points, 'ApprovalsRequested')).toHaveLength(1);
    expect(named(points, 'ApprovalsClosed').reduce((n, p) => n + p.value, 0)).toBe(1);
  });

  it('a REJECTED run records its outcome and no time to verified', async () => {
    const { report, points } = await run('origin-access-missing', 'reject');
    expect(report.outcome).toBe('REJECTED');
    expect(named(points, 'Remediations').map((p) => p.dimensions)).toEqual([{ outcome: 'REJECTED' }]);
    expect(named(points, 'TimeToVerified')).toHaveLength(0);
  });
});

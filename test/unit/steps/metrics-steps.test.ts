// What the approval steps count: the sweep reports the approvals still waiting on every run (a gauge).
import { describe, expect, it } from 'vitest';
import { RecordingMetrics } from '../../../functions/adapters/metrics.ts';
import { run as relay } from '../../../functions/steps/relay/handler.ts';
import { run as sweep } from '../../../functions/steps/sweep/handler.ts';
import { simulationDeps } from '../../../sim/runner/simulate.ts';
import { World } from '../../../sim/world/index.ts';
import { scenario } from '../../e2e/helpers.ts';

function deps(metrics: RecordingMetrics) {
  return simulationDeps(
    new World(scenario('origin-access-missing')),
    'SILENT',
    {},
    { step: 'sweep' },
    metrics,
  );
}

describe('approval metrics', () => {
  it('the sweep records ApprovalsWaiting even when nothing waits, and closes nothing', async () => {
    const metrics = new RecordingMetrics();
    await sweep({}, deps(metrics));
    expect(metrics.points).toEqual([{ name: 'ApprovalsWaiting', unit: 'Count', value: 0 }]);
  });

  it('the relay counts nothing for an event about no pending approval', async () => {
    const metrics = new RecordingMetrics();
    const event = { source: 'aws.ssm', detail: { ExecutionId: 'no-such-automation' } };
    expect(await relay(event, deps(metrics))).toMatchObject({ relayed: false });
    expect(metrics.points).toEqual([]);
  });
});

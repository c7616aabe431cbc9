// The steps that wait for CloudFront, against the simulated account: a look, a bounded wait, the give-up.
import { describe, expect, it } from 'vitest';
import { MAX_WAIT_SECONDS, WAIT_MIN_POLL_SECONDS } from '../../../functions/domain/polling.ts';
import { InvalidStepInputError, PollTimeoutError } from '../../../functions/errors.ts';
import {
  run as checkDeployment,
  DEPLOYMENT_TIMEOUT_SECONDS,
} from '../../../functions/steps/check-deployment/handler.ts';
import { run as checkInvalidation } from '../../../functions/steps/check-invalidation/handler.ts';
import { run as invalidate } from '../../../functions/steps/invalidate/handler.ts';
import { simulationDeps } from '../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { World } from '../../../sim/world/index.ts';

const SCENARIOS = new URL('../../scenarios/', import.meta.url).pathname;

/** A distribution still deploying when the world starts (deploymentSeconds from now). */
function deploying(deploymentSeconds?: number): { world: World; id: string } {
  const sc: Scenario = loadScenario(`${SCENARIOS}deployment-in-progress.json`);
  const world = new World(
    deploymentSeconds === undefined ? sc : { ...sc, simulation: { ...sc.simulation, deploymentSeconds } },
  );
  return { world, id: sc.cloudfront.distributions[0]?.Id ?? '' };
}

const seconds = (world: World, from: number) => (world.now() - from) / 1000;

describe('check-deployment', () => {
  it('looks once and says when to look again when no budget is given (Wait-state design)', async () => {
    const { world, id } = deploying();
    const start = world.now();
    const out = await checkDeployment({ distributionId: id }, simulationDeps(world));
    expect(out).toEqual({ status: 'InProgress', nextPollSeconds: 2 });
    expect(world.now()).toBe(start);
  });

  it('waits inside the invocation until the distribution is Deployed, losing no more than a look', async () => {
    const { world, id } = deploying(300);
    const start = world.now();
    const out = await checkDeployment(
      { distributionId: id, maxWaitSeconds: MAX_WAIT_SECONDS },
      simulationDeps(world),
    );
    expect(out).toMatchObject({ status: 'Deployed' });
    expect(seconds(world, start)).toBeGreaterThanOrEqual(300);
    expect(seconds(world, start)).toBeLessThanOrEqual(300 + WAIT_MIN_POLL_SECONDS);
    // one GetDistribution per look, and the output says how many
    const looks = world.calls.filter((c) => c.api === 'GetDistribution').length;
    expect(out).toEqual({ status: 'Deployed', waitedSeconds: Math.round(seconds(world, start)), looks });
  });

  it('returns InProgress when its budget is spent, so the state machine invokes it again', async () => {
    const { world, id } = deploying(300);
    const start = world.now();
    const out = await checkDeployment({ distributionId: id, maxWaitSeconds: 60 }, simulationDeps(world));
    expect(out).toMatchObject({ status: 'InProgress' });
    expect(seconds(world, start)).toBeLessThanOrEqual(60);
  });

  it('gives up on a deployment stuck for two hours, across invocations', async () => {
    const { world, id } = deploying(20_000);
    const deps = simulationDeps(world);
    const start = world.now();
    let invocations = 0;
    const waitAgain = async (): Promise<unknown> => {
      for (;;) {
        invocations++;
        await checkDeployment({ distributionId: id, maxWaitSeconds: MAX_WAIT_SECONDS }, deps);
      }
    };
    await expect(waitAgain()).rejects.toBeInstanceOf(PollTimeoutError);
    expect(seconds(world, start)).toBeGreaterThan(DEPLOYMENT_TIMEOUT_SECONDS);
    expect(seconds(world, start)).toBeLessThan(DEPLOYMENT_TIMEOUT_SECONDS + 15);
    expect(invocations).toBe(Math.ceil(DEPLOYMENT_TIMEOUT_SECONDS / MAX_WAIT_SECONDS));
  });

  it('refuses a budget longer than the function may run', async () => {
    const { world, id } = deploying();
    await expect(
      checkDeployment({ distributionId: id, maxWaitSeconds: 3600 }, simulationDeps(world)),
    ).rejects.toBeInstanceOf(InvalidStepInputError);
  });
});

describe('invalidate and check-invalidation', () => {
  it('creates the invalidation with a small output, then waits until it completes', async () => {
    const sc = loadScenario(`${SCENARIOS}origin-access-missing.json`);
    const world = new World({ ...sc, simulation: { ...sc.simulation, invalidationSeconds: 47 } });
    const deps = simulationDeps(world);
    const distributionId = sc.cloudfront.distributions[0]?.Id ?? '';
    const created = await invalidate(
      { distributionId, executionName: 'test', paths: ['/index.html', '/app.js'] },
      deps,
    );
    expect(created).toEqual({ invalidationId: expect.any(String), status: 'InProgress', pathCount: 2 });
    const start = world.now();
    const out = await checkInvalidation(
      { distributionId, invalidationId: created.invalidationId, maxWaitSeconds: MAX_WAIT_SECONDS },
      deps,
    );
    expect(out).toMatchObject({ status: 'Completed' });
    expect(seconds(world, start)).toBeGreaterThanOrEqual(47);
    expect(seconds(world, start)).toBeLessThanOrEqual(47 + WAIT_MIN_POLL_SECONDS);
  });
});

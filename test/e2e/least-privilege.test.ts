// Least privilege, measured: each step's role against what the step asked IAM for across the scenario
// library (approved), rejected and timed-out approvals, and runs whose fix fails after it is applied (so the
// rollback runs), duplicate alarms and an approval whose status event is lost (the sweep answers it). Every
// grant is used somewhere or its one-line reason is in GRANT_REASONS, beside the grants in the construct.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_REASONS } from '../../lib/cloudfront-403-remediation.ts';
import { STEP_FOLDERS } from '../../lib/workflow/steps.ts';
import { type SynthesizedStack, synthesizedStack } from '../../sim/runner/definition.ts';
import { type Decision, defaultAlarmEvent, LocalWorkflow } from '../../sim/runner/simulate.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import type { StepIdentity } from '../../sim/world/iam/index.ts';
import { leastPrivilege, type PrivilegeRow } from '../../sim/world/iam/least-privilege.ts';
import { type IamUse, type Refusal, World } from '../../sim/world/index.ts';
import { SCENARIO_DIR, SHARED_DIR, scenarioFiles } from './helpers.ts';

let stack: SynthesizedStack;
let identities: Record<string, StepIdentity> = {};
const usage: IamUse[] = [];
const refusals: { scenario: string; refusal: Refusal }[] = [];
let rows: PrivilegeRow[] = [];

async function run(sc: Scenario, decision: Decision, simulation?: Scenario['simulation']): Promise<void> {
  const scenario = simulation ? { ...sc, simulation: { ...sc.simulation, ...simulation } } : sc;
  const world = new World(scenario);
  const wf = new LocalWorkflow(world, stack);
  identities = wf.identities ?? {};
  await wf.execute(defaultAlarmEvent(scenario), `lp-${sc.name}`.slice(0, 80), decision);
  usage.push(...world.iamUsage);
  for (const refusal of world.refusals) refusals.push({ scenario: sc.name, refusal });
}

beforeAll(async () => {
  stack = await synthesizedStack();
  for (const file of [...scenarioFiles(SCENARIO_DIR), ...scenarioFiles(SHARED_DIR)]) {
    let sc: Scenario;
    try {
      sc = loadScenario(file);
    } catch {
      continue; // the bad-input scenarios: tested elsewhere
    }
    await run(sc, 'approve');
  }
  for (const name of ['origin-access-missing', 'kms-access-denied', 'object-ownership']) {
    const sc = loadScenario(`${SCENARIO_DIR}${name}.json`);
    await run(sc, 'reject');
    await run(sc, 'timeout');
    await run(sc, 'approve', { faults: [{ api: 'CreateInvalidation', error: 'AccessDenied', times: 50 }] });
  }
  // two alarms at once: the second reads who holds the lock
  {
    const sc = loadScenario(`${SCENARIO_DIR}origin-access-missing.json`);
    const world = new World(sc);
    const wf = new LocalWorkflow(world, stack);
    const event = defaultAlarmEvent(sc);
    await Promise.all([wf.execute(event, 'lp-first', 'approve'), wf.execute(event, 'lp-second', 'approve')]);
    usage.push(...world.iamUsage);
  }
  // the approval's status event never arrives: the scheduled sweep reconciles it
  await run(loadScenario(`${SCENARIO_DIR}origin-access-missing.json`), async (ctx) => {
    ctx.loseEvents();
    await ctx.signal('Approve');
  });
  rows = leastPrivilege(identities, usage, STEP_FOLDERS);
}, 900_000);

afterAll(() => {
  const lines = rows.map(
    (r) =>
      `  ${r.step.padEnd(19)} granted ${String(r.granted.length).padStart(2)}, used ${String(r.used.length).padStart(2)}; unused: ${r.unused.join(', ') || '-'}`,
  );
  console.log(`least privilege, per step role:\n${lines.join('\n')}`);
});

describe('least privilege of the step roles', () => {
  it('no step is refused by its own role: only a resource policy of the scenario ever refuses a step', () => {
    const own = refusals.filter(
      ({ refusal }) => refusal.kind !== 'iam' || refusal.policy !== 'resource-based',
    );
    expect(
      own.map(({ scenario, refusal: r }) => `${scenario}: ${r.step} ${r.operation} ${r.kind} ${r.detail}`),
    ).toEqual([]);
  });

  it('covers every step role', () => {
    expect(rows.map((r) => r.step).sort()).toEqual(Object.values(STEP_FOLDERS).sort());
  });

  it('every grant is used by some run, or its reason is given', () => {
    const unexplained = rows.flatMap((r) =>
      r.unused
        .filter((a) => !(GRANT_REASONS[`${r.step}:${a}`] ?? GRANT_REASONS[a]))
        .map((a) => `${r.step}: ${a}`),
    );
    expect(unexplained).toEqual([]);
  });
});

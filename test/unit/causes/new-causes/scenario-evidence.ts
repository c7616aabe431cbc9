// Evidence for the issue 11 new-cause rules (H6b), read from a scenario file by the real collector against
// the simulated account (IAM not enforced: the rules, not the roles, are under test), with the edge
// answering the probes.
import { collectEvidence } from '../../../../functions/adapters/collector.ts';
import { StaticRequestLog } from '../../../../functions/adapters/request-log.ts';
import type { CauseModule, DetectContext } from '../../../../functions/domain/causes/cause.ts';
import { detectContext, diagnose } from '../../../../functions/domain/diagnose.ts';
import { planFix } from '../../../../functions/domain/plan.ts';
import type { Action, Diagnosis, Evidence, Finding, Plan } from '../../../../functions/domain/types.ts';
import { EdgeProber } from '../../../../sim/runner/ports.ts';
import { simulatedClients } from '../../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../../sim/scenario/load.ts';
import type { Scenario } from '../../../../sim/scenario/types.ts';
import { World } from '../../../../sim/world/index.ts';

export const SCENARIOS = `${import.meta.dirname}/../../../scenarios`;

export interface Read {
  scenario: Scenario;
  world: World;
  ev: Evidence;
  ctx: DetectContext;
  diagnosis: Diagnosis;
  plan: Plan;
}

/** Evidence as the collect step would gather it from the scenario's account. */
export async function evidenceOf(scenario: Scenario): Promise<Read> {
  const world = new World(scenario, { enforce: { iam: false } });
  const clients = simulatedClients(world, { step: 'collect' });
  const dist = scenario.cloudfront.distributions[0];
  if (!dist) throw new Error('scenario without a distribution');
  const ev = await collectEvidence(clients, new EdgeProber(world), new StaticRequestLog(scenario.requests), {
    distributionId: dist.Id,
    account: scenario.account,
    region: scenario.region,
  });
  const diagnosis = diagnose(ev);
  return {
    scenario,
    world,
    ev,
    ctx: detectContext(ev),
    diagnosis,
    plan: planFix(ev, diagnosis, { approvalRisks: ['destructive'], planOnly: false }),
  };
}

export function readScenario(name: string): Scenario {
  return loadScenario(`${SCENARIOS}/${name}.json`);
}

export function read(name: string): Promise<Read> {
  return evidenceOf(readScenario(name));
}

/** detect, then plan, of one module on the evidence. */
export function run(mod: CauseModule, r: Read): { finding: Finding | null; actions: Action[] } {
  const finding = mod.detect(r.ctx);
  return { finding, actions: finding ? mod.plan(finding, r.ctx) : [] };
}

/** A deep copy of a scenario, changed by `edit`. */
export function variant(name: string, edit: (sc: Scenario) => void): Scenario {
  const sc = structuredClone(readScenario(name));
  edit(sc);
  return sc;
}

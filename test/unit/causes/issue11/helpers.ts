// Evidence for a library scenario as the real collector reads it from a simulated account, so the
// issue-11 rules are tested on what the workflow would see (rewritten keys, control probe, noise).
import { collectEvidence } from '../../../../functions/adapters/collector.ts';
import { detectContext, diagnose } from '../../../../functions/domain/diagnose.ts';
import { planFix } from '../../../../functions/domain/plan.ts';
import type { Diagnosis, Evidence, Plan } from '../../../../functions/domain/types.ts';
import { EdgeProber, ScenarioRequestLog } from '../../../../sim/runner/ports.ts';
import { simulatedClients } from '../../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../../sim/scenario/load.ts';
import { World } from '../../../../sim/world/index.ts';

export const SCENARIOS = new URL('../../../scenarios/', import.meta.url).pathname;

export async function evidenceOf(name: string): Promise<Evidence> {
  const sc = loadScenario(`${SCENARIOS}${name}.json`);
  const world = new World(sc);
  return collectEvidence(
    simulatedClients(world, { step: 'collect' }),
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

export interface Run {
  ev: Evidence;
  diagnosis: Diagnosis;
  plan: Plan;
}

export async function run(name: string): Promise<Run> {
  const ev = await evidenceOf(name);
  const diagnosis = diagnose(ev);
  return { ev, diagnosis, plan: planFix(ev, diagnosis, { approvalRisks: ['destructive'], planOnly: false }) };
}

export { detectContext };

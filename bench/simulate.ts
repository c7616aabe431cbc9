// Items 2, 3 and 5, from `simulate()` runs of the scenario catalog: simulated time from alarm to verified
// fix against CloudFront's own floor, state transitions and Lambda invocations per outcome, and wall time.
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { type Decision, type Report, simulate } from '../sim/runner/simulate.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { DEFAULT_DEPLOYMENT_SECONDS, DEFAULT_INVALIDATION_SECONDS } from '../sim/world/world.ts';
import { median } from './stats.ts';

/** Standard workflows: USD per state transition ($0.025 per 1,000, us-east-1). */
export const USD_PER_TRANSITION = 0.025 / 1000;

export interface SimCase {
  /** scenario name, with the decision when it is not `approve` */
  label: string;
  scenario: Scenario;
  decision: Decision;
}

export interface SimRun {
  label: string;
  outcome: string;
  simulatedSeconds: number;
  /** deploymentSeconds (when the workflow waited for a deployment) + invalidationSeconds (when it invalidated) */
  floorSeconds: number;
  transitions: number;
  lambdaInvocations: number;
  wallMs: number;
  runs: number;
}

/** The part of the simulated time that CloudFront itself takes: what no workflow could save. */
export function floorSeconds(scenario: Scenario, states: Report['states']): number {
  const names = new Set(states.map((s) => s.name));
  const sim = scenario.simulation ?? {};
  const deploy = names.has('CheckDeployment') ? (sim.deploymentSeconds ?? DEFAULT_DEPLOYMENT_SECONDS) : 0;
  const invalidate = names.has('InvalidateCache')
    ? (sim.invalidationSeconds ?? DEFAULT_INVALIDATION_SECONDS)
    : 0;
  return deploy + invalidate;
}

/** Each Task state entered invokes one Lambda function (the approval's too, before it waits). */
export function lambdaInvocations(states: Report['states']): number {
  return states.filter((s) => s.type === 'Task').length;
}

export async function benchSimulate(cases: readonly SimCase[], runs: number): Promise<SimRun[]> {
  // Warm-up: synthesis (cached per source hash), module loading, JIT.
  const first = cases[0];
  if (first) await simulate(first.scenario, { decision: first.decision });
  const walls = new Map<string, number[]>();
  const reports = new Map<string, Report>();
  // Round-robin over the catalog so a slow moment of the machine does not fall on one scenario.
  for (let r = 0; r < runs; r++) {
    for (const c of cases) {
      const t = performance.now();
      const report = await simulate(c.scenario, { decision: c.decision });
      const ms = performance.now() - t;
      walls.set(c.label, [...(walls.get(c.label) ?? []), ms]);
      reports.set(c.label, report);
    }
  }
  return cases.map((c) => {
    const report = reports.get(c.label);
    if (!report) throw new Error(`no report for ${c.label}`);
    return {
      label: c.label,
      outcome: report.outcome,
      simulatedSeconds: report.simulatedSeconds,
      floorSeconds: floorSeconds(c.scenario, report.states),
      transitions: report.states.length,
      lambdaInvocations: lambdaInvocations(report.states),
      wallMs: median(walls.get(c.label) ?? []),
      runs,
    };
  });
}

/** The same fix with deployment and invalidation times that do not fall on a polling interval. */
export function timingVariants(base: Scenario, pairs: readonly [number, number][]): SimCase[] {
  return pairs.map(([deploymentSeconds, invalidationSeconds]) => ({
    label: `${base.name} (deploy ${deploymentSeconds} s, invalidation ${invalidationSeconds} s)`,
    scenario: {
      ...base,
      simulation: { ...base.simulation, deploymentSeconds, invalidationSeconds },
    },
    decision: 'approve',
  }));
}

export interface CliRun {
  scenario: string;
  wallMs: number;
  runs: number;
}

/** `node bin/cf403.js simulate <file> --approve --json` in a fresh process: what a person waits for. */
export function benchCli(root: string, file: string, runs: number): CliRun {
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['bin/cf403.js', 'simulate', file, '--approve', '--json'], {
      cwd: root,
      encoding: 'utf-8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const ms = performance.now() - t;
    if (r.status !== 0)
      throw new Error(`cf403 simulate ${file} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    walls.push(ms);
  }
  return { scenario: basename(file, '.json'), wallMs: median(walls), runs };
}

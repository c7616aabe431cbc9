// Items 2, 3 and 5, from runs of the scenario catalog through each workflow design (bench/designs.ts): the
// time lost after CloudFront is done, states entered and what an execution costs, and wall time.
import { spawnSync } from 'node:child_process';
import { basename } from 'node:path';
import { DEPLOYMENT_WAIT_STATES, STEPS, type StepName } from '../lib/workflow/steps.ts';
import { type Asl, synthesizedDefinition } from '../sim/runner/definition.ts';
import {
  buildReport,
  type Decision,
  defaultAlarmEvent,
  LocalWorkflow,
  type Report,
} from '../sim/runner/simulate.ts';
import { STEP_RUNS } from '../sim/runner/steps.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import { DEFAULT_DEPLOYMENT_SECONDS, DEFAULT_INVALIDATION_SECONDS, World } from '../sim/world/world.ts';
import { apiUsd, costOf, gbSeconds, type Invocation } from './cost.ts';
import { type BenchDesign, designDefinition } from './designs.ts';
import { median } from './stats.ts';

export interface SimCase {
  /** scenario name, with the decision when it is not `approve` */
  label: string;
  scenario: Scenario;
  decision: Decision;
  /** a fault-free row of the deployment-time sweep */
  sweep?: true;
}

export interface SimRun {
  design: string;
  label: string;
  outcome: string;
  sweep?: true;
  /** the scenario injects faults (its time includes the retries' backoff) */
  faulted?: true;
  simulatedSeconds: number;
  /** deploymentSeconds (when the workflow waited for a deployment) + invalidationSeconds (when it invalidated) */
  floorSeconds: number;
  /** states entered (the execution history's length) */
  states: number;
  /** billed state transitions: states entered plus Task retries */
  transitions: number;
  lambdaInvocations: number;
  lambdaGbSeconds: number;
  awsCalls: number;
  /** USD of this execution: transitions, Lambda, API calls, total */
  usd: { transitions: number; lambda: number; api: number; total: number };
  wallMs: number;
  runs: number;
}

/** The part of the simulated time that CloudFront itself takes: what no workflow could save. */
export function floorSeconds(scenario: Scenario, states: Report['states']): number {
  const names = new Set(states.map((s) => s.name));
  const sim = scenario.simulation ?? {};
  const deploy = DEPLOYMENT_WAIT_STATES.some((n) => names.has(n))
    ? (sim.deploymentSeconds ?? DEFAULT_DEPLOYMENT_SECONDS)
    : 0;
  const invalidate = names.has('InvalidateCache')
    ? (sim.invalidationSeconds ?? DEFAULT_INVALIDATION_SECONDS)
    : 0;
  return deploy + invalidate;
}

/** Task states entered: each invokes one Lambda function (the approval's too, before it waits). */
export function lambdaInvocations(states: Report['states']): number {
  return states.filter((s) => s.type === 'Task').length;
}

interface Measured {
  report: Report;
  invocations: Invocation[];
  calls: Record<string, number>;
}

/**
 * Runs one execution in-process, recording every handler invocation: the simulated time it waited and the
 * AWS calls it made (the faults test wraps STEP_RUNS the same way).
 */
async function measure(asl: Asl, c: SimCase, memoryMb: (step: StepName) => number): Promise<Measured> {
  const world = new World(c.scenario);
  const invocations: Invocation[] = [];
  const originals = { ...STEP_RUNS };
  for (const step of STEPS) {
    const run = originals[step];
    if (typeof run !== 'function') continue;
    STEP_RUNS[step] = async (input, deps) => {
      const at = world.now();
      const calls = world.calls.length;
      try {
        return await run(input, deps);
      } finally {
        invocations.push({
          step,
          waitedSeconds: (world.now() - at) / 1000,
          awsCalls: world.calls.length - calls,
          memoryMb: memoryMb(step),
        });
      }
    };
  }
  try {
    const workflow = new LocalWorkflow(world, asl);
    const result = await workflow.execute(
      defaultAlarmEvent(c.scenario),
      `sim-${c.scenario.name}`.slice(0, 80),
      c.decision,
    );
    const calls: Record<string, number> = {};
    for (const call of world.calls)
      calls[`${call.service}:${call.api}`] = (calls[`${call.service}:${call.api}`] ?? 0) + 1;
    return { report: buildReport(c.scenario, world, result), invocations, calls };
  } finally {
    Object.assign(STEP_RUNS, originals);
  }
}

function summarize(design: BenchDesign, c: SimCase, m: Measured, walls: number[]): SimRun {
  const { report } = m;
  const tasksEntered = lambdaInvocations(report.states);
  // The relay runs on EventBridge, outside the state machine: every other invocation is a Task attempt.
  const taskAttempts = m.invocations.filter((i) => i.step !== 'relay').length;
  const transitions = report.states.length + Math.max(0, taskAttempts - tasksEntered);
  const lambdaGbSeconds = gbSeconds(m.invocations);
  const cost = costOf({
    transitions,
    lambdaRequests: m.invocations.length,
    lambdaGbSeconds,
    apiUsd: apiUsd(m.calls),
  });
  return {
    design: design.id,
    label: c.label,
    outcome: report.outcome,
    ...(c.sweep ? { sweep: true as const } : {}),
    ...((c.scenario.simulation?.faults?.length ?? 0) > 0 ? { faulted: true as const } : {}),
    simulatedSeconds: report.simulatedSeconds,
    floorSeconds: floorSeconds(c.scenario, report.states),
    states: report.states.length,
    transitions,
    lambdaInvocations: m.invocations.length,
    lambdaGbSeconds,
    awsCalls: Object.values(m.calls).reduce((a, b) => a + b, 0),
    usd: { transitions: cost.transitionsUsd, lambda: cost.lambdaUsd, api: cost.apiUsd, total: cost.totalUsd },
    wallMs: median(walls),
    runs: walls.length,
  };
}

/**
 * Runs every case through every design, round-robin. Simulated figures do not change from run to run, so only
 * the deployed design runs `runs` times (its wall times are medians); the others run once.
 */
export async function benchSimulate(
  designs: readonly BenchDesign[],
  cases: readonly SimCase[],
  runs: number,
): Promise<SimRun[]> {
  const definitions = new Map<string, Asl>();
  for (const d of designs)
    definitions.set(d.id, d.deployed ? await synthesizedDefinition() : designDefinition(d.props));
  const out: SimRun[] = [];
  for (const d of designs) {
    const asl = definitions.get(d.id) as Asl;
    // Warm-up: module loading, JIT, the local engine's validation of this definition.
    const first = cases[0];
    if (first) await measure(asl, first, d.memoryMb);
    const walls = new Map<string, number[]>();
    const last = new Map<string, Measured>();
    // Round-robin over the catalog so a slow moment of the machine does not fall on one scenario.
    for (let r = 0; r < (d.deployed ? runs : 1); r++) {
      for (const c of cases) {
        const t = performance.now();
        const m = await measure(asl, c, d.memoryMb);
        walls.set(c.label, [...(walls.get(c.label) ?? []), performance.now() - t]);
        last.set(c.label, m);
      }
    }
    for (const c of cases) {
      const m = last.get(c.label);
      if (!m) throw new Error(`no run of ${c.label}`);
      out.push(summarize(d, c, m, walls.get(c.label) ?? []));
    }
  }
  return out;
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
    sweep: true,
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

// The fault matrix: every fault kind on every API a clean run calls, 1, 3 and 50 times, on fixable
// scenarios; then faults inside the rollback itself. Whatever happens, the run ends with an outcome, and the
// account is either repaired exactly as a clean run repairs it, or left exactly as it was, or (only when the
// rollback itself was refused) the error names every resource that is not back.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedStack, synthesizedStack } from '../../sim/runner/definition.ts';
import { buildReport, defaultAlarmEvent, LocalWorkflow, type Report } from '../../sim/runner/simulate.ts';
import { STEP_RUNS } from '../../sim/runner/steps.ts';
import type { FaultError, Scenario } from '../../sim/scenario/types.ts';
import { faultError, type ServiceName } from '../../sim/world/errors.ts';
import { World } from '../../sim/world/index.ts';
import { scenario } from './helpers.ts';

const KINDS: readonly FaultError[] = [
  'ThrottlingException',
  'ServiceUnavailable',
  'AccessDenied',
  'PreconditionFailed',
];
const TIMES = [1, 3, 50] as const;
const OUTCOMES = ['REMEDIATED', 'FAILED', 'ROLLED_BACK', 'ESCALATED', 'NO_ACTION_NEEDED', 'REJECTED'];
/** The writes that make the fix: refused, the run fails and restores what it changed. */
const FIX_WRITES = new Set([
  'PutBucketPolicy',
  'PutKeyPolicy',
  'CreateOriginAccessControl',
  'UpdateDistribution',
  'PutBucketOwnershipControls',
]);

interface Injected {
  api: string;
  kind: FaultError;
  times: number;
  /** calls of `api` answered normally before the fault starts */
  skip: number;
}

interface Run {
  report: Report;
  world: World;
  /** APIs called while a rollback step ran, with the index of their first such call */
  rollbackCalls: Map<string, number>;
}

let stack: SynthesizedStack;
beforeAll(async () => {
  stack = await synthesizedStack();
});

/** Faulted runs, by outcome, for the summary line. */
const tally = new Map<string, number>();
afterAll(() => {
  const total = [...tally.values()].reduce((a, b) => a + b, 0);
  console.log(`fault matrix: ${total} faulted runs, ${[...tally].map(([o, n]) => `${o} ${n}`).join(', ')}`);
});

/** Runs the synthesized workflow in-process; faults start after `skip` calls of their API. */
async function run(sc: Scenario, faults: readonly Injected[] = []): Promise<Run> {
  const world = new World(sc);
  const answer = world.call.bind(world);
  const seen = new Map<string, number>();
  const left = faults.map((f) => f.times);
  const rollbackCalls = new Map<string, number>();
  let inRollback = false;
  world.call = async (service, api, input, context) => {
    const n = seen.get(api) ?? 0;
    seen.set(api, n + 1);
    if (inRollback && !rollbackCalls.has(api)) rollbackCalls.set(api, n);
    const i = faults.findIndex((f, k) => f.api === api && n >= f.skip && (left[k] ?? 0) > 0);
    const fault = faults[i];
    if (fault) {
      left[i] = (left[i] ?? 0) - 1;
      throw faultError(service as ServiceName, fault.kind);
    }
    return answer(service, api, input, context);
  };
  const rollbackStep = STEP_RUNS.rollback;
  STEP_RUNS.rollback = async (input, deps) => {
    inRollback = true;
    try {
      return await rollbackStep(input, deps);
    } finally {
      inRollback = false;
    }
  };
  try {
    const workflow = new LocalWorkflow(world, stack);
    const result = await workflow.execute(defaultAlarmEvent(sc), `sim-${sc.name}`, 'approve');
    return { report: buildReport(sc, world, result), world, rollbackCalls };
  } finally {
    STEP_RUNS.rollback = rollbackStep;
  }
}

/** What a remediation may touch, keyed by resource; created OACs by name (their ids depend on call order). */
function account(s: Scenario): Map<string, string> {
  const oacName = new Map(
    (s.cloudfront.originAccessControls ?? []).map((o) => [o.Id, o.OriginAccessControlConfig.Name]),
  );
  const text = (v: unknown) =>
    JSON.stringify(v ?? null, (k, x: unknown) =>
      k === 'OriginAccessControlId' && typeof x === 'string' && x ? `oac-named:${oacName.get(x) ?? x}` : x,
    );
  const out = new Map<string, string>();
  for (const d of s.cloudfront.distributions) out.set(`distribution ${d.Id}`, text(d.DistributionConfig));
  for (const o of s.cloudfront.originAccessControls ?? [])
    out.set(`oac ${o.OriginAccessControlConfig.Name} ${o.Id}`, text(o.OriginAccessControlConfig));
  for (const b of s.s3.buckets) {
    out.set(`bucket-policy ${b.Name}`, text(b.Policy));
    out.set(`ownership ${b.Name}`, text(b.OwnershipControls));
    out.set(`public-access-block ${b.Name}`, text(b.PublicAccessBlockConfiguration));
  }
  out.set('account-public-access-block', text(s.s3.accountPublicAccessBlock));
  for (const k of s.kms?.keys ?? []) out.set(`key-policy ${k.KeyId}`, text(k.Policy));
  return out;
}

/** Resources that differ, as `kind name [id]`; an OAC that exists on one side only is listed once. */
function differences(a: Map<string, string>, b: Map<string, string>, byName = false): string[] {
  const key = (k: string) => (byName && k.startsWith('oac ') ? k.split(' ').slice(0, 2).join(' ') : k);
  const left = new Map([...a].map(([k, v]) => [key(k), { k, v }]));
  const right = new Map([...b].map(([k, v]) => [key(k), { k, v }]));
  const out: string[] = [];
  for (const k of new Set([...left.keys(), ...right.keys()])) {
    if (left.get(k)?.v !== right.get(k)?.v) out.push(right.get(k)?.k ?? left.get(k)?.k ?? k);
  }
  return out.sort();
}

interface Expectations {
  /** the outcome of the same scenario without faults */
  clean: Run;
  /** the account before the run */
  initial: Map<string, string>;
}

const transient = (f: Injected) =>
  (f.kind === 'ThrottlingException' || f.kind === 'ServiceUnavailable') && f.times <= 3;

function label(sc: Scenario, faults: readonly Injected[]): string {
  return `${sc.name}: ${faults.map((f) => `${f.api} ${f.kind} x${f.times}${f.skip ? ` after ${f.skip}` : ''}`).join(' + ')}`;
}

/** The invariants every faulted run keeps. */
function check(sc: Scenario, faults: readonly Injected[], run: Run, exp: Expectations): void {
  const { report } = run;
  tally.set(report.outcome, (tally.get(report.outcome) ?? 0) + 1);
  const what = label(sc, faults);
  expect(OUTCOMES, what).toContain(report.outcome);
  // The --json report is one JSON document.
  expect(() => JSON.parse(JSON.stringify(report)), what).not.toThrow();
  if (report.outcome === 'FAILED')
    expect(report.error?.cause, `${what}: a failure names its error`).toBeTruthy();

  const after = account(report.world);
  if (report.outcome === 'REMEDIATED') {
    // The fix is in place exactly as a clean run makes it, and nothing else changed.
    expect(differences(account(exp.clean.report.world), after, true), what).toEqual([]);
  } else {
    const changed = differences(exp.initial, after);
    if (changed.length > 0) {
      // Only a rollback that was itself refused may leave something behind, and it says what.
      expect(report.outcome, `${what}: changed ${changed.join(', ')}`).toBe('FAILED');
      const cause = report.error?.cause ?? '';
      expect(cause, what).toMatch(/rollback incomplete/);
      // `kind name [id]`: the name or the id will do (a created OAC's id is unknown when nothing can be read)
      for (const c of changed) {
        const names = c.split(' ').slice(1);
        expect(
          names.some((n) => cause.includes(n)),
          `${what}: ${c} is not named in ${cause}`,
        ).toBe(true);
      }
    }
  }
}

const MATRIX = [
  'origin-access-missing',
  'default-root-object-missing',
  'kms-access-denied',
  'rollback-hidden-deny',
];

describe.each(MATRIX)('fault matrix on %s', (name) => {
  const sc = scenario(name);
  let clean: Run;
  let apis: string[] = [];
  beforeAll(async () => {
    clean = await run(sc);
    apis = [...new Set(clean.world.calls.map((c) => c.api))];
  });

  it('runs clean to its expected outcome, calling the APIs the matrix covers', () => {
    expect(clean.report.outcome).toBe(sc.expect?.outcome);
    for (const api of ['GetDistribution', 'GetBucketPolicy', 'PutObject', 'GetObject', 'PutItem', 'Publish'])
      expect(apis).toContain(api);
    expect(apis.some((a) => FIX_WRITES.has(a))).toBe(true);
  });

  it.each(KINDS)('every API answering %s 1, 3 or 50 times', async (kind) => {
    const exp = { clean, initial: account(sc) };
    let cases = 0;
    for (const api of apis) {
      for (const times of TIMES) {
        const fault: Injected = { api, kind, times, skip: 0 };
        const r = await run(sc, [fault]);
        check(sc, [fault], r, exp);
        const what = label(sc, [fault]);
        // Throttling and 5xx are retried until they pass.
        if (transient(fault)) expect(r.report.outcome, what).toBe(clean.report.outcome);
        // A stale ETag is read again and the edit re-applied.
        if (kind === 'PreconditionFailed' && api === 'UpdateDistribution' && times <= 3)
          expect(r.report.outcome, what).toBe(clean.report.outcome);
        // A notification that cannot be sent never changes the outcome.
        if (api === 'Publish') expect(r.report.outcome, what).toBe(clean.report.outcome);
        // A refused write of the fix fails the run, and everything it changed is restored.
        if (kind === 'AccessDenied' && FIX_WRITES.has(api) && clean.report.outcome === 'REMEDIATED') {
          expect(r.report.outcome, what).toBe('FAILED');
          expect(differences(exp.initial, account(r.report.world)), what).toEqual([]);
        }
        cases++;
      }
    }
    expect(cases).toBe(apis.length * TIMES.length);
  });
});

describe('faults inside the rollback', () => {
  /** A failure after the fix is applied (the invalidation is refused for good), so the rollback must run. */
  const breakAfterApply: Injected = { api: 'CreateInvalidation', kind: 'AccessDenied', times: 50, skip: 0 };
  const cases: [string, Injected[]][] = [
    ['rollback-hidden-deny', []],
    ['origin-access-missing', [breakAfterApply]],
    ['kms-access-denied', [breakAfterApply]],
  ];

  it.each(cases)('%s: every API the rollback calls, faulted while it runs', async (name, setup) => {
    const sc = scenario(name);
    const baseline = await run(sc, setup);
    const exp = { clean: baseline, initial: account(sc) };
    // The baseline rolls back completely.
    expect(['ROLLED_BACK', 'FAILED']).toContain(baseline.report.outcome);
    expect(differences(exp.initial, account(baseline.report.world))).toEqual([]);
    expect(baseline.report.rollback?.restored.length ?? 0).toBeGreaterThan(0);
    expect(baseline.rollbackCalls.size).toBeGreaterThan(0);
    for (const [api, skip] of baseline.rollbackCalls) {
      for (const kind of KINDS) {
        for (const times of TIMES) {
          const fault: Injected = { api, kind, times, skip };
          const faults = [...setup, fault];
          const r = await run(sc, faults);
          check(sc, faults, r, exp);
          const what = label(sc, faults);
          // Throttling during the rollback is retried: everything is restored.
          if (transient(fault)) {
            expect(differences(exp.initial, account(r.report.world)), what).toEqual([]);
            expect(r.report.outcome, what).toBe(baseline.report.outcome);
          }
        }
      }
    }
  });

  it('says which resource is not back when a restore is refused, and restores every other one', async () => {
    const sc = scenario('rollback-hidden-deny');
    const baseline = await run(sc);
    const skip = baseline.rollbackCalls.get('PutBucketPolicy');
    expect(skip).toBeDefined();
    const r = await run(sc, [{ api: 'PutBucketPolicy', kind: 'AccessDenied', times: 50, skip: skip ?? 0 }]);
    expect(r.report.outcome).toBe('FAILED');
    expect(r.report.error?.error).toBe('RollbackIncompleteError');
    expect(r.report.error?.cause).toMatch(/could not restore bucket example-site policy: PutBucketPolicy/);
    expect(differences(account(sc), account(r.report.world))).toEqual(['bucket-policy example-site']);
    expect(r.report.notifications.at(-1)?.message).toMatch(/rollback incomplete/);
  });

  it('deletes an OAC whose snapshot could not be written before the step failed', async () => {
    const sc = scenario('origin-access-missing');
    const baseline = await run(sc, [breakAfterApply]);
    // The artifact write right after CreateOriginAccessControl: the OAC exists, its snapshot does not.
    const create = baseline.world.calls.findIndex((c) => c.api === 'CreateOriginAccessControl');
    const putsBefore = baseline.world.calls.slice(0, create).filter((c) => c.api === 'PutObject').length;
    const r = await run(sc, [
      breakAfterApply,
      { api: 'PutObject', kind: 'AccessDenied', times: 50, skip: putsBefore },
    ]);
    expect(r.report.outcome).toBe('FAILED');
    expect(r.world.calls.some((c) => c.api === 'CreateOriginAccessControl' && c.ok)).toBe(true);
    expect(differences(account(sc), account(r.report.world))).toEqual([]);
  });
});

describe('faults that must not change a repaired site', () => {
  it.each([
    ['Publish', 'AccessDenied'],
    ['DeleteItem', 'AccessDenied'],
  ] as const)('%s %s after the fix: still REMEDIATED, the failure recorded', async (api, kind) => {
    const sc = scenario('default-root-object-missing');
    const r = await run(sc, [{ api, kind, times: 50, skip: 0 }]);
    expect(r.report.outcome).toBe('REMEDIATED');
    expect(r.report.notifyError?.cause).toMatch(api === 'Publish' ? /Publish/ : /release lock/);
    expect(r.report.states.at(-1)?.name).toBe('Done');
  });
});

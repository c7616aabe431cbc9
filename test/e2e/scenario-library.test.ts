// Runs every scenario of the library (and the shared examples) through the synthesized workflow and
// reports diagnosis accuracy. Each scenario is its own test, so a regression names the scenario.
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizedDefinition } from '../../sim/runner/definition.ts';
import { simulate } from '../../sim/runner/simulate.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { accountState, SCENARIO_DIR, SHARED_DIR, scenarioFiles } from './helpers.ts';

const files = [...scenarioFiles(SCENARIO_DIR), ...scenarioFiles(SHARED_DIR)];
const results: { name: string; firstCauseOk: boolean; outcomeOk: boolean }[] = [];

/** Which resources a world differs in, as `kind:id` strings (ETag and deployment status aside). */
function changedResources(before: Scenario, after: Scenario): string[] {
  const a = accountState(before);
  const b = accountState(after);
  const out: string[] = [];
  for (const d of b.distributions) {
    const old = a.distributions.find((x) => x.Id === d.Id);
    if (JSON.stringify(old?.DistributionConfig) !== JSON.stringify(d.DistributionConfig))
      out.push(`distribution:${d.Id}`);
  }
  for (const bucket of b.buckets) {
    const old = a.buckets.find((x) => x.Name === bucket.Name);
    if (old?.Policy !== bucket.Policy) out.push(`bucket-policy:${bucket.Name}`);
    if (JSON.stringify(old?.OwnershipControls) !== JSON.stringify(bucket.OwnershipControls))
      out.push(`ownership:${bucket.Name}`);
    if (JSON.stringify(old?.PAB) !== JSON.stringify(bucket.PAB))
      out.push(`public-access-block:${bucket.Name}`);
  }
  if (b.oacs.length !== a.oacs.length) out.push('oac');
  for (const k of b.kms) {
    const old = a.kms.find((x) => x.KeyId === k.KeyId);
    if (old?.Policy !== k.Policy) out.push(`key-policy:${k.KeyId}`);
  }
  const names = new Set([...a.functions, ...b.functions].map((f) => f.Name));
  for (const name of names) {
    const was = a.functions.find((f) => f.Name === name);
    const now = b.functions.find((f) => f.Name === name);
    if (was?.FunctionCode !== now?.FunctionCode) out.push(`function:${name}`);
  }
  for (const f of b.lambdaPolicies) {
    const old = a.lambdaPolicies.find((x) => x.FunctionArn === f.FunctionArn);
    if (old?.Policy !== f.Policy) out.push(`lambda-policy:${f.FunctionArn}`);
  }
  return out.sort();
}

describe('scenario library', () => {
  it('has a scenario for every cause of the catalog, and healthy ones', async () => {
    const { CAUSE_IDS } = await import('../../functions/domain/types.ts');
    const expected = new Set(files.flatMap((f) => loadScenario(f).expect?.causes.slice(0, 1) ?? []));
    expect(CAUSE_IDS.filter((id) => !expected.has(id))).toEqual([]);
    expect(
      files.filter((f) => loadScenario(f).expect?.outcome === 'NO_ACTION_NEEDED').length,
    ).toBeGreaterThanOrEqual(2);
  });

  it.each(files.map((f) => [f.split('/').slice(-2).join('/'), f]))('%s', async (_name, file) => {
    const sc = loadScenario(file);
    const expectBlock = sc.expect;
    expect(expectBlock, `${file} has no expect block`).toBeDefined();
    if (!expectBlock) return;
    await synthesizedDefinition();
    const report = await simulate(sc, { decision: 'approve' });
    const ids = report.causes.map((c) => c.id);
    const firstCauseOk =
      expectBlock.causes.length === 0 ? ids.length === 0 : ids[0] === expectBlock.causes[0];
    const outcomeOk = report.outcome === expectBlock.outcome;
    results.push({ name: sc.name, firstCauseOk, outcomeOk });
    expect({ outcome: report.outcome, first: ids[0] ?? null }).toEqual({
      outcome: expectBlock.outcome,
      first: expectBlock.causes[0] ?? null,
    });
    // Every cause the scenario lists must be found (the order beyond the first is the classifier's).
    for (const id of expectBlock.causes) expect(ids).toContain(id);

    const changed = changedResources(sc, report.world);
    if (report.outcome === 'REMEDIATED') {
      // Nothing changed beyond what the applied actions target; Block Public Access is never touched.
      const targets = new Set(report.actions.filter((x) => x.applied).flatMap((a) => a.targets));
      for (const c of changed)
        expect([...targets], `${c} changed without an action that targets it`).toContain(c);
      expect(changed.some((c) => c.startsWith('public-access-block:'))).toBe(false);
    } else {
      // Every other outcome leaves the account as it was.
      expect(changed).toEqual([]);
    }
  });

  afterAll(() => {
    const n = results.length;
    const first = results.filter((r) => r.firstCauseOk).length;
    const both = results.filter((r) => r.firstCauseOk && r.outcomeOk).length;
    const pct = (x: number) => (n ? ((100 * x) / n).toFixed(1) : '0');
    console.log(
      `scenario accuracy: first cause ${first}/${n} (${pct(first)}%), cause and outcome ${both}/${n} (${pct(both)}%)`,
    );
  });
});

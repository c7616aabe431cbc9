import { buildReport, defaultAlarmEvent, LocalWorkflow } from './sim/runner/simulate.ts';
import { synthesizedStack } from './sim/runner/definition.ts';
import { loadScenario } from './sim/scenario/load.ts';
import { World } from './sim/world/index.ts';
const names = process.argv.slice(2);
const mode = process.env.ENFORCE ?? 'none';
const enforce = mode === 'all' ? {} : mode === 'iam' ? { model: false } : mode === 'model' ? { iam: false } : { model: false, iam: false };
const deployment = await synthesizedStack();
for (const n of names) {
  const sc = loadScenario(n.includes('/') ? n : `test/scenarios/${n}.json`);
  const t = Date.now();
  try {
    const world = new World(sc, { enforce });
    const wf = new LocalWorkflow(world, deployment, process.env.LOG ?? 'SILENT');
    const result = await wf.execute(defaultAlarmEvent(sc), `sim-${sc.name}`.slice(0, 80), 'approve');
    const r = buildReport(sc, world, result);
    const ok = r.outcome === sc.expect?.outcome && (r.causes[0]?.id ?? null) === (sc.expect?.causes[0] ?? null) && (sc.expect?.causes ?? []).every((c) => r.causes.some((x) => x.id === c));
    console.log(ok ? 'OK  ' : 'FAIL', n, r.outcome, r.causes.map((c) => c.id).join(','), '| expect', sc.expect?.outcome, sc.expect?.causes.join(','), `${Date.now() - t}ms`);
    if (process.env.V) console.log(JSON.stringify({ verification: r.verification, unreproducible: r.unreproducible, accessLogs: r.accessLogs, actions: r.actions.map((a) => [a.id, a.applied, a.calls]) }, null, 1).slice(0, 4000));
    if (r.error) console.log('  error', JSON.stringify(r.error).slice(0, 600));
    if (world.refusals.length) console.log('  refusals', JSON.stringify(world.refusals).slice(0, 1500));
  } catch (e) { console.log('ERR ', n, (e as Error).stack?.slice(0, 800)); }
}

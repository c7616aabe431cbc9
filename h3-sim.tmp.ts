import { simulate } from './sim/runner/simulate.ts';
import { loadScenario } from './sim/scenario/load.ts';
for (const n of process.argv.slice(2)) {
  const sc = loadScenario(`test/scenarios/${n}.json`);
  const r = await simulate(sc, { decision: 'approve' });
  console.log(n, r.outcome, r.causes.map((c) => c.id).join(','), r.error ? JSON.stringify(r.error).slice(0, 300) : '');
}

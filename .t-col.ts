import { benchCollect, COLLECT_SCENARIOS } from './bench/collect.ts';
import { loadScenario } from './sim/scenario/load.ts';
const r = await benchCollect(COLLECT_SCENARIOS.map(n => loadScenario(`test/scenarios/${n}.json`)), 3);
console.table(r);

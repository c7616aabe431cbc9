import { loadScenario } from './sim/scenario/load.ts';
import { World } from './sim/world/index.ts';
const sc = loadScenario('test/scenarios/origin-access-missing-busy-log-prefix.json');
new World(sc);
const t = performance.now(); for (let i = 0; i < 3; i++) new World(sc); console.log(((performance.now() - t) / 3).toFixed(0), 'ms per world');

// Prints every operation the simulated World answers, by service, as the JSON generate.py reads
// (tools/aws-models/operations.json). Run: npx tsx tools/aws-models/operations.ts > tools/aws-models/operations.json
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../../sim/scenario/load.ts';
import { World } from '../../sim/world/world.ts';

// any scenario will do: the handler table does not depend on the account's contents
const scenario = loadScenario(
  fileURLToPath(new URL('../../sim/demo/origin-access-missing.json', import.meta.url)),
);
process.stdout.write(`${JSON.stringify(new World(scenario).operations(), null, 2)}\n`);

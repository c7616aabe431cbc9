// @cf403/simulator: the simulated AWS account (scenario loader, in-memory world, edge model) and the local runner
// of the synthesized state machine. Its own package because it judges IAM with the AGPL-3.0
// @cloud-copilot/iam-simulate: the cf403 library and its Lambda bundles never depend on it, and the CLI loads it
// (cli/simulator.ts) only for the commands that run a simulated account.
import { fileURLToPath } from 'node:url';

/** The scenario `cf403 simulate` runs without one: a site whose origin lost its OAC. */
export const DEMO_SCENARIO = fileURLToPath(new URL('./demo/origin-access-missing.json', import.meta.url));

export { EdgeProber } from './runner/ports.ts';
export { type Decision, type Report, simulate, simulatedClients } from './runner/simulate.ts';
export { loadScenario } from './scenario/load.ts';
export type { Scenario } from './scenario/types.ts';
export { ScenarioError } from './scenario/validate.ts';
export { type ServiceName, World } from './world/index.ts';

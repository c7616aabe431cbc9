// The simulated account is its own package, @cf403/simulator (sim/, an npm workspace of this repository), because
// it judges IAM with the AGPL-3.0 @cloud-copilot/iam-simulate. The cf403 package never depends on it: the CLI
// imports it only when a command runs a simulated account (`simulate`, `--scenario`), so `diagnose` and `scan`
// against AWS never load AGPL code, and a cf403 installed without the simulator says what to install.
import type * as SimulatorModule from '@cf403/simulator';
import { CliError, EXIT } from './exit.ts';

export type Simulator = typeof SimulatorModule;

export const SIMULATOR_PACKAGE = '@cf403/simulator';

/** The simulator package is not installed next to this cf403. */
export class SimulatorMissingError extends CliError {
  override name = 'SimulatorMissingError';
}

function isMissing(err: unknown, specifier: string): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    typeof e.message === 'string' &&
    e.message.includes(specifier)
  );
}

/** Loads @cf403/simulator; `importer` stands in for `import()` in tests. */
export async function loadSimulator(
  importer: (specifier: string) => Promise<unknown> = (s) => import(s),
): Promise<Simulator> {
  try {
    return (await importer(SIMULATOR_PACKAGE)) as Simulator;
  } catch (cause) {
    if (!isMissing(cause, SIMULATOR_PACKAGE)) throw cause;
    throw new SimulatorMissingError(
      `this command runs a simulated account, which needs the ${SIMULATOR_PACKAGE} package (AGPL-3.0-or-later, ` +
        `the sim/ workspace of the cf403 repository): run it from a clone after \`npm ci\``,
      EXIT.USAGE,
      { cause },
    );
  }
}

// The CLI reaches the simulated account (an AGPL package) only through loadSimulator, on demand.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../../cli/exit.ts';
import { main } from '../../../cli/main.ts';
import { loadSimulator, SIMULATOR_PACKAGE, SimulatorMissingError } from '../../../cli/simulator.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function notFound(specifier: string): Error {
  return Object.assign(new Error(`Cannot find package '${specifier}' imported from /x/cli/simulator.js`), {
    code: 'ERR_MODULE_NOT_FOUND',
  });
}

describe('loadSimulator', () => {
  it('loads the workspace package with the simulator and the demo scenario', async () => {
    const sim = await loadSimulator();
    expect(typeof sim.simulate).toBe('function');
    expect(sim.loadScenario(sim.DEMO_SCENARIO).name).toMatch(/\S/);
  });

  it('a cf403 without the simulator says what to install, as a usage error (exit 2)', async () => {
    const err = await loadSimulator(async (s) => {
      throw notFound(s);
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SimulatorMissingError);
    expect((err as SimulatorMissingError).exitCode).toBe(EXIT.USAGE);
    expect((err as Error).message).toContain(SIMULATOR_PACKAGE);
    expect((err as Error).cause).toBeInstanceOf(Error);
  });

  it('a missing module other than the simulator, or any other failure, is not disguised', async () => {
    const other = notFound('@cloud-copilot/iam-simulate');
    await expect(loadSimulator(async () => Promise.reject(other))).rejects.toBe(other);
    const broken = new SyntaxError('Unexpected token');
    await expect(loadSimulator(async () => Promise.reject(broken))).rejects.toBe(broken);
  });

  it('`cf403 simulate` without the simulator exits 2 and names the package', async () => {
    let stderr = '';
    const code = await main(['simulate', '--approve'], {
      simulator: () =>
        loadSimulator(async (s) => {
          throw notFound(s);
        }),
      stderr: { write: (t: string) => (stderr += t), isTTY: false },
    });
    expect(code).toBe(EXIT.USAGE);
    expect(stderr).toContain(SIMULATOR_PACKAGE);
  });

  it.each(['diagnose', 'scan'])(
    '`cf403 %s --scenario` refuses an organization, naming its accounts',
    async (command) => {
      let stderr = '';
      const code = await main([command, '--scenario', join(ROOT, 'test/scenarios/hub-two-members.json')], {
        stderr: { write: (t: string) => (stderr += t), isTTY: false },
        stdout: { write: () => true },
      });
      expect(code).toBe(EXIT.USAGE);
      expect(stderr).toMatch(/is an organization of 3 accounts \(111122223333, 222233334444, 333344445555\)/);
    },
  );

  it('no CLI module imports simulator code other than as types', () => {
    const files = readdirSync(join(ROOT, 'cli')).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(5);
    const offenders = files.flatMap((f) => {
      const source = readFileSync(join(ROOT, 'cli', f), 'utf8');
      return [...source.matchAll(/^import (?!type )[^;]*?from '([^']+)'/gms)]
        .map((m) => m[1] ?? '')
        .filter(
          (s) => s.includes('/sim/') || s.startsWith('@cf403/simulator') || s.startsWith('@cloud-copilot/'),
        )
        .map((s) => `${f}: ${s}`);
    });
    expect(offenders).toEqual([]);
  });
});

// `cf403 pending --table`: the reconciled state of the approvals, through the CLI, while a workflow waits.
import { describe, expect, it } from 'vitest';
import { main } from '../../cli/main.ts';
import { synthesizedStack } from '../../sim/runner/definition.ts';
import { defaultAlarmEvent, LocalWorkflow, SIM_TABLE, simulatedClients } from '../../sim/runner/simulate.ts';
import { World } from '../../sim/world/index.ts';
import { scenario } from './helpers.ts';

async function cli(world: World, args: string[]) {
  const out: string[] = [];
  const code = await main(args, {
    awsClients: async () => simulatedClients(world, { step: 'cli' }),
    stdout: { write: (s: string) => out.push(s) },
    stderr: { isTTY: false, write: () => undefined },
    env: {},
  });
  return { code, stdout: out.join('') };
}

describe('cf403 pending --table', () => {
  it('shows an approval waiting, then decided but not relayed (its event lost), never the token', async () => {
    const sc = scenario('origin-access-missing');
    const world = new World(sc);
    const wf = new LocalWorkflow(world, await synthesizedStack());
    const seen: string[] = [];
    await wf.execute(defaultAlarmEvent(sc), 'cli-pending', async (ctx) => {
      seen.push((await cli(world, ['pending', '--table', SIM_TABLE])).stdout);
      await ctx.signal('Approve');
      ctx.loseEvents();
      seen.push((await cli(world, ['pending', '--table', SIM_TABLE])).stdout);
      const rows = JSON.parse((await cli(world, ['pending', '--table', SIM_TABLE, '--json'])).stdout);
      seen.push(JSON.stringify(rows));
    });
    expect(seen[0]).toMatch(/^cli-pending {2}E2QWRUHEXAMPLE {2}Waiting: waiting for approvers {2}since /);
    expect(seen[1]).toMatch(
      /^cli-pending {2}E2QWRUHEXAMPLE {2}Success: decided \(Success\), not relayed yet: the sweep delivers it/,
    );
    expect(JSON.parse(seen[2] ?? '[]')).toEqual([
      expect.objectContaining({
        recorded: true,
        automationStatus: 'Success',
        distributionId: 'E2QWRUHEXAMPLE',
      }),
    ]);
    for (const text of seen) expect(text).not.toMatch(/sim-task-token/);
    // after the sweep relayed it, nothing is left
    expect((await cli(world, ['pending', '--table', SIM_TABLE])).stdout).toBe(
      'No remediation is waiting for approval, and no approval is left to reconcile.\n',
    );
  });
});

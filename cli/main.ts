// The cf403 command line.
import type { Decision } from '@cf403/simulator';
import { Command, CommanderError } from 'commander';
import { registerApprovals } from './approvals.ts';
import { type CliDeps, defaultDeps, newRun } from './context.ts';
import { registerDiagnose } from './diagnose.ts';
import { EXIT_TABLE, UsageError } from './exit.ts';
import { explainFailure } from './failure.ts';
import { registerScan } from './scan.ts';
import { timeline } from './timeline.ts';

function ignoreEpipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

const LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT'];

type DecisionFlags = { approve?: boolean; reject?: boolean; timeout?: boolean };

function checkDecisionFlags(opts: DecisionFlags): void {
  const given = (['approve', 'reject', 'timeout'] as const).filter((d) => opts[d]);
  if (given.length > 1)
    throw new UsageError(
      `${given.map((d) => `--${d}`).join(' and ')} cannot be used together: choose one decision`,
    );
}

async function decisionFor(opts: DecisionFlags): Promise<Decision> {
  if (opts.timeout) return 'timeout';
  if (opts.approve) return 'approve';
  if (opts.reject) return 'reject';
  if (!process.stdin.isTTY) return 'reject';
  const { createInterface } = await import('node:readline/promises');
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  let answer = '';
  try {
    answer = await rl.question('Approve the planned changes if one is needed? [y/N] ');
  } catch {
    // input closed (Ctrl-D): no answer is a rejection
  } finally {
    rl.close();
  }
  return /^y(es)?$/i.test(answer.trim()) ? 'approve' : 'reject';
}

/** Runs the command line; resolves to the exit code (docs/cli.md, "Exit codes"). */
export async function main(argv: string[], overrides: Partial<CliDeps> = {}): Promise<number> {
  const program = new Command('cf403')
    .description('Repairs CloudFront 403 outages; diagnoses and scans real or simulated accounts')
    .exitOverride();
  const deps: CliDeps = { ...defaultDeps(), ...overrides };
  program.addHelpText(
    'after',
    `\nExit codes (every command):\n${EXIT_TABLE.map((e) => `  ${e.code}  ${e.meaning.replace(/`/g, '')}`).join('\n')}\n`,
  );
  program.configureOutput({ writeOut: (s) => deps.stdout.write(s), writeErr: (s) => deps.stderr.write(s) });
  const run = newRun();
  // `cf403 simulate --json | head`: a reader that stops early is not an error of ours.
  if (!process.stdout.listeners('error').includes(ignoreEpipe)) process.stdout.on('error', ignoreEpipe);

  program
    .command('simulate')
    .description('run the synthesized state machine locally on a scenario')
    .argument(
      '[scenario]',
      'scenario JSON file (default: the embedded demo, a site whose origin lost its OAC)',
    )
    .option('--approve', 'approve the manual-approval step')
    .option('--reject', 'reject the manual-approval step')
    .option('--timeout', 'let the approval time out')
    .option('--json', 'print the JSON report only')
    .option('--log-level <level>', 'handler log level (to stderr)', 'SILENT')
    .action(
      async (
        file: string | undefined,
        opts: { approve?: boolean; reject?: boolean; timeout?: boolean; json?: boolean; logLevel: string },
      ) => {
        const logLevel = opts.logLevel.toUpperCase();
        if (!LOG_LEVELS.includes(logLevel))
          throw new UsageError(`--log-level ${opts.logLevel}: expected one of ${LOG_LEVELS.join(', ')}`);
        checkDecisionFlags(opts);
        // Everything about the input is checked before anything runs (or any question is asked).
        const sim = await deps.simulator();
        const scenario = sim.loadScenario(file ?? sim.DEMO_SCENARIO);
        const decision = await decisionFor(opts);
        const report = await sim.simulate(scenario, { decision, logLevel });
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${timeline(report, scenario.description)}\n`,
        );
      },
    );

  registerDiagnose(program, run, deps);
  registerScan(program, run, deps);
  registerApprovals(program, run, deps);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return run.exitCode;
  } catch (err) {
    const { command, target, account, calls } = run;
    const { exitCode, message } = explainFailure(err, {
      command: command || 'simulate',
      target,
      account,
      calls,
      namer: deps.namer,
    });
    // commander has already printed its own usage message
    if (!(err instanceof CommanderError)) deps.stderr.write(`cf403: ${message}\n`);
    return exitCode;
  }
}

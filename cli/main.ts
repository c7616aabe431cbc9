// The cf403 command line.
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { ApprovalNotFoundError } from '../functions/adapters/approvals.ts';
import { createAwsClients } from '../functions/adapters/clients.ts';
import { FetchProber } from '../functions/adapters/prober.ts';
import { DistributionNotFoundError } from '../functions/errors.ts';
import { type Decision, simulate } from '../sim/runner/simulate.ts';
import { loadScenario } from '../sim/scenario/load.ts';
import { ScenarioError } from '../sim/scenario/validate.ts';
import { registerApprovals } from './approvals.ts';
import { InvalidUrlError, registerDiagnose } from './diagnose.ts';
import { registerScan } from './scan.ts';
import { timeline } from './timeline.ts';

const DEMO_SCENARIO = fileURLToPath(new URL('../sim/demo/origin-access-missing.json', import.meta.url));

class UsageError extends Error {
  override name = 'UsageError';
}

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

export async function main(argv: string[]): Promise<number> {
  const program = new Command('cf403')
    .description('Repairs CloudFront 403 outages; runs the remediation workflow on a simulated account')
    .exitOverride()
    .configureOutput({ writeOut: (s) => process.stdout.write(s), writeErr: (s) => process.stderr.write(s) });
  let code = 0;
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
        const scenario = loadScenario(file ?? DEMO_SCENARIO);
        const decision = await decisionFor(opts);
        const report = await simulate(scenario, { decision, logLevel });
        process.stdout.write(
          opts.json ? `${JSON.stringify(report, null, 2)}\n` : `${timeline(report, scenario.description)}\n`,
        );
      },
    );

  registerDiagnose(program, async () => ({
    clients: (region) => createAwsClients(region),
    prober: new FetchProber(10_000),
  }));

  registerApprovals(program, async (region) => (await createAwsClients(region, ['ssm'])).ssm);
  registerScan(program);

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    if (err instanceof CommanderError) {
      code = err.exitCode === 0 ? 0 : 2;
    } else if (
      err instanceof ScenarioError ||
      err instanceof UsageError ||
      err instanceof InvalidUrlError ||
      err instanceof ApprovalNotFoundError ||
      err instanceof DistributionNotFoundError
    ) {
      process.stderr.write(`cf403: ${err.message}\n`);
      code = 2;
    } else {
      process.stderr.write(
        `cf403: internal error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
      );
      code = 1;
    }
  }
  return code;
}

// What every command shares: the AWS options, where clients come from, and the run's state for the error report.

import type { Scenario, World } from '@cf403/simulator';
import type { Command } from 'commander';
import type { AwsClients, ClientName } from '../functions/adapters/clients.ts';
import { FetchProber, type Prober } from '../functions/adapters/prober.ts';
import { type AwsFlags, type AwsTarget, realClients } from './aws.ts';
import { EXIT, type ExitCode, UsageError } from './exit.ts';
import { iamNamer } from './iam.ts';
import type { TtyLike } from './progress.ts';
import type { RecordedCall } from './recorder.ts';
import type { IamNamer } from './refusals.ts';
import { loadSimulator, type Simulator } from './simulator.ts';

export interface CliDeps {
  /** real clients for the resolved profile, region and endpoint */
  awsClients: (target: AwsTarget, names: readonly ClientName[]) => Promise<AwsClients>;
  /** clients answered by a simulated account (`--scenario`) */
  scenarioClients: (world: World) => Promise<AwsClients>;
  /** the simulated account's package, loaded on first use (`simulate`, `--scenario`) */
  simulator: () => Promise<Simulator>;
  /** live HTTP probes (`diagnose` against a real account) */
  prober: () => Prober;
  namer: IamNamer;
  /** where reports go */
  stdout: { write(text: string): unknown };
  /** where messages and progress go (progress only when it is a terminal) */
  stderr: TtyLike;
  /** the environment the AWS settings are read from */
  env: Readonly<Record<string, string | undefined>>;
}

/** The clients `diagnose` and `scan` read with: the collector's. */
export const READ_CLIENTS: readonly ClientName[] = [
  'cloudfront',
  's3',
  's3control',
  'kms',
  'wafv2',
  'lambda',
];

export function defaultDeps(): CliDeps {
  return {
    awsClients: realClients,
    scenarioClients: async (world) => (await loadSimulator()).simulatedClients(world),
    simulator: () => loadSimulator(),
    prober: () => new FetchProber(10_000),
    namer: iamNamer,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  };
}

/** One command's run: what the error report needs to explain a failure. */
export interface Run {
  command: string;
  exitCode: ExitCode;
  target?: AwsTarget;
  /** the account, when known before any call (a simulated one) */
  account?: string;
  calls: RecordedCall[];
}

export function newRun(): Run {
  return { command: '', exitCode: EXIT.DONE, calls: [] };
}

export interface AwsOptionFlags extends AwsFlags {
  scenario?: string;
}

export function awsOptions(command: Command): Command {
  return command
    .option(
      '--profile <name>',
      'named profile of ~/.aws/config (default: AWS_PROFILE, else the default chain)',
    )
    .option('--region <region>', 'region (default: AWS_REGION, AWS_DEFAULT_REGION, then the profile)')
    .option(
      '--endpoint-url <url>',
      'send every AWS call to this endpoint (default: AWS_ENDPOINT_URL[_<SERVICE>])',
    );
}

/**
 * `--role-arn` for the read-only commands (`diagnose`, `scan`): read another account of the organization
 * through a role there, assumed with the caller's own credentials (issue 15).
 */
export function roleOption(command: Command): Command {
  return command.option(
    '--role-arn <arn>',
    'read another account through this IAM role, assumed with your credentials (session cf403-cli-<command>)',
  );
}

const FLAG_NAMES = {
  profile: '--profile',
  region: '--region',
  endpointUrl: '--endpoint-url',
  roleArn: '--role-arn',
};

/** `--scenario` reads a simulated account: options that pick a real one make no sense beside it. */
export function checkScenarioFlags(flags: AwsOptionFlags): void {
  if (flags.scenario === undefined) return;
  const real = (['profile', 'region', 'endpointUrl', 'roleArn'] as const).filter(
    (k) => flags[k] !== undefined,
  );
  if (real.length > 0) {
    const names = real.map((k) => FLAG_NAMES[k]);
    throw new UsageError(
      `--scenario runs against a simulated account: ${names.join(' and ')} cannot be used with it`,
    );
  }
}

/**
 * `--scenario` reads one simulated account, as the command reads one real account. An organization's scenario
 * (issue 15: `accounts`) is run through the hub by `cf403 simulate`; diagnose or scan one of its accounts with a
 * scenario of that account alone.
 */
export function oneAccount(scenario: Scenario, file: string): Scenario {
  const members = scenario.accounts ?? [];
  if (members.length === 0) return scenario;
  throw new UsageError(
    `${file} is an organization of ${members.length + 1} accounts (${[scenario.account, ...members.map((m) => m.account)].join(', ')}): ` +
      '--scenario reads one account; `cf403 simulate` runs an organization through the hub',
  );
}

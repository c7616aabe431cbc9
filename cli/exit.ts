// One table of exit codes for every command, so scripts and CI pipelines can branch on them.

export const EXIT = {
  /** the command did what was asked (findings without --fail-on included) */
  DONE: 0,
  /** a bug in cf403, or an AWS answer it does not understand */
  INTERNAL: 1,
  /** bad arguments or input: an option, a scenario file, a distribution or execution that does not exist */
  USAGE: 2,
  /** AWS refused the essential reads or could not be asked: credentials, permissions, throttling, network */
  REFUSED: 3,
  /** problems found, and --fail-on asked to fail on them */
  FOUND: 4,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The documented table (README, docs/cli.md); a test keeps the docs in step with it. */
export const EXIT_TABLE: readonly { code: ExitCode; meaning: string }[] = [
  { code: EXIT.DONE, meaning: 'done: the command completed (a report with findings, without `--fail-on`)' },
  { code: EXIT.INTERNAL, meaning: 'internal error: a bug in cf403 or an AWS answer it does not understand' },
  {
    code: EXIT.USAGE,
    meaning:
      'bad usage or input: an option, a scenario file, a distribution id or an execution that does not exist',
  },
  {
    code: EXIT.REFUSED,
    meaning:
      'AWS refused the essential reads or could not be reached: credentials, permissions, throttling, network',
  },
  { code: EXIT.FOUND, meaning: 'problems found and `--fail-on` asked to fail on them (`diagnose`, `scan`)' },
];

/** Bad arguments: exit 2 with the message, no stack trace. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A failure already explained for an operator: the message names the next step. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: ExitCode,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

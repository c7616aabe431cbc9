// Turns a failed run into one message that names the next step, and its exit code. No stack trace unless
// the failure is a bug of cf403's own.
import { CommanderError, InvalidArgumentError } from 'commander';
import { ApprovalNotFoundError } from '../functions/adapters/approvals.ts';
import { awsErrorCode, isAccessDenied } from '../functions/adapters/aws-call.ts';
import { DistributionNotFoundError } from '../functions/errors.ts';
import type { AwsTarget } from './aws.ts';
import { CliError, EXIT, type ExitCode, UsageError } from './exit.ts';
import type { RecordedCall } from './recorder.ts';
import {
  accountInMessage,
  describeRefusal,
  EXPIRED_CODES,
  type IamNamer,
  INVALID_CODES,
  isThrottled,
  refusalOf,
} from './refusals.ts';

export interface FailureContext {
  /** the command that ran (`diagnose`, `scan`, ...): names its policy file */
  command: string;
  target?: AwsTarget;
  /** the account, when known before any call */
  account?: string;
  calls?: readonly RecordedCall[];
  namer?: IamNamer;
}

export interface Explained {
  exitCode: ExitCode;
  /** printed after `cf403: `; may span lines */
  message: string;
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: string;
  cause?: unknown;
  address?: string;
  port?: number;
  hostname?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
}

/** The innermost error: step and scan errors keep the SDK's as `cause`. */
export function rootCause(err: unknown): unknown {
  let e = err;
  for (let depth = 0; depth < 10; depth++) {
    const cause = (e as ErrorLike | undefined)?.cause;
    if (typeof cause !== 'object' || cause === null) return e;
    e = cause;
  }
  return e;
}

const NETWORK_CODES: Record<string, string> = {
  ECONNREFUSED: 'refused the connection',
  ENOTFOUND: 'is not a known host name',
  EAI_AGAIN: 'could not be resolved (DNS)',
  ETIMEDOUT: 'did not answer in time',
  ECONNRESET: 'closed the connection',
  EHOSTUNREACH: 'cannot be reached from this machine',
  ENETUNREACH: 'cannot be reached: no network',
  EPIPE: 'closed the connection',
};

function networkProblem(err: unknown): string | undefined {
  const e = err as ErrorLike;
  const code = e?.code ?? (e?.errors?.[0] as ErrorLike | undefined)?.code;
  if (code !== undefined && code in NETWORK_CODES) {
    const first = (e.errors?.[0] as ErrorLike | undefined) ?? e;
    const where =
      first.hostname ??
      (first.address ? `${first.address}${first.port ? `:${first.port}` : ''}` : 'the AWS endpoint');
    return `${where} ${NETWORK_CODES[code]} (${code})`;
  }
  if (e?.name === 'TimeoutError' || e?.name === 'RequestTimeout')
    return `the AWS endpoint did not answer in time (${e.name})`;
  return undefined;
}

function profileWords(target: AwsTarget | undefined): string {
  return target?.profile ? ` --profile ${target.profile}` : '';
}

function credentialsProblem(err: unknown, target: AwsTarget | undefined): string | undefined {
  const e = err as ErrorLike;
  const message = e?.message ?? '';
  const login = `aws sso login${profileWords(target)}`;
  if (e?.name !== 'CredentialsProviderError' && e?.name !== 'TokenProviderError') return undefined;
  if (/SSO session|Token is expired|sso/i.test(message) && /expired|invalid|refresh/i.test(message)) {
    return `the AWS SSO session${target?.profile ? ` of profile '${target.profile}'` : ''} has expired or is not signed in.\nNext: run \`${login}\`, then run this command again.`;
  }
  const named = /profile:? \[?([^\]\s]+)\]? (?:in configuration|could not be found)/i.exec(message)?.[1];
  const profile = named ?? target?.profile;
  if (profile !== undefined) {
    return `profile '${profile}' has no usable credentials: it is not in ~/.aws/config or ~/.aws/credentials (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE), or it holds none.\nNext: check the name with \`aws configure list-profiles\`; sign in with \`aws sso login --profile ${profile}\` for an SSO profile.`;
  }
  return [
    `no AWS credentials found (${message.split('\n')[0]}).`,
    'Next: sign in in one of the ways the AWS CLI uses:',
    '  --profile NAME (or AWS_PROFILE=NAME) for a profile in ~/.aws/config; `aws sso login --profile NAME` for an SSO one',
    '  AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (with AWS_SESSION_TOKEN for temporary credentials)',
  ].join('\n');
}

function callOf(root: unknown, ctx: FailureContext): RecordedCall | undefined {
  return ctx.calls?.find((c) => c.error === root);
}

function deniedProblem(root: unknown, ctx: FailureContext): string {
  const call = callOf(root, ctx);
  const message = (root as ErrorLike)?.message ?? '';
  const region = ctx.target?.region ?? 'us-east-1';
  const account = accountInMessage(message) ?? ctx.account ?? '';
  const what =
    call && ctx.namer
      ? describeRefusal(refusalOf(call, ctx.namer, { account, region }))
      : `${call?.operation ?? 'a read'} (${awsErrorCode(root)}: ${message})`;
  return `AWS refused ${what}; cf403 ${ctx.command} cannot go on without it.\nNext: give the caller the permissions in docs/policies/${policyFile(ctx.command)} (or run with --profile for a role that has them).`;
}

export function policyFile(command: string): string {
  return command === 'approve' || command === 'reject' ? 'approve.json' : `${command}.json`;
}

/** The message and exit code of a failed run. */
export function explainFailure(err: unknown, ctx: FailureContext): Explained {
  if (err instanceof CliError) return { exitCode: err.exitCode, message: err.message };
  if (err instanceof CommanderError)
    return { exitCode: err.exitCode === 0 ? EXIT.DONE : EXIT.USAGE, message: '' };
  if (
    err instanceof UsageError ||
    // the simulator's ScenarioError, by name: the simulator is loaded only when a command needs it
    (err instanceof Error && err.name === 'ScenarioError') ||
    err instanceof InvalidArgumentError ||
    (err instanceof Error && err.name === 'InvalidUrlError')
  )
    return { exitCode: EXIT.USAGE, message: err.message };
  if (err instanceof ApprovalNotFoundError)
    return {
      exitCode: EXIT.USAGE,
      message: `${err.message}.\nNext: \`cf403 pending\` lists the remediations waiting for a decision (check --region and --document).`,
    };
  const root = rootCause(err);
  const code = awsErrorCode(root);
  if (err instanceof DistributionNotFoundError || code === 'NoSuchDistribution') {
    const id =
      (callOf(root, ctx)?.input.Id as string | undefined) ??
      /distribution (\S+)/.exec(String((err as Error).message))?.[1];
    return {
      exitCode: EXIT.USAGE,
      message: `distribution ${id ?? ''} does not exist in the account of ${ctx.target?.profile ? `profile '${ctx.target.profile}'` : 'these credentials'}.\nNext: check the id (it starts with E); \`cf403 scan\` or \`aws cloudfront list-distributions\` lists this account's distributions.`,
    };
  }
  const creds = credentialsProblem(root, ctx.target);
  if (creds) return { exitCode: EXIT.REFUSED, message: creds };
  if (EXPIRED_CODES.has(code))
    return {
      exitCode: EXIT.REFUSED,
      message: `AWS says the credentials have expired (${code}).\nNext: refresh them: \`aws sso login${profileWords(ctx.target)}\` for an SSO profile, assume the role again, or export new AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN.`,
    };
  if (INVALID_CODES.has(code))
    return {
      exitCode: EXIT.REFUSED,
      message: `AWS does not accept these credentials (${code}).\nNext: check the access key and the profile (\`aws configure list${profileWords(ctx.target)}\` shows where they come from).`,
    };
  if (isAccessDenied(root) || (root as ErrorLike)?.$metadata?.httpStatusCode === 403)
    return { exitCode: EXIT.REFUSED, message: deniedProblem(root, ctx) };
  if (isThrottled(root)) {
    const op = callOf(root, ctx)?.operation ?? 'the reads';
    return {
      exitCode: EXIT.REFUSED,
      message: `AWS throttled ${op} (${code}) and kept refusing after the retries.\nNext: wait a minute and run again; other tools may be using the same API quota of this account${ctx.command === 'scan' ? ' (or lower --rate)' : ''}.`,
    };
  }
  const network = networkProblem(root);
  if (network) {
    const endpoint = ctx.target?.endpoint;
    return {
      exitCode: EXIT.REFUSED,
      message: `cannot reach AWS: ${network}.\nNext: check the network connection${endpoint ? ` and --endpoint-url ${endpoint}` : ', and AWS_ENDPOINT_URL or --endpoint-url if you set one'}.`,
    };
  }
  if ((root as ErrorLike)?.$metadata !== undefined) {
    const op = callOf(root, ctx)?.operation;
    return {
      exitCode: EXIT.INTERNAL,
      message: `AWS answered ${op ?? 'a call'} with ${code}: ${(root as ErrorLike).message ?? ''}`,
    };
  }
  const text = err instanceof Error ? (err.stack ?? err.message) : String(err);
  return { exitCode: EXIT.INTERNAL, message: `internal error: ${text}` };
}

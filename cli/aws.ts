// How the command line reaches a real account: profile, region and endpoint resolved as the AWS CLI resolves
// them (a flag overrides the environment, which overrides the shared config file:
// https://docs.aws.amazon.com/cli/latest/userguide/cli-configure-envvars.html), and S3, KMS and WAF calls sent
// to the region of the resource they name. CloudFront is global (us-east-1).
import { S3Client } from '@aws-sdk/client-s3';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import {
  ALL_CLIENTS,
  type AwsClients,
  type ClientName,
  type ClientSettings,
  makeClient,
  makeStsClient,
} from '../functions/adapters/clients.ts';
import { CliError, EXIT, UsageError } from './exit.ts';

export interface AwsFlags {
  profile?: string;
  region?: string;
  endpointUrl?: string;
  /** `--role-arn` (diagnose, scan): read another account through this role */
  roleArn?: string;
}

export type RegionSource = '--region' | 'AWS_REGION' | 'AWS_DEFAULT_REGION' | 'config file' | 'default';

export interface AwsTarget {
  /** named profile, from --profile or AWS_PROFILE; undefined: the default chain's own choice */
  profile?: string;
  region: string;
  regionSource: RegionSource;
  /** --endpoint-url: every service; otherwise the SDK reads AWS_ENDPOINT_URL[_<SERVICE>] and the config file */
  endpoint?: string;
  /** --role-arn: the role every read goes through, assumed with the credentials above */
  role?: { arn: string; sessionName: string };
}

type Env = Readonly<Record<string, string | undefined>>;

/** Without any region anywhere the AWS CLI stops; cf403 needs one only for S3 and KMS before routing. */
export const FALLBACK_REGION = 'us-east-1';

/** The SDK's warnings (e.g. "multiple credential sources") would print on the console; the CLI speaks for itself. */
const QUIET = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;

/** The services the CLI calls, by the variable that overrides each one's endpoint (the SDK's serviceId). */
export const ENDPOINT_VARIABLES = [
  'AWS_ENDPOINT_URL',
  'AWS_ENDPOINT_URL_CLOUDFRONT',
  'AWS_ENDPOINT_URL_S3',
  'AWS_ENDPOINT_URL_S3_CONTROL',
  'AWS_ENDPOINT_URL_KMS',
  'AWS_ENDPOINT_URL_WAFV2',
  'AWS_ENDPOINT_URL_SSM',
  'AWS_ENDPOINT_URL_LAMBDA',
  // --role-arn assumes its role through STS
  'AWS_ENDPOINT_URL_STS',
] as const;

function checkEndpoint(value: string, source: string): string {
  if (!URL.canParse(value) || !/^https?:$/.test(new URL(value).protocol))
    throw new UsageError(`${source} ${value}: expected an http(s) URL such as http://localhost:4566`);
  return value;
}

function checkRegion(value: string, source: string): string {
  if (!REGION.test(value)) throw new UsageError(`${source} ${value}: expected a region such as eu-west-1`);
  return value;
}

/** The region the SDK finds for this profile in the shared config file (a client made without a region). */
async function configFileRegion(profile: string | undefined): Promise<string | undefined> {
  const { SSMClient } = await import('@aws-sdk/client-ssm');
  const probe = new SSMClient(profile ? { profile, logger: QUIET } : { logger: QUIET });
  try {
    return (await probe.config.region()) || undefined;
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
}

/**
 * Profile, region and endpoint for this run. The AWS CLI's order: `--region`, `AWS_REGION`,
 * `AWS_DEFAULT_REGION` (the CLI's own variable, which the JavaScript SDK ignores), then the profile's `region`.
 */
export async function resolveTarget(
  flags: AwsFlags,
  env: Env = process.env,
  fromConfig: (profile: string | undefined) => Promise<string | undefined> = configFileRegion,
  /** the command, named in the role session (`cf403-cli-<command>`) */
  command = 'cli',
): Promise<AwsTarget> {
  const role =
    flags.roleArn === undefined
      ? {}
      : { role: { arn: checkRoleArn(flags.roleArn), sessionName: cliSessionName(command) } };
  const target = await resolveOwnTarget(flags, env, fromConfig);
  return { ...target, ...role };
}

async function resolveOwnTarget(
  flags: AwsFlags,
  env: Env,
  fromConfig: (profile: string | undefined) => Promise<string | undefined>,
): Promise<AwsTarget> {
  const profile = flags.profile ?? (env.AWS_PROFILE || undefined);
  const endpoint =
    flags.endpointUrl === undefined ? undefined : checkEndpoint(flags.endpointUrl, '--endpoint-url');
  if (endpoint === undefined) {
    for (const name of ENDPOINT_VARIABLES) {
      const value = env[name];
      if (value) checkEndpoint(value, name);
    }
  }
  const candidates: [RegionSource, string | undefined][] = [
    ['--region', flags.region],
    ['AWS_REGION', env.AWS_REGION || undefined],
    ['AWS_DEFAULT_REGION', env.AWS_DEFAULT_REGION || undefined],
  ];
  for (const [source, value] of candidates) {
    if (value !== undefined)
      return { profile, region: checkRegion(value, source), regionSource: source, endpoint };
  }
  const configured = await fromConfig(profile);
  if (configured !== undefined) return { profile, region: configured, regionSource: 'config file', endpoint };
  return { profile, region: FALLBACK_REGION, regionSource: 'default', endpoint };
}

export function clientSettings(target: AwsTarget): ClientSettings {
  const own: ClientSettings = { profile: target.profile, endpoint: target.endpoint, logger: QUIET };
  return target.role ? { ...own, credentials: roleCredentials(target, target.role, own) } : own;
}

/** `--role-arn`: an IAM role ARN, path included (IAM User Guide, "IAM identifiers"). */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/[\w+=,.@/-]{1,512}$/;

function checkRoleArn(value: string): string {
  if (!ROLE_ARN.test(value))
    throw new UsageError(
      `--role-arn ${value}: expected an IAM role ARN such as arn:aws:iam::111122223333:role/cf403-reader`,
    );
  return value;
}

/** The account a role ARN names. */
export function roleAccount(roleArn: string): string | undefined {
  return ROLE_ARN.exec(roleArn)?.[1];
}

/**
 * The role session of a CLI command, as CloudTrail in the role's account shows it: 2-64 characters of
 * `[\w+=,.@-]` (STS API Reference, AssumeRole `RoleSessionName`).
 */
export function cliSessionName(command: string): string {
  return `cf403-cli-${command}`.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

type Credentials = Awaited<ReturnType<NonNullable<ClientSettings['credentials']>>>;

/** Renew the role's session a minute before it expires (AssumeRole's default session lasts an hour). */
const RENEW_BEFORE_MS = 60_000;
/** One session per target: every client of the run shares it (one AssumeRole, not one per client). */
const ROLE_SESSIONS = new WeakMap<AwsTarget, () => Promise<Credentials>>();

/**
 * The credentials of `--role-arn`: STS AssumeRole with the CLI's own credentials (profile, environment,
 * endpoint), renewed before expiry. A refusal is explained once, with the next step (exit 3).
 */
function roleCredentials(
  target: AwsTarget,
  role: { arn: string; sessionName: string },
  own: ClientSettings,
): () => Promise<Credentials> {
  const known = ROLE_SESSIONS.get(target);
  if (known) return known;
  let held: Promise<Credentials> | undefined;
  const assume = async (): Promise<Credentials> => {
    const { AssumeRoleCommand } = await import('@aws-sdk/client-sts');
    const sts = await makeStsClient(target.region, own);
    try {
      const out = await sts.send(
        new AssumeRoleCommand({ RoleArn: role.arn, RoleSessionName: role.sessionName }),
      );
      const c = out.Credentials;
      if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken)
        throw new CliError(`AssumeRole ${role.arn} returned no credentials`, EXIT.INTERNAL);
      return {
        accessKeyId: c.AccessKeyId,
        secretAccessKey: c.SecretAccessKey,
        sessionToken: c.SessionToken,
        ...(c.Expiration ? { expiration: c.Expiration } : {}),
      };
    } catch (err) {
      if (err instanceof CliError) throw err;
      const e = err as { name?: string; message?: string };
      throw new CliError(
        `cannot assume --role-arn ${role.arn} (${e.name ?? 'Error'}: ${e.message ?? String(err)}).\n` +
          'Next: the caller needs sts:AssumeRole on the role, and the role must trust the caller (its trust policy).',
        EXIT.REFUSED,
        { cause: err },
      );
    } finally {
      sts.destroy();
    }
  };
  const provider = (): Promise<Credentials> => {
    const current = held;
    if (current) {
      return current.then((c) =>
        c.expiration && c.expiration.getTime() - RENEW_BEFORE_MS <= Date.now() ? renew() : c,
      );
    }
    return renew();
  };
  const renew = (): Promise<Credentials> => {
    const next = assume();
    held = next;
    // a failed AssumeRole is not kept: a later call asks again
    next.catch(() => {
      if (held === next) held = undefined;
    });
    return next;
  };
  ROLE_SESSIONS.set(target, provider);
  return provider;
}

type Send = (command: { input?: unknown }) => Promise<unknown>;

/**
 * The same client whose `send` goes to the client of the region `regionOf` names. A proxy, like the scan's
 * paced client: everything else (config, middleware) is the default region's client.
 */
export function routedClient<C extends object>(
  fallback: C,
  clientFor: (region: string) => C,
  regionOf: (input: Record<string, unknown>) => string | undefined,
): C {
  const send: Send = (command) => {
    const region = regionOf((command.input ?? {}) as Record<string, unknown>);
    const client = region === undefined ? fallback : clientFor(region);
    return (client as unknown as { send: Send }).send(command);
  };
  return new Proxy(fallback, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** The region an ARN names (`arn:aws:kms:eu-west-1:...`), if it names one. */
export function arnRegion(arn: unknown): string | undefined {
  if (typeof arn !== 'string') return undefined;
  const region = arn.split(':')[3];
  return region && REGION.test(region) ? region : undefined;
}

/** A per-region cache of clients made on first use. */
function perRegion<C>(make: (region: string) => C): (region: string) => C {
  const made = new Map<string, C>();
  return (region) => {
    let c = made.get(region);
    if (c === undefined) {
      c = make(region);
      made.set(region, c);
    }
    return c;
  };
}

interface RedirectLike {
  name?: string;
  $metadata?: { httpStatusCode?: number };
  $response?: { headers?: Record<string, string | undefined> };
}

/**
 * The bucket's region from a wrong-region answer: S3 answers 301 (400 for some) with `x-amz-bucket-region`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html, PermanentRedirect;
 * the SDK's own region-redirect middleware reads the same header).
 */
export function redirectRegion(err: unknown): string | undefined {
  const e = err as RedirectLike;
  const status = e?.$metadata?.httpStatusCode;
  const header = e?.$response?.headers?.['x-amz-bucket-region'];
  if (!header || !REGION.test(header)) return undefined;
  return status === 301 || (status === 400 && e.name === 'IllegalLocationConstraintException')
    ? header
    : undefined;
}

/**
 * S3 calls go to the bucket's own region: the first call to a bucket elsewhere is answered with a redirect
 * naming its region, which is remembered, so every later call on that bucket goes there directly.
 */
export function regionalS3(defaultRegion: string, make: (region: string) => S3Client): S3Client {
  const bucketRegion = new Map<string, string>();
  const clientFor = perRegion(make);
  const fallback = clientFor(defaultRegion);
  const send: Send = async (command) => {
    const bucket = (command.input as { Bucket?: unknown } | undefined)?.Bucket;
    const known = typeof bucket === 'string' ? bucketRegion.get(bucket) : undefined;
    const client = clientFor(known ?? defaultRegion) as unknown as { send: Send };
    try {
      return await client.send(command);
    } catch (err) {
      const region = redirectRegion(err);
      if (typeof bucket !== 'string' || region === undefined || region === known) throw err;
      bucketRegion.set(bucket, region);
      return (clientFor(region) as unknown as { send: Send }).send(command);
    }
  };
  return new Proxy(fallback, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * The WAF region of a call: the region of the ARN it names, else us-east-1 for CloudFront's scope (AWS WAF
 * serves CloudFront web ACLs only there: https://docs.aws.amazon.com/waf/latest/APIReference/API_GetWebACL.html),
 * else the run's region.
 */
export function wafRegion(input: Record<string, unknown>, region: string): string {
  const arn = input.ARN ?? input.WebAclArn ?? input.ResourceArn;
  return arnRegion(arn) ?? (input.Scope === 'CLOUDFRONT' ? 'us-east-1' : region);
}

/** Real clients for the named services, as the AWS CLI would set them up for this target. */
export async function realClients(target: AwsTarget, names: readonly ClientName[]): Promise<AwsClients> {
  const settings = clientSettings(target);
  // --role-arn: assume the role before any read, so a refusal is one clear message (not every read failing)
  if (settings.credentials) await settings.credentials();
  const base = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
  const made = new Map<ClientName, unknown>();
  const extra: PropertyDescriptorMap = {};
  for (const name of names) {
    if (name === 's3') {
      // redirects handled by regionalS3, which remembers them
      made.set(
        name,
        regionalS3(target.region, (r) => new S3Client({ ...base, region: r, followRegionRedirects: false })),
      );
    } else if (name === 'kms') {
      // a key ARN names its region; an alias or bare id is the run's region
      const { KMSClient } = await import('@aws-sdk/client-kms');
      const clientFor = perRegion((r) => new KMSClient({ ...base, region: r }));
      made.set(
        name,
        routedClient(clientFor(target.region), clientFor, (input) => arnRegion(input.KeyId)),
      );
      extra.kmsIn = { value: async (r: string) => clientFor(r), enumerable: true };
    } else if (name === 'wafv2') {
      const clientFor = perRegion((r) => new WAFV2Client({ ...base, region: r }));
      made.set(
        name,
        routedClient(clientFor('us-east-1'), clientFor, (input) => wafRegion(input, target.region)),
      );
    } else if (name === 'lambda') {
      // a function URL's domain names its region
      const { LambdaClient } = await import('@aws-sdk/client-lambda');
      const clientFor = perRegion((r) => new LambdaClient({ ...base, region: r }));
      made.set(name, clientFor(target.region));
      extra.lambdaIn = { value: async (r: string) => clientFor(r), enumerable: true };
    } else {
      made.set(name, await makeClient(name, target.region, settings));
    }
  }
  const get = <K extends ClientName>(n: K): AwsClients[K] => {
    const c = made.get(n);
    if (c === undefined) throw new Error(`cf403: the ${n} client was not made for this command`);
    return c as AwsClients[K];
  };
  return Object.defineProperties(
    {},
    {
      ...extra,
      ...Object.fromEntries(ALL_CLIENTS.map((n) => [n, { get: () => get(n), enumerable: made.has(n) }])),
    },
  ) as AwsClients;
}

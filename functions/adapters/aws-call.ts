// Maps AWS SDK errors onto the step errors the state machine understands, and retries in-process where a
// step cannot hand the retry to the state machine (reads whose failure is recorded, best-effort messages).
import { fullJitterBackoffMs } from '../domain/backoff.ts';
import { AwsAccessDeniedError, AwsCallError, RetryableAwsError } from '../errors.ts';

interface SdkErrorLike {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
}

const THROTTLING = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'InternalError',
  'InternalFailure',
  'WAFInternalErrorException',
]);

const ACCESS_DENIED = new Set([
  'AccessDenied',
  'AccessDeniedException',
  'AuthorizationError',
  // SNS
  'AuthorizationErrorException',
]);

export function errorCode(err: unknown): string {
  const e = err as SdkErrorLike;
  return e?.name ?? 'Error';
}

/** The AWS error code behind a step error (`awsCall` keeps the SDK error as `cause`), else the error's own. */
export function awsErrorCode(err: unknown): string {
  const cause = (err as SdkErrorLike)?.cause;
  if (err instanceof RetryableAwsError || err instanceof AwsAccessDeniedError || err instanceof AwsCallError)
    return cause === undefined ? errorCode(err) : errorCode(cause);
  return errorCode(err);
}

export function isRetryable(err: unknown): boolean {
  if (err instanceof RetryableAwsError) return true;
  const e = err as SdkErrorLike;
  return THROTTLING.has(e?.name ?? '') || (e?.$metadata?.httpStatusCode ?? 0) >= 500;
}

export function isAccessDenied(err: unknown): boolean {
  return err instanceof AwsAccessDeniedError || ACCESS_DENIED.has(errorCode(err));
}

/** A conditional write lost a race (stale ETag): read again and re-apply. */
export function isPreconditionFailed(err: unknown): boolean {
  return awsErrorCode(err) === 'PreconditionFailed';
}

/** Re-throws an SDK error as a step error that names the call, keeping the original as `cause`. */
export function toStepError(err: unknown, what: string): Error {
  if (err instanceof RetryableAwsError || err instanceof AwsAccessDeniedError || err instanceof AwsCallError)
    return err;
  const msg = `${what}: ${errorCode(err)}: ${(err as SdkErrorLike)?.message ?? String(err)}`;
  if (isRetryable(err)) return new RetryableAwsError(msg, { cause: err });
  if (isAccessDenied(err)) return new AwsAccessDeniedError(msg, { cause: err });
  return new AwsCallError(msg, { cause: err });
}

export async function awsCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toStepError(err, what);
  }
}

/** In-process retries of throttling and 5xx answers, with exponential backoff and full jitter. */
export interface RetryPolicy {
  /** attempts in all, the first included */
  attempts: number;
  baseMs: number;
  capMs: number;
  sleep: (ms: number) => Promise<void>;
  random?: () => number;
}

export const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Four attempts (the SDK's own three, plus one), 200 ms base: enough for a burst of throttling. */
export function defaultRetryPolicy(sleep: (ms: number) => Promise<void> = realSleep): RetryPolicy {
  return { attempts: 4, baseMs: 200, capMs: 5_000, sleep };
}

export async function retrying<T>(policy: RetryPolicy, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isRetryable(err) || attempt >= policy.attempts) throw err;
      await policy.sleep(
        fullJitterBackoffMs(
          attempt,
          { baseMs: policy.baseMs, capMs: policy.capMs },
          policy.random ?? Math.random,
        ),
      );
    }
  }
}

/**
 * The same client with `send` retried on throttling and 5xx. A proxy rather than a middleware: the caller's
 * client is left untouched, and it works the same for a client answered by the simulated account.
 */
export function retryingClient<C extends object>(client: C, policy: RetryPolicy): C {
  const original = (client as { send?: unknown }).send;
  if (typeof original !== 'function') return client;
  const send = (...args: unknown[]) =>
    retrying(policy, () => original.apply(client, args) as Promise<unknown>);
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * Every client of `clients` retried in-process (see retryingClient), wrapped when first used: in Lambda the
 * clients a step did not declare throw on access (UndeclaredClientError), so none may be touched up front.
 * A regional client factory (`kmsIn(region)`) hands out retried clients too.
 */
export function retryingClients<T extends object>(clients: T, policy: RetryPolicy): T {
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(clients, {
    get(target, prop) {
      if (wrapped.has(prop)) return wrapped.get(prop);
      const value: unknown = Reflect.get(target, prop);
      const out =
        typeof value === 'function'
          ? async (...args: unknown[]) => {
              const made: unknown = await (value as (...a: unknown[]) => unknown).apply(target, args);
              return typeof made === 'object' && made !== null ? retryingClient(made, policy) : made;
            }
          : typeof value === 'object' && value !== null
            ? retryingClient(value, policy)
            : value;
      wrapped.set(prop, out);
      return out;
    },
  });
}

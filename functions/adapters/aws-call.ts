// Maps AWS SDK errors onto the step errors the state machine understands.
import { AwsAccessDeniedError, AwsCallError, RetryableAwsError } from '../errors.ts';

interface SdkErrorLike {
  name?: string;
  message?: string;
  $fault?: string;
  $metadata?: { httpStatusCode?: number };
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

export function errorCode(err: unknown): string {
  const e = err as SdkErrorLike;
  return e?.name ?? 'Error';
}

export function isRetryable(err: unknown): boolean {
  const e = err as SdkErrorLike;
  return THROTTLING.has(e?.name ?? '') || (e?.$metadata?.httpStatusCode ?? 0) >= 500;
}

export function isAccessDenied(err: unknown): boolean {
  const name = errorCode(err);
  return name === 'AccessDenied' || name === 'AccessDeniedException' || name === 'AuthorizationError';
}

/** Re-throws an SDK error as a step error that names the call, keeping the original as `cause`. */
export function toStepError(err: unknown, what: string): Error {
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

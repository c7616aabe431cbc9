// What AWS refused, named as IAM names it (action and resource ARN), so the operator knows what to grant.
import { awsErrorCode, isAccessDenied } from '../functions/adapters/aws-call.ts';
import type { RecordedCall } from './recorder.ts';

export interface Refusal {
  /** the IAM action, e.g. `s3:GetBucketPolicy` */
  action: string;
  /** the resource ARN, or `*` for actions without resource-level permissions */
  resource: string;
  /** the AWS error code */
  code: string;
  /** the API operation that was refused */
  operation: string;
  /** further permissions the operation may have lacked, when AWS did not say which (S3 HEAD answers no text) */
  also?: IamRequest[];
}

export interface IamRequest {
  action: string;
  resource: string;
}

/** Names the IAM requests an operation makes (the Service Authorization Reference, as the simulator uses it). */
export type IamNamer = (call: RecordedCall, ctx: { account: string; region: string }) => IamRequest[];

/** Throttling answers: what remains after the SDK's (and the scan's) retries. */
const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
  'SlowDown',
]);

export function isThrottled(err: unknown): boolean {
  return THROTTLED.has(awsErrorCode(err));
}

/** AWS refused the call: access denied (S3 HEAD requests answer a bare 403), or throttling that outlasted the retries. */
export function isRefused(err: unknown): boolean {
  const status = (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  return isAccessDenied(err) || isThrottled(err) || (status === 403 && !isCredentialCode(awsErrorCode(err)));
}

/** Service answers that mean the credentials themselves are wrong or stale, not the permissions. */
export const EXPIRED_CODES = new Set([
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'TokenRefreshRequired',
]);
export const INVALID_CODES = new Set([
  'InvalidClientTokenId',
  'UnrecognizedClientException',
  'InvalidAccessKeyId',
  'SignatureDoesNotMatch',
  'InvalidSignatureException',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'AuthFailure',
  'InvalidToken',
]);

export function isCredentialCode(code: string): boolean {
  return EXPIRED_CODES.has(code) || INVALID_CODES.has(code);
}

/**
 * AWS's own words when it gives them: "... is not authorized to perform: s3:GetBucketPolicy on resource:
 * "arn:aws:s3:::b" because ..." (the IAM access-denied message format,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
 */
export function deniedInMessage(message: string): IamRequest | undefined {
  const m =
    /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9*]+) on resource:? "?([^"\s]+?)"?(?:\s|$)/.exec(
      message,
    );
  if (!m?.[1] || !m[2]) return undefined;
  return { action: m[1], resource: m[2] };
}

/** The account in a message's principal ARN ("User: arn:aws:sts::123456789012:assumed-role/..."). */
export function accountInMessage(message: string): string | undefined {
  return /arn:aws[a-z-]*:(?:iam|sts)::(\d{12}):/.exec(message)?.[1];
}

function messageOf(err: unknown): string {
  return (err as { message?: unknown })?.message?.toString() ?? '';
}

/** One refused call as IAM names it: AWS's message first, else the operation-to-action table. */
export function refusalOf(
  call: RecordedCall,
  namer: IamNamer,
  ctx: { account: string; region: string },
): Refusal {
  const message = messageOf(call.error);
  const status = (call.error as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode;
  const errorName = awsErrorCode(call.error);
  // S3 HEAD answers carry no body, so the SDK cannot name the error
  const code = errorName === 'Unknown' && status === 403 ? '403 Forbidden' : errorName;
  const said = deniedInMessage(message);
  if (said) return { ...said, code, operation: call.operation };
  const [first, ...rest] = namer(call, { ...ctx, account: ctx.account || accountInMessage(message) || '*' });
  const named = first ?? { action: `${call.service}:${call.operation}`, resource: '*' };
  return { ...named, code, operation: call.operation, ...(rest.length > 0 ? { also: rest } : {}) };
}

/** Every refused call once (by action and resource), in the order they were refused. */
export function refusals(
  calls: readonly RecordedCall[],
  namer: IamNamer,
  ctx: { account: string; region: string },
): Refusal[] {
  const seen = new Set<string>();
  const out: Refusal[] = [];
  for (const call of calls) {
    if (call.error === undefined || !isRefused(call.error)) continue;
    const r = refusalOf(call, namer, ctx);
    const key = `${r.action} ${r.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}

export function describeRefusal(r: Refusal): string {
  const also = (r.also ?? []).map((a) => ` or ${a.action} on ${a.resource}`).join('');
  return `${r.action} on ${r.resource}${also} (${r.code})`;
}

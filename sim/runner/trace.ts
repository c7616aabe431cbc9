// The report's `trace`: every AWS call the workflow made, in order, with no secret in it.
import type { WorldCall } from '../world/index.ts';

export interface TraceEntry {
  step: string;
  region: string;
  service: string;
  operation: string;
  input: unknown;
  error?: string;
  /** issue 15 (an organization's run): the account the caller acted in */
  callerAccount?: string;
  /** issue 15 (an organization's run): the account that answered (the resource's owner) */
  account?: string;
}

export const REDACTED = '<redacted>';

// Members that carry a Step Functions task token: SendTask* `taskToken`, and the approval record's attribute
// (DynamoDB items keep attribute names as keys). Whoever holds a token can answer the task.
const SECRET_MEMBERS = new Set(['taskToken', 'TaskToken']);

/** Extra redaction of a call's input (the service model's sensitive members), applied before ours. */
export type InputRedactor = (service: string, operation: string, input: unknown) => unknown;

function scrub(value: unknown, secrets: readonly string[]): unknown {
  if (typeof value === 'string') {
    return secrets.some((s) => value.includes(s)) ? REDACTED : value;
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, secrets));
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_MEMBERS.has(k) ? REDACTED : scrub(v, secrets);
    return out;
  }
  return value;
}

/**
 * Calls in the contract's trace shape. `secrets` are values that must never appear (the task tokens the run
 * handed out), wherever they hide: a message, an item, a parameter.
 */
export function traceOf(
  calls: readonly WorldCall[],
  secrets: readonly string[] = [],
  redact?: InputRedactor,
  /** name each call's accounts (issue 15: a hub's run over several accounts) */
  options: { accounts?: boolean } = {},
): TraceEntry[] {
  const known = secrets.filter((s) => s.length > 0);
  return calls.map((c) => {
    const input = redact ? redact(c.service, c.api, c.input) : c.input;
    return {
      step: c.step,
      region: c.region,
      service: c.sdkService,
      operation: c.api,
      input: scrub(input, known),
      ...(c.error === undefined ? {} : { error: c.error }),
      ...(options.accounts && c.callerAccount !== undefined ? { callerAccount: c.callerAccount } : {}),
      ...(options.accounts && c.account !== undefined ? { account: c.account } : {}),
    };
  });
}

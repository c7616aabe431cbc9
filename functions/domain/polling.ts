// When to look again at a deployment or invalidation, and the bounded wait that looks inside one invocation.
//
// Two designs share these (lib/workflow/definition.ts). With Wait states, each look is a Task, a Choice and a
// Wait state (three paid state transitions), so looks must be few: wait a fraction of the time already spent.
// Inside one invocation, looks cost nothing but a free CloudFront read, so they can be frequent: the time lost
// after CloudFront finishes is at most one interval.
import { InvalidStepInputError, RetryableAwsError } from '../errors.ts';

/** Wait-state design: wait 8 % of the time already spent, 2 to 30 s. */
export const POLL_FRACTION = 0.08;
export const MIN_POLL_SECONDS = 2;
export const MAX_POLL_SECONDS = 30;

export function nextPollSeconds(elapsedSeconds: number, fraction = POLL_FRACTION): number {
  const s = Math.round(Math.max(0, elapsedSeconds) * fraction);
  return Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, s));
}

/**
 * In-Lambda wait: look every 2 s, or 1 % of the time already spent when that is longer, at most every 10 s.
 * The time lost after CloudFront finishes is then at most max(2 s, 1 % of its time) per wait. For scale, the
 * SDK's own waiters look at least 60 s apart for a deployment and 20 s for an invalidation
 * (@aws-sdk/client-cloudfront waitForDistributionDeployed / waitForInvalidationCompleted, `minDelay`).
 */
export const WAIT_POLL_FRACTION = 0.01;
export const WAIT_MIN_POLL_SECONDS = 2;
export const WAIT_MAX_POLL_SECONDS = 10;
/** The most one invocation may wait; the function's timeout (lib/workflow/steps.ts CLOUDFRONT_WAIT) is longer. */
export const MAX_WAIT_SECONDS = 840;
/** Throttled looks in a row that one invocation rides out before it hands the retry to the state machine. */
export const MAX_FAILED_LOOKS = 5;

export function waitPollSeconds(elapsedSeconds: number): number {
  const s = Math.round(Math.max(0, elapsedSeconds) * WAIT_POLL_FRACTION);
  return Math.min(WAIT_MAX_POLL_SECONDS, Math.max(WAIT_MIN_POLL_SECONDS, s));
}

/** One look at CloudFront. */
export interface Look {
  /** CloudFront's word, e.g. `InProgress`, `Deployed`, `Completed` */
  readonly status: string;
  readonly done: boolean;
  /** when CloudFront started (LastModifiedTime, CreateTime): the schedule follows CloudFront's own time */
  readonly since?: Date;
}

export interface WaitClock {
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** What one bounded wait reports: small, for the execution history. */
export interface WaitResult {
  readonly status: string;
  /** seconds this invocation waited */
  readonly waitedSeconds: number;
  /** looks at CloudFront (each one API call) */
  readonly looks: number;
}

/**
 * Looks until CloudFront is done or `maxWaitSeconds` would be exceeded, then returns the last status; the
 * caller (the state machine) decides whether to wait again. A throttled or 5xx look is ridden out, up to
 * MAX_FAILED_LOOKS in a row; any other error (including the look's own give-up) ends the wait.
 */
export async function waitUntilDone(
  look: () => Promise<Look>,
  maxWaitSeconds: number,
  clock: WaitClock,
): Promise<WaitResult> {
  const budget = Math.min(Math.max(0, maxWaitSeconds), MAX_WAIT_SECONDS);
  const started = clock.now().getTime();
  const waited = () => (clock.now().getTime() - started) / 1000;
  let status = 'Unknown';
  let since: Date | undefined;
  let looks = 0;
  let failed = 0;
  for (;;) {
    looks++;
    try {
      const answer = await look();
      failed = 0;
      status = answer.status;
      since = answer.since ?? since;
      if (answer.done) break;
    } catch (err) {
      if (!(err instanceof RetryableAwsError) || ++failed >= MAX_FAILED_LOOKS) throw err;
    }
    const elapsed = since === undefined ? waited() : (clock.now().getTime() - since.getTime()) / 1000;
    const pause = waitPollSeconds(elapsed);
    if (waited() + pause > budget) break;
    await clock.sleep(pause * 1000);
  }
  return { status, waitedSeconds: Math.round(waited()), looks };
}

/** How a check step is asked to look: once (Wait-state design) or in a bounded wait (in-Lambda design). */
export interface LookInput {
  /** wait inside the invocation for up to this long; absent: look once and say when to look again */
  readonly maxWaitSeconds?: number;
  /** Wait-state design: the fraction of the time spent to wait before the next look (default POLL_FRACTION) */
  readonly pollFraction?: number;
}

/** Reads the optional `maxWaitSeconds` and `pollFraction` of a check step's input. */
export function lookInput(input: Readonly<Record<string, unknown>>, step: string): LookInput {
  const number = (name: string, min: number, max: number): number | undefined => {
    const v = input[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
      throw new InvalidStepInputError(`${step}: input.${name} must be a number from ${min} to ${max}`);
    return v;
  };
  const maxWaitSeconds = number('maxWaitSeconds', 0, MAX_WAIT_SECONDS);
  const pollFraction = number('pollFraction', 0.001, 1);
  return {
    ...(maxWaitSeconds === undefined ? {} : { maxWaitSeconds }),
    ...(pollFraction === undefined ? {} : { pollFraction }),
  };
}

/** The check step's answer: a bounded wait's result, or one look with when to look again. */
export async function lookOrWait(
  look: () => Promise<Look>,
  how: LookInput,
  clock: WaitClock,
): Promise<WaitResult | { status: string; nextPollSeconds: number }> {
  if (how.maxWaitSeconds !== undefined) return waitUntilDone(look, how.maxWaitSeconds, clock);
  const answer = await look();
  const elapsed = answer.since === undefined ? 0 : (clock.now().getTime() - answer.since.getTime()) / 1000;
  return { status: answer.status, nextPollSeconds: nextPollSeconds(elapsed, how.pollFraction) };
}

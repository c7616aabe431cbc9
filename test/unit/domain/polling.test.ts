import { describe, expect, it } from 'vitest';
import {
  type Look,
  lookInput,
  lookOrWait,
  MAX_FAILED_LOOKS,
  MAX_POLL_SECONDS,
  MAX_WAIT_SECONDS,
  MIN_POLL_SECONDS,
  nextPollSeconds,
  POLL_FRACTION,
  WAIT_MAX_POLL_SECONDS,
  WAIT_MIN_POLL_SECONDS,
  WAIT_POLL_FRACTION,
  waitPollSeconds,
  waitUntilDone,
} from '../../../functions/domain/polling.ts';
import { AwsAccessDeniedError, InvalidStepInputError, RetryableAwsError } from '../../../functions/errors.ts';

describe('nextPollSeconds (Wait-state design)', () => {
  it('waits a fraction of the time already spent, within bounds', () => {
    expect(nextPollSeconds(0)).toBe(MIN_POLL_SECONDS);
    expect(nextPollSeconds(-5)).toBe(MIN_POLL_SECONDS);
    expect(nextPollSeconds(100)).toBe(Math.round(100 * POLL_FRACTION));
    expect(nextPollSeconds(10_000)).toBe(MAX_POLL_SECONDS);
    expect(nextPollSeconds(1000, 0.02)).toBe(20);
  });

  it('never loses more than the fraction (or the minimum) after CloudFront finishes', () => {
    // Simulate polling against completion times and measure the time lost after completion.
    for (const done of [5, 23, 60, 137, 300, 905]) {
      let t = 0;
      while (t < done) t += nextPollSeconds(t);
      expect(t - done).toBeLessThanOrEqual(Math.max(MIN_POLL_SECONDS, done * POLL_FRACTION + 1));
    }
  });
});

/** A simulated clock: sleeping advances it. */
function fakeClock() {
  let ms = Date.UTC(2026, 10, 28);
  const start = ms;
  return {
    now: () => new Date(ms),
    sleep: async (pause: number) => {
      ms += pause;
    },
    seconds: () => (ms - start) / 1000,
    start: new Date(start),
  };
}

/** CloudFront finishing `doneAfter` seconds after `since`. */
function cloudFront(clock: ReturnType<typeof fakeClock>, doneAfter: number) {
  let looks = 0;
  const look = async (): Promise<Look> => {
    looks++;
    const done = clock.seconds() >= doneAfter;
    return { status: done ? 'Deployed' : 'InProgress', done, since: clock.start };
  };
  return { look, looks: () => looks };
}

describe('waitPollSeconds (in-Lambda design)', () => {
  it('looks every 2 s, or 1 % of the time spent, at most every 10 s', () => {
    expect(waitPollSeconds(0)).toBe(WAIT_MIN_POLL_SECONDS);
    expect(waitPollSeconds(-1)).toBe(WAIT_MIN_POLL_SECONDS);
    expect(waitPollSeconds(500)).toBe(Math.round(500 * WAIT_POLL_FRACTION));
    expect(waitPollSeconds(100_000)).toBe(WAIT_MAX_POLL_SECONDS);
  });
});

describe('waitUntilDone', () => {
  it('returns as soon as CloudFront is done, losing at most one look interval', async () => {
    for (const doneAfter of [0, 7, 23, 61, 137, 300, 451, 905, 1499]) {
      const clock = fakeClock();
      const cf = cloudFront(clock, doneAfter);
      // As the state machine does: invoke again while CloudFront is busy.
      let r = await waitUntilDone(cf.look, MAX_WAIT_SECONDS, clock);
      let invocations = 1;
      let looks = r.looks;
      while (r.status !== 'Deployed') {
        r = await waitUntilDone(cf.look, MAX_WAIT_SECONDS, clock);
        invocations++;
        looks += r.looks;
      }
      const lost = clock.seconds() - doneAfter;
      expect(lost, `done after ${doneAfter} s`).toBeGreaterThanOrEqual(0);
      expect(lost).toBeLessThanOrEqual(Math.max(WAIT_MIN_POLL_SECONDS, doneAfter * WAIT_POLL_FRACTION + 1));
      expect(invocations).toBe(Math.max(1, Math.ceil(doneAfter / MAX_WAIT_SECONDS)));
      expect(looks).toBe(cf.looks());
    }
  });

  it('looks once and returns at once when CloudFront is already done', async () => {
    const clock = fakeClock();
    const r = await waitUntilDone(cloudFront(clock, 0).look, 840, clock);
    expect(r).toEqual({ status: 'Deployed', waitedSeconds: 0, looks: 1 });
  });

  it('stops before its budget runs out and reports the last status', async () => {
    const clock = fakeClock();
    const r = await waitUntilDone(cloudFront(clock, 10_000).look, 60, clock);
    expect(r.status).toBe('InProgress');
    expect(r.waitedSeconds).toBeLessThanOrEqual(60);
    expect(r.waitedSeconds).toBeGreaterThanOrEqual(60 - WAIT_MAX_POLL_SECONDS);
  });

  it('never waits longer than MAX_WAIT_SECONDS, whatever it is asked', async () => {
    const clock = fakeClock();
    const r = await waitUntilDone(cloudFront(clock, 100_000).look, 100_000, clock);
    expect(r.waitedSeconds).toBeLessThanOrEqual(MAX_WAIT_SECONDS);
  });

  it('rides out a few throttled looks, then hands a lasting throttle to the state machine', async () => {
    const clock = fakeClock();
    let n = 0;
    const flaky = async (): Promise<Look> => {
      n++;
      if (n <= MAX_FAILED_LOOKS - 1) throw new RetryableAwsError('GetDistribution: ThrottlingException');
      return { status: 'Deployed', done: true };
    };
    await expect(waitUntilDone(flaky, 840, clock)).resolves.toMatchObject({ status: 'Deployed' });

    const throttled = async (): Promise<Look> => {
      throw new RetryableAwsError('GetDistribution: ThrottlingException');
    };
    await expect(waitUntilDone(throttled, 840, fakeClock())).rejects.toBeInstanceOf(RetryableAwsError);
  });

  it('stops at the first error that retrying cannot help', async () => {
    let n = 0;
    const denied = async (): Promise<Look> => {
      n++;
      throw new AwsAccessDeniedError('GetDistribution: AccessDenied');
    };
    await expect(waitUntilDone(denied, 840, fakeClock())).rejects.toBeInstanceOf(AwsAccessDeniedError);
    expect(n).toBe(1);
  });
});

describe('lookInput and lookOrWait', () => {
  it('reads the optional budget and poll fraction, refusing anything else', () => {
    expect(lookInput({}, 'checkDeployment')).toEqual({});
    expect(lookInput({ maxWaitSeconds: 840, pollFraction: 0.02 }, 'checkDeployment')).toEqual({
      maxWaitSeconds: 840,
      pollFraction: 0.02,
    });
    expect(() => lookInput({ maxWaitSeconds: '840' }, 'checkDeployment')).toThrow(InvalidStepInputError);
    expect(() => lookInput({ maxWaitSeconds: MAX_WAIT_SECONDS + 1 }, 'checkDeployment')).toThrow(
      /maxWaitSeconds must be a number from 0 to 840/,
    );
    expect(() => lookInput({ pollFraction: 0 }, 'checkDeployment')).toThrow(InvalidStepInputError);
  });

  it('looks once and says when to look again without a budget, waits with one', async () => {
    const clock = fakeClock();
    await clock.sleep(200_000);
    const look = async (): Promise<Look> => ({ status: 'InProgress', done: false, since: clock.start });
    await expect(lookOrWait(look, {}, clock)).resolves.toEqual({
      status: 'InProgress',
      nextPollSeconds: Math.round(200 * POLL_FRACTION),
    });
    await expect(lookOrWait(look, { pollFraction: 0.02 }, clock)).resolves.toEqual({
      status: 'InProgress',
      nextPollSeconds: 4,
    });
    const r = await lookOrWait(look, { maxWaitSeconds: 30 }, clock);
    expect(r).toMatchObject({ status: 'InProgress' });
    expect(clock.seconds()).toBeGreaterThan(200);
  });
});

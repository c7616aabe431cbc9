import { describe, expect, it } from 'vitest';
import {
  MAX_POLL_SECONDS,
  MIN_POLL_SECONDS,
  nextPollSeconds,
  POLL_FRACTION,
} from '../../../functions/domain/polling.ts';

describe('nextPollSeconds', () => {
  it('waits a fraction of the time already spent, within bounds', () => {
    expect(nextPollSeconds(0)).toBe(MIN_POLL_SECONDS);
    expect(nextPollSeconds(-5)).toBe(MIN_POLL_SECONDS);
    expect(nextPollSeconds(100)).toBe(Math.round(100 * POLL_FRACTION));
    expect(nextPollSeconds(10_000)).toBe(MAX_POLL_SECONDS);
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

import { describe, expect, it } from 'vitest';
import { fullJitterBackoffMs, TokenBucket } from '../../../functions/domain/scan.ts';

describe('TokenBucket', () => {
  it('admits a burst of `capacity`, then `rate` a second', () => {
    const b = new TokenBucket(10, 3, 0);
    expect([b.tryTake(0), b.tryTake(0), b.tryTake(0), b.tryTake(0)]).toEqual([true, true, true, false]);
    expect(b.tryTake(50)).toBe(false);
    expect(b.tryTake(100)).toBe(true);
    expect(b.tryTake(100)).toBe(false);
  });

  it('never saves more than its capacity', () => {
    const b = new TokenBucket(10, 2, 0);
    const admitted = [0, 0, 0].map(() => b.tryTake(60_000)).filter(Boolean).length;
    expect(admitted).toBe(2);
  });

  it('paces reservations in order, each one 1/rate after the previous', () => {
    const b = new TokenBucket(4, 1, 0);
    expect(b.reserve(0)).toBe(0);
    expect(b.reserve(0)).toBe(250);
    expect(b.reserve(0)).toBe(500);
    // 500 ms later the debt has shrunk by two tokens
    expect(b.reserve(500)).toBe(250);
  });

  it('refuses a rate that is not positive', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(5, 0, 0)).toThrow(RangeError);
  });
});

describe('fullJitterBackoffMs', () => {
  const opts = { baseMs: 100, capMs: 1_000 };

  it('doubles the ceiling with each retry up to the cap', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 6].map((n) => fullJitterBackoffMs(n, opts, top))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });

  it('draws uniformly below the ceiling', () => {
    expect(fullJitterBackoffMs(3, opts, () => 0)).toBe(0);
    expect(fullJitterBackoffMs(3, opts, () => 0.5)).toBe(200);
  });
});

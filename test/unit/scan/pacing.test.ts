import { describe, expect, it } from 'vitest';
import { adaptedRate, fullJitterBackoffMs, TokenBucket } from '../../../functions/domain/scan.ts';

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

  it('keeps what it earned at the old rate when the rate changes', () => {
    const b = new TokenBucket(10, 1, 0);
    expect(b.tryTake(0)).toBe(true);
    b.setRate(1, 50); // half a token earned at 10/s
    expect(b.ratePerSecond).toBe(1);
    expect(b.tryTake(50)).toBe(false);
    expect(b.tryTake(550)).toBe(true);
  });

  it('gives up its saved tokens when drained, keeping any debt', () => {
    const b = new TokenBucket(10, 5, 0);
    b.drain(0);
    expect(b.tryTake(0)).toBe(false);
    expect(b.tryTake(100)).toBe(true);
    expect(b.reserve(100)).toBe(100);
    b.drain(100);
    expect(b.reserve(100)).toBe(200);
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

describe('adaptedRate', () => {
  it('halves on throttling, down to one call a second', () => {
    expect(adaptedRate(40, 40, true)).toBe(20);
    expect(adaptedRate(1.5, 40, true)).toBe(1);
  });

  it('climbs back by 1 % per answered call, never above the pace asked for', () => {
    expect(adaptedRate(20, 40, false)).toBeCloseTo(20.2, 9);
    expect(adaptedRate(39.9, 40, false)).toBe(40);
  });
});

// Retry pacing shared by the step adapters and the scanner.

export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

/** Exponential backoff with full jitter: uniform in [0, min(cap, base × 2^(retry-1))). `retry` counts from 1. */
export function fullJitterBackoffMs(retry: number, opts: BackoffOptions, random: () => number): number {
  const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, retry - 1));
  return random() * ceiling;
}

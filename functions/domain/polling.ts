// When to look again at a deployment or invalidation. Waiting a fixed fraction of the time already spent
// bounds the time lost after CloudFront finishes to that fraction of CloudFront's own time, at the price
// of a few more (cheap) state transitions early on.

export const POLL_FRACTION = 0.08;
export const MIN_POLL_SECONDS = 2;
export const MAX_POLL_SECONDS = 30;

export function nextPollSeconds(elapsedSeconds: number): number {
  const s = Math.round(Math.max(0, elapsedSeconds) * POLL_FRACTION);
  return Math.min(MAX_POLL_SECONDS, Math.max(MIN_POLL_SECONDS, s));
}

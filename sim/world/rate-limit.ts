// Per-service request rate limits of the simulated account (`simulation.rateLimit`), in real time: a
// token bucket per service, one second's worth of burst, as AWS throttles its control-plane APIs.
import { TokenBucket } from '../../functions/domain/scan.ts';
import type { Simulation } from '../scenario/types.ts';
import type { ServiceName } from './errors.ts';

export class RateLimits {
  private readonly buckets = new Map<ServiceName, TokenBucket>();

  constructor(
    limits: Simulation['rateLimit'],
    private readonly now: () => number = () => performance.now(),
  ) {
    for (const [service, rate] of Object.entries(limits ?? {}) as [ServiceName, number | undefined][]) {
      if (rate !== undefined) this.buckets.set(service, new TokenBucket(rate, Math.max(1, rate), this.now()));
    }
  }

  /** False when the call exceeds the service's rate and must be answered with throttling. */
  admit(service: ServiceName): boolean {
    return this.buckets.get(service)?.tryTake(this.now()) ?? true;
  }
}

// `cf403 scan`: a read-only audit of every distribution in the account. Distributions are collected
// by a small pool of workers; CloudFront calls are paced by a token bucket (its control-plane limits
// are low) and retried on throttling with exponential backoff and full jitter.
import {
  type CloudFrontClient,
  ListDistributionsCommand,
  type ListDistributionsCommandOutput,
} from '@aws-sdk/client-cloudfront';
import {
  adaptedRate,
  fullJitterBackoffMs,
  type LatentFinding,
  latentFindings,
  TokenBucket,
} from '../domain/scan.ts';
import { errorCode, toStepError } from './aws-call.ts';
import type { AwsClients } from './clients.ts';
import { collectEvidence } from './collector.ts';
import type { Prober } from './prober.ts';
import { defaultRequests, type RequestLog } from './request-log.ts';

export const SCAN_DEFAULTS = {
  concurrency: 8,
  /** CloudFront calls per second: its control-plane APIs allow only a few */
  ratePerSecond: 10,
  maxAttempts: 6,
  backoff: { baseMs: 200, capMs: 5_000 },
} as const;

const THROTTLED = new Set([
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'RequestLimitExceeded',
]);

export interface ScanOptions {
  /** region of the S3, KMS and S3 Control clients (CloudFront is global) */
  region: string;
  /** distributions collected at once (default 8) */
  concurrency?: number;
  /** CloudFront calls per second (default 10) */
  ratePerSecond?: number;
  /** burst of CloudFront calls the bucket allows (default: one second's worth) */
  burst?: number;
  /** attempts per CloudFront call when it is throttled (default 6) */
  maxAttempts?: number;
  /** distributions per ListDistributions page (default: the API's, 100) */
  pageSize?: number;
  /** called after each distribution; `total` grows while the listing pages in */
  onProgress?: (progress: ScanProgress) => void;
  /** waits (tests and simulations may replace it) */
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
}

export interface ScanProgress {
  done: number;
  total: number;
  /** every page of ListDistributions has been read */
  listed: boolean;
}

export interface ScannedDistribution {
  id: string;
  domainName: string;
  causes: LatentFinding[];
  /** set when the distribution could not be audited */
  error?: string;
}

export interface ScanReport {
  distributions: ScannedDistribution[];
  scanned: number;
  failed: number;
  seconds: number;
}

export interface ScanStats {
  /** CloudFront requests sent, retries included */
  cloudfrontCalls: number;
  /** of which answered with throttling */
  throttled: number;
  /** calls that gave up after maxAttempts */
  exhausted: number;
}

export interface ScanResult extends ScanReport {
  stats: ScanStats;
}

export class ScanError extends Error {
  override name = 'ScanError';
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface Pacing {
  bucket: TokenBucket;
  /** the pace asked for: the bucket slows down on throttling and comes back up to this */
  maxRate: number;
  maxAttempts: number;
  backoff: { baseMs: number; capMs: number };
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  now: () => number;
  stats: ScanStats;
}

/**
 * The same client with `send` paced by the bucket and retried on throttling. A proxy rather than a
 * middleware: the caller's client is left untouched, and it works the same for a client answered by
 * the simulated account (whose middleware never calls further down the stack).
 */
export function pacedClient<C extends { send: CloudFrontClient['send'] }>(client: C, pacing: Pacing): C {
  // Calls sent before the last slow-down were paced too fast already: their refusals do not slow down again.
  let lastSlowDown = Number.NEGATIVE_INFINITY;
  const pace = (throttled: boolean) => {
    const rate = adaptedRate(pacing.bucket.ratePerSecond, pacing.maxRate, throttled);
    pacing.bucket.setRate(rate, pacing.now());
  };
  const send = async (command: Parameters<CloudFrontClient['send']>[0]) => {
    for (let attempt = 1; ; attempt++) {
      const wait = pacing.bucket.reserve(pacing.now());
      // Timers may fire a millisecond early: never arrive before the token does.
      if (wait > 0) await pacing.sleep(Math.ceil(wait) + 1);
      pacing.stats.cloudfrontCalls++;
      const sentAt = pacing.now();
      try {
        const out = await client.send(command);
        pace(false);
        return out;
      } catch (err) {
        if (!THROTTLED.has(errorCode(err))) throw err;
        if (sentAt >= lastSlowDown) {
          pace(true);
          pacing.bucket.drain(pacing.now());
          lastSlowDown = pacing.now();
        }
        pacing.stats.throttled++;
        if (attempt >= pacing.maxAttempts) {
          pacing.stats.exhausted++;
          throw err;
        }
        await pacing.sleep(fullJitterBackoffMs(attempt, pacing.backoff, pacing.random));
      }
    }
  };
  return new Proxy(client, {
    get(target, prop, receiver) {
      if (prop === 'send') return send;
      const value: unknown = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

interface Listed {
  /** position in the listing */
  index: number;
  id: string;
  domainName: string;
  arn: string;
}

/** Every distribution, page by page (CloudFront's Marker / NextMarker paging). */
export async function* listDistributions(
  cloudfront: CloudFrontClient,
  pageSize?: number,
): AsyncGenerator<Listed> {
  let marker: string | undefined;
  let index = 0;
  do {
    let out: ListDistributionsCommandOutput;
    try {
      out = await cloudfront.send(
        new ListDistributionsCommand({
          ...(marker ? { Marker: marker } : {}),
          ...(pageSize !== undefined ? { MaxItems: pageSize } : {}),
        }),
      );
    } catch (err) {
      throw new ScanError(toStepError(err, 'ListDistributions').message, { cause: err });
    }
    const list = out.DistributionList;
    for (const d of list?.Items ?? []) {
      if (d.Id) yield { index: index++, id: d.Id, domainName: d.DomainName ?? '', arn: d.ARN ?? '' };
    }
    marker = list?.IsTruncated ? list.NextMarker : undefined;
  } while (marker);
}

/** The account id in a distribution ARN (`arn:aws:cloudfront::123456789012:distribution/E...`). */
export function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/** The scan never probes. */
const NO_PROBES: Prober = {
  probe: () => Promise.reject(new ScanError('cf403 scan sends no probes')),
};

/** The requests every viewer starts with: the site root and the default root object. */
const DEFAULT_REQUESTS: RequestLog = { failingRequests: async (dist) => defaultRequests(dist) };

/** Audits every distribution for latent 403 causes. Sends only read calls. */
export async function scanAccount(clients: AwsClients, options: ScanOptions): Promise<ScanResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const rate = options.ratePerSecond ?? SCAN_DEFAULTS.ratePerSecond;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? SCAN_DEFAULTS.concurrency));
  const stats: ScanStats = { cloudfrontCalls: 0, throttled: 0, exhausted: 0 };
  const cloudfront = pacedClient(clients.cloudfront, {
    bucket: new TokenBucket(rate, Math.max(1, options.burst ?? rate), now()),
    maxRate: rate,
    maxAttempts: options.maxAttempts ?? SCAN_DEFAULTS.maxAttempts,
    backoff: SCAN_DEFAULTS.backoff,
    sleep: options.sleep ?? realSleep,
    random: options.random ?? Math.random,
    now,
    stats,
  });
  const paced: AwsClients = { ...clients, cloudfront };

  const results: { index: number; entry: ScannedDistribution }[] = [];
  const progress: ScanProgress = { done: 0, total: 0, listed: false };
  const listing = listDistributions(cloudfront, options.pageSize);
  // Concurrent next() calls on one async generator are queued, so each worker gets its own distribution
  // and work starts as soon as the first page arrives.
  const next = async (): Promise<Listed | undefined> => {
    const r = await listing.next();
    if (r.done) {
      progress.listed = true;
      return undefined;
    }
    progress.total++;
    return r.value;
  };

  const worker = async () => {
    for (let d = await next(); d !== undefined; d = await next()) {
      const entry: ScannedDistribution = { id: d.id, domainName: d.domainName, causes: [] };
      try {
        const ev = await collectEvidence(paced, NO_PROBES, DEFAULT_REQUESTS, {
          distributionId: d.id,
          account: accountOfArn(d.arn),
          region: options.region,
          probe: false,
        });
        entry.causes = latentFindings(ev);
        // A read that stayed throttled leaves a hole in the evidence: say so rather than pass it as clean.
        const gaveUp = ev.calls.filter((c) => !c.ok && THROTTLED.has(c.code ?? ''));
        if (gaveUp.length > 0) {
          entry.error = `incomplete: ${gaveUp.map((c) => `${c.api} ${c.target}`).join(', ')} stayed throttled`;
        }
      } catch (err) {
        entry.error = err instanceof Error ? err.message : String(err);
      }
      results.push({ index: d.index, entry });
      progress.done++;
      options.onProgress?.({ ...progress });
    }
  };
  // Every worker stops before the scan fails, so nothing is left running behind a thrown error.
  const settled = await Promise.allSettled(Array.from({ length: concurrency }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;

  // Listing order, whatever order the workers finished in.
  const distributions = results.sort((a, b) => a.index - b.index).map((r) => r.entry);
  const failed = distributions.filter((r) => r.error !== undefined).length;
  return {
    distributions,
    scanned: distributions.length - failed,
    failed,
    seconds: Math.round((now() - started) / 10) / 100,
    stats,
  };
}

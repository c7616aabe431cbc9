// Alarms that are noise: scanners probing paths that never existed make a 4xx alarm fire while the site
// works. Without s3:ListBucket, S3 answers such misses with 403 (S3 User Guide, "How Amazon S3 authorizes a
// request": 404 only for a requester that may list), so they look like refusals. Such requests are set
// aside before the diagnosis: neither diagnosed nor verified, but kept, with the advice for a better alarm.
import { scannerProbe } from './causes/shared/intent.ts';
import { resolveRequests } from './routing.ts';
import type { Diagnosis, Evidence, NoiseEvidence, ProbeResult } from './types.ts';

/** The site's front page answered: real pages are served. */
function served(control: ProbeResult | undefined): boolean {
  return control !== undefined && control.status >= 200 && control.status < 400;
}

/** The path a control probe asks for: `/` when a default root object serves it, else `/index.html`. */
export function controlPath(ev: Pick<Evidence, 'distribution'>): string {
  return (ev.distribution.DistributionConfig.DefaultRootObject ?? '') === '' ? '/index.html' : '/';
}

/**
 * Moves the failing requests that are noise out of `requests`/`probes` into `noise`: a scanner path S3
 * refused, whose key HeadObject says does not exist. Only while the control probe shows the site serving,
 * or while other failing requests remain to carry an outage: scanner probes alone never hide one. When
 * they are all the logs show and the front page is refused too, the front page stands for the outage.
 */
export function setAsideNoise(ev: Evidence): Evidence {
  const noisy = new Map<number, string>();
  for (const r of resolveRequests(ev)) {
    const probe = r.probe;
    const what = scannerProbe(r.path);
    const bucket = r.origin?.bucket ? ev.buckets[r.origin.bucket] : undefined;
    const head = r.key !== undefined ? bucket?.objects[r.key] : undefined;
    if (!what || !bucket || probe?.status !== 403 || probe.fingerprint.source !== 's3') continue;
    if (!head?.ok || head.value.exists) continue;
    noisy.set(
      r.index,
      `${r.request.method} ${r.path}: ${what}; HeadObject s3://${bucket.name}/${r.key}: does not exist, and S3 answers 403 for a missing key when the requester may not list the bucket`,
    );
  }
  const up = served(ev.control);
  const frontDown = !up && noisy.size === ev.requests.length;
  if (noisy.size === 0 || (frontDown && ev.control?.status !== 403)) return ev;
  const keep = (_: unknown, i: number) => !noisy.has(i);
  const drop = (_: unknown, i: number) => noisy.has(i);
  const buckets = [
    ...new Set(
      resolveRequests(ev)
        .filter((r) => noisy.has(r.index))
        .map((r) => r.origin?.bucket ?? ''),
    ),
  ];
  const control = ev.control;
  const front =
    frontDown && control
      ? { request: { url: control.url, method: control.method }, probe: control }
      : undefined;
  return {
    ...ev,
    requests: front ? [front.request] : ev.requests.filter(keep),
    probes: front ? [front.probe] : ev.probes.filter(keep),
    noise: {
      requests: ev.requests.filter(drop),
      probes: ev.probes.filter(drop),
      evidence: [
        ...noisy.values(),
        up
          ? `control probe GET ${control ? new URL(control.url).pathname : '/'}: ${control?.status ?? '?'}, real pages are served`
          : front
            ? `control probe GET ${new URL(front.request.url).pathname}: 403 as well: the front page stands for the outage in their place`
            : `the other failing requests carry the outage; these would stay 403 whatever is fixed`,
      ],
      advice: [
        `Alarm on the 403ErrorRate metric (an additional CloudFront metric) with a request-count floor, e.g. metric math IF(Requests > 100, 403ErrorRate, 0) above 5 % for 3 of 5 minutes, so a burst of scanner probes cannot raise it alone`,
        `Or allow the origin identity s3:ListBucket on ${buckets.map((b) => `arn:aws:s3:::${b}`).join(', ')}, so S3 answers keys that do not exist with 404 instead of 403 and 403ErrorRate counts only real refusals`,
      ],
    },
  };
}

/** The diagnosis' account of the requests set aside. */
export function noiseSummary(noise: NoiseEvidence): NonNullable<Diagnosis['noise']> {
  return {
    summary: `${noise.requests.length} failing request(s) are scanners probing paths that never existed, while real pages are served: not an outage, set aside`,
    evidence: noise.evidence,
    advice: noise.advice,
  };
}

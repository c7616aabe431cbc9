// Did the fix cure the failing requests? Judged by cause (issue 10): a request is cured when it no longer
// fails; it is not cured when it still fails for the reason that was fixed, or now fails at the origin for
// another; it cannot be verified from the probe when CloudFront refuses the prober itself (geo or WAF against
// its own location or identity), since such a request never reaches what was fixed. When nothing can be
// verified from the probe, the viewers' side decides: the distribution's error rate falling back under the
// alarm's threshold, or the alarm returning to OK, within a bounded wait. A fix is rolled back only on
// evidence that it did not cure.
import { describeProbe } from './fingerprint.ts';
import type { Evidence, ProbeResult } from './types.ts';
import { vantageBlocks } from './vantage.ts';

export type Verdict = 'cured' | 'not-cured' | 'unverifiable';

export interface RequestCheck {
  url: string;
  method: string;
  verdict: Verdict;
  reason: string;
  /** status the probe saw after the fix */
  status: number;
}

const PROBER_REFUSALS = new Set(['cf-geo-blocked', 'cf-waf-blocked']);

function same(a: ProbeResult, b: ProbeResult): boolean {
  return a.fingerprint.kind === b.fingerprint.kind && a.fingerprint.code === b.fingerprint.code;
}

/** Each failing request, judged from the probe's answers before and after the fix. */
export function checkProbes(ev: Evidence, after: readonly ProbeResult[]): RequestCheck[] {
  const blocks = vantageBlocks(ev, after);
  return ev.requests.flatMap((r, i): RequestCheck[] => {
    const now = after[i];
    if (now === undefined) return [];
    const before = ev.probes[i];
    const base = { url: r.url, method: r.method, status: now.status };
    if (now.status !== 403) {
      return [
        {
          ...base,
          verdict: 'cured',
          reason: `${describeProbe(now)}${before?.status === 403 ? ` (was ${describeProbe(before)})` : ''}`,
        },
      ];
    }
    if (PROBER_REFUSALS.has(now.fingerprint.kind)) {
      // A fix never changes geo restrictions or web ACLs: this refusal is CloudFront's, for the prober.
      const block = blocks.find((b) => b.index === i);
      return [
        {
          ...base,
          verdict: 'unverifiable',
          reason:
            block?.reason ??
            `${describeProbe(now)}: CloudFront refuses the prober before the origin, so the fix cannot be seen from here`,
        },
      ];
    }
    if (before !== undefined && before.status === 403 && same(before, now)) {
      return [
        {
          ...base,
          verdict: 'not-cured',
          reason: `still ${describeProbe(now)}: the reason that was fixed still refuses it`,
        },
      ];
    }
    return [
      {
        ...base,
        verdict: 'not-cured',
        reason: `now ${describeProbe(now)}${before ? ` (was ${describeProbe(before)})` : ''}: still refused`,
      },
    ];
  });
}

/** Not cured on any evidence of failure; cured when some request is seen cured; else unverifiable. */
export function probeVerdict(checks: readonly RequestCheck[]): Verdict {
  if (checks.some((c) => c.verdict === 'not-cured')) return 'not-cured';
  if (checks.some((c) => c.verdict === 'cured')) return 'cured';
  return 'unverifiable';
}

// ---- the viewers' side -----------------------------------------------------------------------------

export interface Datapoint {
  at: string;
  value: number;
}

export interface AlarmView {
  name: string;
  metric: string;
  threshold: number;
  comparison: string;
  state: string;
  /** when the alarm entered its state, ISO */
  since?: string;
}

export interface ViewerEvidence {
  /** 403ErrorRate when CloudFront's additional metrics are on, else 4xxErrorRate */
  metric: string;
  threshold: number;
  /** datapoints since the fix, oldest first */
  datapoints: Datapoint[];
  alarm?: AlarmView;
}

/**
 * The viewers' side is watched inside the verify invocation: a look every minute (CloudFront publishes
 * one-minute metrics) for at most 10 minutes. The verify function's timeout leaves two minutes beyond it
 * (lib/cloudfront-403-remediation.ts); Lambda allows 900 s at most.
 */
export const VIEWER_CHECK = { maxWaitSeconds: 600, pollSeconds: 60, timeoutSeconds: 720 } as const;

/** Consecutive one-minute datapoints under the threshold that count as recovered. */
export const RECOVERED_POINTS = 3;

function breaching(value: number, threshold: number, comparison: string): boolean {
  switch (comparison) {
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return value >= threshold;
  }
}

export type ViewerVerdict = { verdict: Verdict | 'pending'; reason: string };

/**
 * The viewers' verdict so far. `since`: when the fix took effect; `final`: the bounded wait is over, so
 * what is still open becomes a verdict (in breach: not cured; no data: unverifiable).
 */
export function judgeViewers(v: ViewerEvidence, since: Date, final: boolean): ViewerVerdict {
  const comparison = v.alarm?.comparison ?? 'GreaterThanOrEqualToThreshold';
  const line = `${v.metric} ${comparison === 'GreaterThanOrEqualToThreshold' ? '>=' : comparison} ${v.threshold}`;
  if (v.alarm && v.alarm.state === 'OK' && v.alarm.since !== undefined && new Date(v.alarm.since) >= since) {
    return { verdict: 'cured', reason: `alarm ${v.alarm.name} returned to OK at ${v.alarm.since}` };
  }
  const points = v.datapoints.filter((p) => new Date(p.at) >= since);
  const recent = points.slice(-RECOVERED_POINTS);
  const shown = (ps: readonly Datapoint[]) => ps.map((p) => `${p.value.toFixed(1)} %`).join(', ');
  if (
    recent.length === RECOVERED_POINTS &&
    recent.every((p) => !breaching(p.value, v.threshold, comparison))
  ) {
    return {
      verdict: 'cured',
      reason: `${v.metric} fell back under the alarm's threshold (${line} %): ${shown(recent)} in the last ${RECOVERED_POINTS} minutes since the fix`,
    };
  }
  if (!final)
    return { verdict: 'pending', reason: `${v.metric}: ${points.length} datapoint(s) since the fix` };
  if (points.length === 0) {
    return {
      verdict: 'unverifiable',
      reason: `no ${v.metric} datapoints since the fix (no viewer traffic, or CloudFront has not published them yet)`,
    };
  }
  const last = points[points.length - 1];
  if (last !== undefined && breaching(last.value, v.threshold, comparison)) {
    return {
      verdict: 'not-cured',
      reason: `${v.metric} stayed in breach of the alarm's threshold (${line} %) after the fix: ${shown(points.slice(-RECOVERED_POINTS))}`,
    };
  }
  return {
    verdict: 'unverifiable',
    reason: `${v.metric} is under the threshold only for ${points.length} minute(s), fewer than the ${RECOVERED_POINTS} the verification needs`,
  };
}

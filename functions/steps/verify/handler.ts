// Verify the fix by cause (issue 10): probe every failing request again and judge each one against what
// refused it before; what the probe cannot see (CloudFront refusing the prober itself) is verified from the
// viewers' side, in CloudWatch, within a bounded wait. `cured` is false only on evidence that the fix did not
// cure: that, and only that, rolls it back.
import { ViewerMetricsReader } from '../../adapters/viewer-metrics.ts';
import { toProbeResult } from '../../domain/fingerprint.ts';
import type { Evidence } from '../../domain/types.ts';
import {
  checkProbes,
  judgeViewers,
  probeVerdict,
  type RequestCheck,
  type Verdict,
  VIEWER_CHECK,
  type ViewerEvidence,
} from '../../domain/verification.ts';
import { inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export interface ViewerCheck extends ViewerEvidence {
  verdict: Verdict;
  reason: string;
  waitedSeconds: number;
}

async function watchViewers(deps: StepDeps, ev: Evidence): Promise<ViewerCheck> {
  const reader = new ViewerMetricsReader(deps.clients.cloudwatch);
  const since = deps.now();
  let waited = 0;
  let last: ViewerEvidence = { metric: '4xxErrorRate', threshold: 0, datapoints: [] };
  for (;;) {
    const final = waited >= VIEWER_CHECK.maxWaitSeconds;
    try {
      last = await reader.evidence(ev.distribution.Id, ev.alarmName, since, deps.now());
    } catch (err) {
      // never silent: a viewers' side that cannot be read leaves the fix unverified, and says why
      return {
        ...last,
        verdict: 'unverifiable',
        reason: `CloudWatch could not be read: ${(err as Error)?.message ?? String(err)}`,
        waitedSeconds: waited,
      };
    }
    const judged = judgeViewers(last, since, final);
    if (judged.verdict !== 'pending')
      return { ...last, verdict: judged.verdict, reason: judged.reason, waitedSeconds: waited };
    await deps.sleep(VIEWER_CHECK.pollSeconds * 1000);
    waited += VIEWER_CHECK.pollSeconds;
  }
}

function summary(checks: readonly RequestCheck[]): string {
  const count = (v: Verdict) => checks.filter((c) => c.verdict === v).length;
  return `probe: ${count('cured')} cured, ${count('not-cured')} not cured, ${count('unverifiable')} could not be verified from where the probe stands`;
}

export async function run(input: unknown, deps: StepDeps) {
  const ev = await deps.artifacts.get<Evidence>(
    refField(inputObject(input, 'verify'), 'evidenceRef', 'verify'),
  );
  const results = await Promise.all(
    ev.requests.map(async (r) => {
      const req = { url: r.url, method: r.method };
      return toProbeResult(req, await deps.prober.probe(req));
    }),
  );
  const probes = results.map(({ bodyExcerpt: _b, ...p }) => p);
  const requests = checkProbes(ev, results);
  const fromProbe = probeVerdict(requests);
  if (fromProbe !== 'unverifiable') {
    deps.logger.info('verification', { verdict: fromProbe, statuses: probes.map((p) => p.status) });
    return {
      cured: fromProbe === 'cured',
      verdict: fromProbe,
      verifiedBy: 'probe' as const,
      reason: summary(requests),
      probes,
      requests,
    };
  }
  // Nothing could be verified from the probe: the viewers decide (never silently).
  const viewers = await watchViewers(deps, ev);
  deps.logger.info('verification', { verdict: viewers.verdict, from: 'viewers', reason: viewers.reason });
  return {
    // kept on anything but evidence that it did not cure
    cured: viewers.verdict !== 'not-cured',
    verdict: viewers.verdict,
    verifiedBy: viewers.verdict === 'unverifiable' ? ('none' as const) : ('viewer-metrics' as const),
    reason: `${summary(requests)}; viewers: ${viewers.reason}`,
    probes,
    requests,
    viewers,
  };
}

export const handler = lambdaHandler(run, STEP_CLIENTS.verify, 'verify');

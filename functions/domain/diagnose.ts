// Classification: every cause module looks at the same evidence; findings are ranked by confidence.

import type { DetectContext } from './causes/cause.ts';
import { CAUSE_MODULES } from './causes/index.ts';
import { noiseSummary } from './noise.ts';
import { resolveRequests } from './routing.ts';
import type { Diagnosis, Evidence, Finding } from './types.ts';
import { unexplainedEvidence } from './unexplained.ts';
import { standInProbe, vantageBlocks } from './vantage.ts';

export function detectContext(ev: Evidence): DetectContext {
  // A request the probe cannot make as a viewer would (CloudFront refuses the prober's own location or
  // identity) is judged by the viewer's access-log record instead (issue 10).
  const vantage = vantageBlocks(ev);
  const resolved = resolveRequests(ev).map((r) => {
    const block = vantage.find((b) => b.index === r.index);
    return block && r.probe ? { ...r, probe: standInProbe(r.request, r.origin?.kind, r.probe, block) } : r;
  });
  const failing = resolved.filter((r) => r.probe?.status === 403);
  return { ev, resolved, failing, vantage };
}

/**
 * What the URI rewrites did to a finding's requests: a CloudFront Function's rewrite (replayed, so the
 * key is known) is stated; a Lambda@Edge association that may rewrite (not replayable) is stated and
 * lowers the confidence of a finding that rests on the S3 key it predicts.
 */
export function withRewrites(ctx: DetectContext, finding: Finding): Finding {
  const reqs = ctx.resolved.filter((r) => finding.requests?.includes(r.index));
  const lines: string[] = [];
  const unreplayed = new Map<string, string[]>();
  for (const r of reqs) {
    if (r.rewrittenBy)
      lines.push(
        `TestFunction ${r.rewrittenBy}: ${r.request.method} ${r.path} is passed on as ${r.uri}${r.key !== undefined ? ` (S3 key ${r.key})` : ''}`,
      );
    if (r.origin?.kind !== 's3-rest' && r.origin?.kind !== 's3-website') continue;
    for (const fn of r.unreplayed ?? []) unreplayed.set(fn, [...(unreplayed.get(fn) ?? []), r.key ?? r.path]);
  }
  for (const [fn, keys] of unreplayed) {
    lines.push(
      `${fn} may rewrite the URI, and Lambda@Edge cannot be replayed: S3 key(s) ${[...new Set(keys)].join(', ')} are predicted without it (confidence lowered)`,
    );
  }
  if (lines.length === 0) return finding;
  return {
    ...finding,
    confidence: unreplayed.size > 0 ? Math.round(finding.confidence * 0.85 * 100) / 100 : finding.confidence,
    evidence: [...finding.evidence, ...new Set(lines)],
  };
}

export function diagnose(ev: Evidence): Diagnosis {
  const ctx = detectContext(ev);
  const causes: Finding[] = [];
  for (const mod of CAUSE_MODULES) {
    const finding = mod.detect(ctx);
    if (finding) causes.push(withRewrites(ctx, finding));
  }
  // Equal confidence: the cause keeping more probed requests at 403 first; then (stable sort) catalog
  // order, which puts root causes before symptoms.
  // A refusal that looks deliberate (issue 11) is likely not the outage: it comes after the causes that
  // explain other failing requests (one hiding the same requests keeps its rank).
  const deliberate = (f: Finding) =>
    f.subject?.intentional &&
    causes.some(
      (o) => !o.subject?.intentional && (o.requests ?? []).some((i) => !(f.requests ?? []).includes(i)),
    )
      ? 1
      : 0;
  causes.sort(
    (a, b) =>
      deliberate(a) - deliberate(b) ||
      b.confidence - a.confidence ||
      (b.requests?.length ?? 0) - (a.requests?.length ?? 0),
  );
  const unreproducible = (ctx.vantage ?? []).flatMap((b) => {
    const r = ev.requests[b.index];
    return r ? [{ url: r.url, method: r.method, kind: b.kind, reason: b.reason }] : [];
  });
  const reproduced = ctx.failing.length > 0 || causes.length > 0;
  return {
    reproduced,
    causes,
    ...(unreproducible.length > 0 ? { unreproducible } : {}),
    // Requests set aside as noise, and an escalation without a cause: the evidence goes along (issue 11).
    ...(ev.noise ? { noise: noiseSummary(ev.noise) } : {}),
    ...(reproduced && causes.length === 0 ? { unexplained: unexplainedEvidence(ctx) } : {}),
  };
}

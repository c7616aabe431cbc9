// Classification: every cause module looks at the same evidence; findings are ranked by confidence.

import type { DetectContext } from './causes/cause.ts';
import { CAUSE_MODULES } from './causes/index.ts';
import { resolveRequests } from './routing.ts';
import type { Diagnosis, Evidence, Finding } from './types.ts';

export function detectContext(ev: Evidence): DetectContext {
  const resolved = resolveRequests(ev);
  const failing = resolved.filter((r) => r.probe?.status === 403);
  return { ev, resolved, failing };
}

export function diagnose(ev: Evidence): Diagnosis {
  const ctx = detectContext(ev);
  const causes: Finding[] = [];
  for (const mod of CAUSE_MODULES) {
    const finding = mod.detect(ctx);
    if (finding) causes.push(finding);
  }
  // Equal confidence: the cause keeping more probed requests at 403 first; then (stable sort) catalog
  // order, which puts root causes before symptoms.
  causes.sort((a, b) => b.confidence - a.confidence || (b.requests?.length ?? 0) - (a.requests?.length ?? 0));
  return { reproduced: ctx.failing.length > 0 || causes.length > 0, causes };
}

// Cause 23: a non-S3 (custom) origin itself answers 403.
import type { ResolvedRequest } from '../routing.ts';
import type { Evidence } from '../types.ts';
import { misroutedGroups } from './behavior-misrouted.ts';
import type { CauseModule } from './cause.ts';
import { hostRoutedRefusals } from './host-header-to-custom-origin.ts';
import { lambdaUrlGaps } from './lambda-url-permission-missing.ts';
import { groupBy, manualAction, probedIndices, requestLine } from './shared/viewer.ts';

function deniedByCustomOrigin(
  ev: Evidence,
  failing: readonly ResolvedRequest[],
): Map<string, ResolvedRequest[]> {
  // Paths that another origin of the distribution serves are BEHAVIOR_MISROUTED's: the origin refusing
  // them is not the one that should get them.
  const misrouted = new Set(misroutedGroups(ev, failing).flatMap((g) => g.reqs.map((r) => r.index)));
  // Refusals a CloudFront-side setting explains (Host forwarded to an endpoint that routes by it, a
  // function URL policy without CloudFront) are those causes', fixed there.
  const ctx = { ev, failing, resolved: failing };
  for (const f of hostRoutedRefusals(ctx)) for (const r of f.reqs) misrouted.add(r.index);
  for (const g of lambdaUrlGaps(ctx)) for (const r of g.reqs) misrouted.add(r.index);
  return groupBy(
    failing.filter(
      (r) =>
        r.origin?.kind === 'custom' &&
        r.probe?.fingerprint.kind === 'origin-denied' &&
        !misrouted.has(r.index),
    ),
    (r) => r.origin?.id,
  );
}

function excerpt(r: ResolvedRequest | undefined): string {
  const body = (r?.probe?.bodyExcerpt ?? r?.probe?.fingerprint.reason ?? '').replace(/\s+/g, ' ').trim();
  return body.length > 300 ? `${body.slice(0, 300)}...` : body;
}

export const customOriginDenied: CauseModule = {
  id: 'CUSTOM_ORIGIN_DENIED',
  risk: 'manual',
  detect({ ev, failing }) {
    const [first] = deniedByCustomOrigin(ev, failing).values();
    const origin = first?.[0]?.origin;
    if (!first || !origin) return null;
    const server = first[0]?.probe?.server;
    return {
      id: 'CUSTOM_ORIGIN_DENIED',
      confidence: 0.95,
      summary: `Custom origin ${origin.id} (${origin.domainName}) itself answers 403 to the failing requests`,
      evidence: [
        `GetDistributionConfig: origin ${origin.id} DomainName = ${origin.domainName} (custom origin)`,
        ...first.map(requestLine),
        `origin response${server ? ` (Server=${server})` : ''}: ${excerpt(first[0]) || '(empty body)'}`,
      ],
      subject: { originId: origin.id, domainName: origin.domainName },
      requests: probedIndices(first),
    };
  },
  plan(finding, { ev, failing }) {
    const originId = finding.subject?.originId ?? '';
    const reqs = deniedByCustomOrigin(ev, failing).get(originId) ?? [];
    const first = reqs[0];
    return [
      manualAction(
        `custom-origin:${originId}`,
        'CUSTOM_ORIGIN_DENIED',
        `Origin ${originId} (${finding.subject?.domainName ?? ''}) refuses ${reqs.map((r) => `${r.request.method} ${r.path}`).join(', ')} with 403${first?.probe?.server ? ` (Server=${first.probe.server})` : ''}: "${excerpt(first)}". The 403 comes from the origin's own access rules (authentication, IP allow list, expected headers such as a shared-secret custom header or Host); its owner must fix it. CloudFront and S3 are not changed.`,
      ),
    ];
  },
};

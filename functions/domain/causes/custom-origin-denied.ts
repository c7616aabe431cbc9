// Cause 23: a non-S3 (custom) origin itself answers 403.
import type { ResolvedRequest } from '../routing.ts';
import type { CauseModule } from './cause.ts';
import { groupBy, manualAction, requestLine } from './shared/viewer.ts';

function deniedByCustomOrigin(failing: readonly ResolvedRequest[]): Map<string, ResolvedRequest[]> {
  return groupBy(
    failing.filter((r) => r.origin?.kind === 'custom' && r.probe?.fingerprint.kind === 'origin-denied'),
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
  detect({ failing }) {
    const [first] = deniedByCustomOrigin(failing).values();
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
    };
  },
  plan(finding, { failing }) {
    const originId = finding.subject?.originId ?? '';
    const reqs = deniedByCustomOrigin(failing).get(originId) ?? [];
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

// Cause 26: the origin is itself a CloudFront distribution, whose own 403 comes through.
import { misroutedGroups } from './behavior-misrouted.ts';
import type { CauseModule } from './cause.ts';
import { groupBy, manualAction, probedIndices, requestLine } from './shared/viewer.ts';

export const stackedDistribution: CauseModule = {
  id: 'STACKED_DISTRIBUTION',
  risk: 'manual',
  detect({ ev, failing }) {
    // Paths another origin of the distribution serves are BEHAVIOR_MISROUTED's.
    const misrouted = new Set(misroutedGroups(ev, failing).flatMap((g) => g.reqs.map((r) => r.index)));
    const [first] = groupBy(
      failing.filter((r) => r.origin?.kind === 'cloudfront' && !misrouted.has(r.index)),
      (r) => r.origin?.id,
    ).values();
    const origin = first?.[0]?.origin;
    if (!first || !origin) return null;
    return {
      id: 'STACKED_DISTRIBUTION',
      confidence: 0.8,
      summary: `Origin ${origin.id} is another CloudFront distribution (${origin.domainName}); its own 403 reaches the viewers`,
      evidence: [
        `GetDistributionConfig: origin ${origin.id} DomainName = ${origin.domainName} (*.cloudfront.net)`,
        ...first.map(requestLine),
      ],
      subject: { originId: origin.id, domainName: origin.domainName },
      requests: probedIndices(first),
    };
  },
  plan(finding, { ev }) {
    const domain = finding.subject?.domainName ?? '';
    return [
      manualAction(
        `unstack-origin:${finding.subject?.originId ?? ''}`,
        'STACKED_DISTRIBUTION',
        `Origin ${finding.subject?.originId ?? ''} of distribution ${ev.distribution.Id} is the distribution ${domain}. Diagnose that distribution on its own (its 403 is what viewers see), then point this origin at the inner distribution's own origin (S3 bucket with an OAC, or the custom origin) instead of chaining two distributions: stacking doubles caching, hides the viewer's country and IP from the inner one, and is not needed.`,
      ),
    ];
  },
};

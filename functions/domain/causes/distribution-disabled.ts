// Cause 21: the distribution is disabled, so CloudFront refuses every request for it.
import type { CauseModule } from './cause.ts';
import { manualAction, probedIndices, requestLine } from './shared/viewer.ts';

export const distributionDisabled: CauseModule = {
  id: 'DISTRIBUTION_DISABLED',
  risk: 'manual',
  detect({ ev, resolved, failing }) {
    if (ev.distribution.DistributionConfig.Enabled !== false) return null;
    return {
      id: 'DISTRIBUTION_DISABLED',
      // Checked right after the host lookup, before any behavior setting (protocol, WAF, geo...).
      confidence: failing.length > 0 ? 0.975 : 0.85,
      summary: `Distribution ${ev.distribution.Id} is disabled, so CloudFront refuses every request for it`,
      evidence: [
        `GetDistributionConfig: Enabled = false`,
        ...(failing.length > 0 ? failing : resolved).map(requestLine),
      ],
      subject: { distributionId: ev.distribution.Id },
      requests: probedIndices(failing),
    };
  },
  plan(_finding, { ev }) {
    return [
      manualAction(
        `enable-distribution:${ev.distribution.Id}`,
        'DISTRIBUTION_DISABLED',
        `Distribution ${ev.distribution.Id} was disabled on purpose or by mistake; if it should serve traffic, set Enabled = true (UpdateDistribution). Not done automatically: disabling is usually a deliberate step (decommissioning, incident response).`,
        [{ path: 'Enabled', before: false, after: true }],
      ),
    ];
  },
};

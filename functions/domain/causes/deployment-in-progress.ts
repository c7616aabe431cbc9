// Cause 24: the distribution is InProgress; the edge may still serve the previous configuration.
import type { CauseModule } from './cause.ts';
import { probedIndices, requestLine } from './shared/viewer.ts';

export const deploymentInProgress: CauseModule = {
  id: 'DEPLOYMENT_IN_PROGRESS',
  risk: 'safe',
  detect({ ev, failing }) {
    if (ev.distribution.Status !== 'InProgress' || failing.length === 0) return null;
    // The edge may still serve the previous configuration, so this explains the 403s when the current
    // configuration shows nothing wrong. A cause proven in the configuration being deployed comes first:
    // that configuration stays broken once deployed, so waiting alone cannot cure it.
    return {
      id: 'DEPLOYMENT_IN_PROGRESS',
      confidence: 0.9,
      summary: `Distribution ${ev.distribution.Id} is still deploying (Status InProgress): the edge may not serve its current configuration yet`,
      evidence: [
        `GetDistribution: Status = InProgress (ETag ${ev.distribution.ETag})`,
        ...failing.map(requestLine),
      ],
      subject: { distributionId: ev.distribution.Id },
      requests: probedIndices(failing),
    };
  },
  plan(_finding, { ev }) {
    return [
      {
        id: `wait-for-deployment:${ev.distribution.Id}`,
        cause: 'DEPLOYMENT_IN_PROGRESS',
        risk: 'safe',
        description: `Wait until distribution ${ev.distribution.Id} is Deployed, then invalidate and probe again; nothing is changed`,
        calls: [{ service: 'cloudfront', api: 'GetDistribution', target: ev.distribution.Id }],
        diff: [{ path: 'Status', before: 'InProgress', after: 'Deployed' }],
        change: { type: 'wait-for-deployment', distributionId: ev.distribution.Id },
      },
    ];
  },
};

// Cause 24: the distribution is InProgress; the edge may still serve the previous configuration.
import type { CauseModule } from './cause.ts';
import { requestLine } from './shared/viewer.ts';

export const deploymentInProgress: CauseModule = {
  id: 'DEPLOYMENT_IN_PROGRESS',
  risk: 'safe',
  detect({ ev, failing }) {
    if (ev.distribution.Status !== 'InProgress' || failing.length === 0) return null;
    // Ranked first: a change not yet live explains a 403 better than any guess on a config the edge
    // may not serve yet; other rules still report what they see.
    return {
      id: 'DEPLOYMENT_IN_PROGRESS',
      confidence: 0.99,
      summary: `Distribution ${ev.distribution.Id} is still deploying (Status InProgress): the edge may not serve its current configuration yet`,
      evidence: [
        `GetDistribution: Status = InProgress (ETag ${ev.distribution.ETag})`,
        ...failing.map(requestLine),
      ],
      subject: { distributionId: ev.distribution.Id },
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

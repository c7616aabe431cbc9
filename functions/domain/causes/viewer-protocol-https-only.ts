// Cause 9: an `https-only` behavior refuses the plain-HTTP requests; `redirect-to-https` sends them over.
import type { MatchedBehavior, ResolvedRequest } from '../routing.ts';
import type { Action } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import {
  behaviorField,
  behaviorLabel,
  confidenceFor,
  distributionUpdateCalls,
  groupBy,
  probedIndices,
  probeIs,
  requestLine,
  schemeOf,
} from './shared/viewer.ts';

/** HTTP requests hitting an https-only behavior, by behavior path pattern. */
function httpOnHttpsOnly(resolved: readonly ResolvedRequest[]): Map<string, ResolvedRequest[]> {
  return groupBy(
    resolved.filter(
      (r) => schemeOf(r.request.url) === 'http' && r.matched.behavior.ViewerProtocolPolicy === 'https-only',
    ),
    (r) => r.matched.pathPattern,
  );
}

function action(ctx: DetectContext, matched: MatchedBehavior): Action {
  const { ev } = ctx;
  return {
    id: `set-viewer-protocol:${ev.distribution.Id}:${matched.pathPattern}`,
    cause: 'VIEWER_PROTOCOL_HTTPS_ONLY',
    risk: 'safe',
    description: `Set ViewerProtocolPolicy of ${behaviorLabel(matched.pathPattern)} to redirect-to-https, so HTTP viewers are redirected to HTTPS instead of refused`,
    calls: distributionUpdateCalls(ev),
    diff: [
      {
        path: behaviorField(matched, 'ViewerProtocolPolicy'),
        before: 'https-only',
        after: 'redirect-to-https',
      },
    ],
    change: {
      type: 'update-distribution',
      edits: [{ op: 'set-viewer-protocol', pathPattern: matched.pathPattern, value: 'redirect-to-https' }],
    },
  };
}

export const viewerProtocolHttpsOnly: CauseModule = {
  id: 'VIEWER_PROTOCOL_HTTPS_ONLY',
  risk: 'safe',
  detect({ resolved }) {
    const groups = httpOnHttpsOnly(resolved);
    if (groups.size === 0) return null;
    const reqs = [...groups.values()].flat();
    const agrees = reqs.some((r) => probeIs(r, 'cf-bad-request'));
    const patterns = [...groups.keys()];
    return {
      id: 'VIEWER_PROTOCOL_HTTPS_ONLY',
      confidence: confidenceFor(agrees, true),
      summary: `Requests over plain HTTP are refused because ${patterns.map(behaviorLabel).join(', ')} ${patterns.length > 1 ? 'are' : 'is'} https-only`,
      evidence: [
        ...[...groups.values()].map((g) => {
          const m = g[0]?.matched;
          return m ? `GetDistributionConfig: ${behaviorField(m, 'ViewerProtocolPolicy')} = https-only` : '';
        }),
        ...reqs.map(requestLine),
      ].filter((l) => l !== ''),
      subject: { pathPattern: patterns[0] ?? '', pathPatterns: patterns.join('\n') },
      requests: probedIndices(reqs),
    };
  },
  plan(_finding, ctx) {
    return [...httpOnHttpsOnly(ctx.resolved).values()]
      .map((g) => g[0]?.matched)
      .filter((m): m is MatchedBehavior => m !== undefined)
      .map((m) => action(ctx, m));
  },
};

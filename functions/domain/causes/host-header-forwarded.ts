// Cause 25: the behavior forwards the viewer's Host header to an S3 REST origin. S3 then looks for a
// bucket named after the distribution's host name and refuses the request, whatever the policy says.
import type { MatchedBehavior, ResolvedRequest } from '../routing.ts';
import type { Action, Evidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { distributionCalls, probeLine, s3Refused } from './shared/s3-access.ts';
import { behaviorField, behaviorLabel, probedIndices } from './shared/viewer.ts';

export const ALL_VIEWER_POLICY_ID = '216adef6-5c7f-47e4-b989-5492eafa07d3';
export const CORS_S3_ORIGIN_POLICY_ID = '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf';

interface HostForwarding {
  matched: MatchedBehavior;
  /** the origin request policy that forwards Host, or undefined for legacy ForwardedValues */
  policyId?: string;
  how: string;
  reqs: ResolvedRequest[];
}

/** How the behavior forwards Host, or undefined when it does not (or the policy could not be read). */
export function hostForwarding(
  ev: Evidence,
  matched: MatchedBehavior,
): Omit<HostForwarding, 'reqs' | 'matched'> | undefined {
  const behavior = matched.behavior;
  const id = behavior.OriginRequestPolicyId ?? '';
  if (id === ALL_VIEWER_POLICY_ID)
    return {
      policyId: id,
      how: `${id} (managed AllViewer: every viewer header, Host included)`,
    };
  if (id !== '') {
    const policy = ev.originRequestPolicies[id];
    if (!policy?.ok) return undefined;
    const headers = policy.value.HeadersConfig;
    const named = (headers?.Headers?.Items ?? []).map((h) => h.toLowerCase());
    const name = policy.value.Name ?? id;
    switch (headers?.HeaderBehavior) {
      case 'allViewer':
      case 'allViewerAndWhitelistCloudFront':
        return {
          policyId: id,
          how: `${id} (policy ${name}: HeadersConfig.HeaderBehavior = ${headers.HeaderBehavior})`,
        };
      case 'whitelist':
        return named.includes('host')
          ? {
              policyId: id,
              how: `${id} (policy ${name}: HeaderBehavior = whitelist, Host among the headers)`,
            }
          : undefined;
      case 'allExcept':
        return named.includes('host')
          ? undefined
          : {
              policyId: id,
              how: `${id} (policy ${name}: HeaderBehavior = allExcept ${named.join(', ')}, so Host is forwarded)`,
            };
      default:
        return undefined;
    }
  }
  const legacy = behavior.ForwardedValues?.Headers?.Items ?? [];
  if (legacy.some((h) => h === '*' || h.toLowerCase() === 'host')) {
    return {
      how: `${JSON.stringify(legacy)} (legacy cache settings forward Host)`,
    };
  }
  return undefined;
}

function offending(ctx: DetectContext): HostForwarding[] {
  const byPattern = new Map<string, HostForwarding>();
  for (const reqs of s3Refused(ctx.failing).values()) {
    for (const r of reqs) {
      const known = byPattern.get(r.matched.pathPattern);
      if (known) {
        known.reqs.push(r);
        continue;
      }
      const forwarding = hostForwarding(ctx.ev, r.matched);
      if (forwarding) byPattern.set(r.matched.pathPattern, { ...forwarding, matched: r.matched, reqs: [r] });
    }
  }
  return [...byPattern.values()];
}

export const hostHeaderForwarded: CauseModule = {
  id: 'HOST_HEADER_FORWARDED',
  risk: 'destructive',
  detect(ctx) {
    const found = offending(ctx);
    const first = found[0];
    if (!first) return null;
    return {
      id: 'HOST_HEADER_FORWARDED',
      // S3 refuses on the Host header before anything else is looked at (even an explicit Deny).
      confidence: 0.98,
      summary: `In distribution ${ctx.ev.distribution.Id}, ${behaviorLabel(first.matched.pathPattern)} forwards the viewer's Host header to S3 REST origin ${first.matched.behavior.TargetOriginId ?? ''}, which then refuses every request`,
      evidence: found.flatMap((f) => [
        `GetDistributionConfig: ${behaviorField(f.matched, f.policyId ? 'OriginRequestPolicyId' : 'ForwardedValues.Headers.Items')} = ${f.how}`,
        ...f.reqs.map(probeLine),
      ]),
      subject: {
        pathPattern: first.matched.pathPattern,
        ...(first.policyId ? { policyId: first.policyId } : {}),
      },
      requests: probedIndices(found.flatMap((f) => f.reqs)),
    };
  },
  plan(_finding, ctx) {
    return offending(ctx).map((f): Action => {
      const pathPattern = f.matched.pathPattern;
      const legacy = f.matched.behavior.ForwardedValues?.Headers?.Items ?? [];
      const hostHeader = legacy.find((h) => h.toLowerCase() === 'host');
      if (!f.policyId && hostHeader && !legacy.includes('*')) {
        const after = legacy.filter((h) => h !== hostHeader);
        return {
          id: `remove-forwarded-host:${ctx.ev.distribution.Id}:${pathPattern}`,
          cause: 'HOST_HEADER_FORWARDED',
          risk: 'destructive',
          description: `Stop forwarding Host to the S3 origin: remove it from ${behaviorField(f.matched, 'ForwardedValues.Headers')} of ${behaviorLabel(pathPattern)}`,
          calls: distributionCalls(ctx.ev),
          diff: [{ path: behaviorField(f.matched, 'ForwardedValues.Headers.Items'), before: legacy, after }],
          change: {
            type: 'update-distribution',
            edits: [{ op: 'remove-forwarded-header', pathPattern, header: hostHeader }],
          },
        };
      }
      if (!f.policyId) {
        // Forwarding every header ('*') cannot drop one: the behavior needs a cache and origin request policy.
        return {
          id: `set-origin-request-policy:${ctx.ev.distribution.Id}:${pathPattern}`,
          cause: 'HOST_HEADER_FORWARDED',
          risk: 'manual',
          description: `Remove Host from ${behaviorField(f.matched, 'ForwardedValues.Headers')} of ${behaviorLabel(pathPattern)} (or move the behavior to a cache policy with the managed CORS-S3Origin origin request policy ${CORS_S3_ORIGIN_POLICY_ID}): an S3 REST origin refuses requests carrying the viewer's Host`,
          calls: [],
          diff: [],
        };
      }
      return {
        id: `set-origin-request-policy:${ctx.ev.distribution.Id}:${pathPattern}`,
        cause: 'HOST_HEADER_FORWARDED',
        risk: 'destructive',
        description: `Set the origin request policy of ${behaviorLabel(pathPattern)} to the managed CORS-S3Origin (${CORS_S3_ORIGIN_POLICY_ID}), which does not forward Host`,
        calls: distributionCalls(ctx.ev),
        diff: [
          {
            path: behaviorField(f.matched, 'OriginRequestPolicyId'),
            before: f.policyId,
            after: CORS_S3_ORIGIN_POLICY_ID,
          },
        ],
        change: {
          type: 'update-distribution',
          edits: [{ op: 'set-origin-request-policy', pathPattern, policyId: CORS_S3_ORIGIN_POLICY_ID }],
        },
      };
    });
  },
};

// The behavior forwards the viewer's Host header (an AllViewer-style policy) to an AWS endpoint that routes
// by Host: API Gateway, a Lambda function URL, AppSync. The endpoint finds no API or function for the
// distribution's host name and answers 403 before any of the origin's own code runs. AWS's managed
// AllViewerExceptHostHeader policy exists for these origins (CloudFront Developer Guide, "Use managed origin
// request policies": "use this policy with an Amazon API Gateway or AWS Lambda function URL origin").
import type { MatchedBehavior, ResolvedRequest } from '../routing.ts';
import type { Action } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { hostForwarding } from './host-header-forwarded.ts';
import { distributionCalls, probeLine } from './shared/s3-access.ts';
import { behaviorField, behaviorLabel, probedIndices } from './shared/viewer.ts';

export const ALL_VIEWER_EXCEPT_HOST_POLICY_ID = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';

/** AWS endpoints that pick the API or function by the Host header, by domain. */
const HOST_ROUTED: readonly [RegExp, string][] = [
  [/\.execute-api\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$/, 'API Gateway'],
  [/\.lambda-url\.[a-z0-9-]+\.on\.aws$/, 'Lambda function URL'],
  [/\.appsync-api\.[a-z0-9-]+\.amazonaws\.com$/, 'AppSync'],
];

/** The AWS service behind a host-routed origin domain, or undefined. */
export function hostRoutedService(domain: string): string | undefined {
  const d = domain.toLowerCase().replace(/\.$/, '');
  return HOST_ROUTED.find(([re]) => re.test(d))?.[1];
}

interface Offending {
  matched: MatchedBehavior;
  service: string;
  domain: string;
  policyId?: string;
  how: string;
  reqs: ResolvedRequest[];
}

/** Failing requests a host-routed AWS origin refused while the behavior forwards the viewer's Host. */
export function hostRoutedRefusals(ctx: DetectContext): Offending[] {
  const out = new Map<string, Offending>();
  for (const r of ctx.failing) {
    const origin = r.origin;
    if (origin?.kind !== 'custom' || r.probe?.fingerprint.source !== 'custom-origin') continue;
    const service = hostRoutedService(origin.domainName);
    if (!service) continue;
    // Forwarded only if the viewer's host differs from the origin's own name.
    if (r.host === origin.domainName.toLowerCase()) continue;
    const known = out.get(r.matched.pathPattern);
    if (known) {
      known.reqs.push(r);
      continue;
    }
    const forwarding = hostForwarding(ctx.ev, r.matched);
    if (!forwarding) continue;
    out.set(r.matched.pathPattern, {
      matched: r.matched,
      service,
      domain: origin.domainName,
      ...forwarding,
      reqs: [r],
    });
  }
  return [...out.values()];
}

export const hostHeaderToCustomOrigin: CauseModule = {
  id: 'HOST_HEADER_TO_CUSTOM_ORIGIN',
  risk: 'destructive',
  detect(ctx) {
    const found = hostRoutedRefusals(ctx);
    const first = found[0];
    if (!first) return null;
    return {
      id: 'HOST_HEADER_TO_CUSTOM_ORIGIN',
      // The endpoint refuses on the Host header before any authorization or code of the origin runs.
      confidence: 0.96,
      summary: `In distribution ${ctx.ev.distribution.Id}, ${behaviorLabel(first.matched.pathPattern)} forwards the viewer's Host header to ${first.service} origin ${first.domain}, which routes by Host and refuses a name it does not serve`,
      evidence: found.flatMap((f) => [
        `GetDistributionConfig: ${behaviorField(f.matched, f.policyId ? 'OriginRequestPolicyId' : 'ForwardedValues.Headers.Items')} = ${f.how}`,
        `GetDistributionConfig: origin ${f.matched.behavior.TargetOriginId ?? ''} DomainName = ${f.domain} (${f.service}, routed by Host)`,
        ...f.reqs.map(
          (r) => `${probeLine(r)} (Host sent: ${r.host}, the origin expects ${f.domain.toLowerCase()})`,
        ),
      ]),
      subject: {
        pathPattern: first.matched.pathPattern,
        ...(first.policyId ? { policyId: first.policyId } : {}),
      },
      requests: probedIndices(found.flatMap((f) => f.reqs)),
    };
  },
  plan(_finding, ctx) {
    return hostRoutedRefusals(ctx).map((f): Action => {
      const pathPattern = f.matched.pathPattern;
      const legacy = f.matched.behavior.ForwardedValues?.Headers?.Items ?? [];
      const hostHeader = legacy.find((h) => h.toLowerCase() === 'host');
      if (!f.policyId && hostHeader && !legacy.includes('*')) {
        return {
          id: `remove-forwarded-host:${ctx.ev.distribution.Id}:${pathPattern}`,
          cause: 'HOST_HEADER_TO_CUSTOM_ORIGIN',
          risk: 'destructive',
          description: `Stop forwarding Host to ${f.service} origin ${f.domain}: remove it from ${behaviorField(f.matched, 'ForwardedValues.Headers')} of ${behaviorLabel(pathPattern)}, so CloudFront sends the origin's own name`,
          calls: distributionCalls(ctx.ev),
          diff: [
            {
              path: behaviorField(f.matched, 'ForwardedValues.Headers.Items'),
              before: legacy,
              after: legacy.filter((h) => h !== hostHeader),
            },
          ],
          change: {
            type: 'update-distribution',
            edits: [{ op: 'remove-forwarded-header', pathPattern, header: hostHeader }],
          },
        };
      }
      if (!f.policyId) {
        return {
          id: `set-origin-request-policy:${ctx.ev.distribution.Id}:${pathPattern}`,
          cause: 'HOST_HEADER_TO_CUSTOM_ORIGIN',
          risk: 'manual',
          description: `${behaviorLabel(pathPattern)} forwards every header ('*') through legacy cache settings, which cannot leave Host out: move it to a cache policy with the managed AllViewerExceptHostHeader origin request policy (${ALL_VIEWER_EXCEPT_HOST_POLICY_ID}), so ${f.service} origin ${f.domain} receives its own name as Host`,
          calls: [],
          diff: [],
        };
      }
      return {
        id: `set-origin-request-policy:${ctx.ev.distribution.Id}:${pathPattern}`,
        cause: 'HOST_HEADER_TO_CUSTOM_ORIGIN',
        risk: 'destructive',
        description: `Set the origin request policy of ${behaviorLabel(pathPattern)} to the managed AllViewerExceptHostHeader (${ALL_VIEWER_EXCEPT_HOST_POLICY_ID}): every viewer header, cookie and query string still reaches ${f.service} origin ${f.domain}, except Host, which CloudFront then sets to the origin's own name`,
        calls: distributionCalls(ctx.ev),
        diff: [
          {
            path: behaviorField(f.matched, 'OriginRequestPolicyId'),
            before: f.policyId,
            after: ALL_VIEWER_EXCEPT_HOST_POLICY_ID,
          },
        ],
        change: {
          type: 'update-distribution',
          edits: [
            { op: 'set-origin-request-policy', pathPattern, policyId: ALL_VIEWER_EXCEPT_HOST_POLICY_ID },
          ],
        },
      };
    });
  },
};

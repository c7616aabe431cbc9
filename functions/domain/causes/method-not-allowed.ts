// Cause 20: the request method is not among the matching behavior's AllowedMethods.
import type { ResolvedRequest } from '../routing.ts';
import { misroutedIndices } from './behavior-misrouted.ts';
import type { CauseModule } from './cause.ts';
import {
  behaviorField,
  behaviorLabel,
  confidenceFor,
  groupBy,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
  unique,
} from './shared/viewer.ts';

// CloudFront accepts exactly these three sets.
const METHOD_SETS = [
  ['GET', 'HEAD'],
  ['GET', 'HEAD', 'OPTIONS'],
  ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
];

function allowed(r: ResolvedRequest): string[] {
  return (r.matched.behavior.AllowedMethods?.Items ?? ['GET', 'HEAD']).map((m) => m.toUpperCase());
}

function refused(resolved: readonly ResolvedRequest[]): Map<string, ResolvedRequest[]> {
  return groupBy(
    resolved.filter((r) => !allowed(r).includes(r.request.method.toUpperCase())),
    (r) => r.matched.pathPattern,
  );
}

const WRITES = ['PUT', 'PATCH', 'POST', 'DELETE'];

export const methodNotAllowed: CauseModule = {
  id: 'METHOD_NOT_ALLOWED',
  risk: 'manual',
  detect({ ev, resolved, failing }) {
    // Server calls a behavior sends to the S3 origin are BEHAVIOR_MISROUTED's: the fix is routing.
    const misrouted = misroutedIndices(ev, failing);
    const [first] = refused(resolved.filter((r) => !misrouted.has(r.index))).values();
    const matched = first?.[0]?.matched;
    if (!first || !matched || !first[0]) return null;
    const methods = unique(first.map((r) => r.request.method.toUpperCase()));
    const now = allowed(first[0]);
    return {
      id: 'METHOD_NOT_ALLOWED',
      confidence: confidenceFor(
        first.some((r) => probeIs(r, 'cf-method-not-allowed')),
        true,
      ),
      summary: `${methods.join(', ')} requests are refused because ${behaviorLabel(matched.pathPattern)} allows only ${now.join(', ')}`,
      evidence: [
        `GetDistributionConfig: ${behaviorField(matched, 'AllowedMethods.Items')} = [${now.join(', ')}]`,
        ...first.map(requestLine),
      ],
      subject: { pathPattern: matched.pathPattern, methods: methods.join(','), allowed: now.join(',') },
      requests: probedIndices([...refused(resolved.filter((r) => !misrouted.has(r.index))).values()].flat()),
    };
  },
  plan(finding, { ev, resolved }) {
    const pattern = finding.subject?.pathPattern ?? '';
    const methods = (finding.subject?.methods ?? '').split(',').filter((m) => m !== '');
    const before = (finding.subject?.allowed ?? '').split(',').filter((m) => m !== '');
    const after = METHOD_SETS.find((set) => [...before, ...methods].every((m) => set.includes(m)));
    const first = resolved.find((r) => r.matched.pathPattern === pattern);
    const matched = first?.matched;
    const path = matched ? behaviorField(matched, 'AllowedMethods') : 'AllowedMethods';
    const writes = methods.filter((m) => WRITES.includes(m));
    const s3 = first?.origin?.kind === 's3-rest' || first?.origin?.kind === 's3-website';
    if (s3 && writes.length > 0) {
      // S3 serves static objects: allowing POST on a behavior that targets it would only move the 403.
      return [
        manualAction(
          `allowed-methods:${ev.distribution.Id}:${pattern}`,
          'METHOD_NOT_ALLOWED',
          `${writes.join(', ')} requests reach ${behaviorLabel(pattern)}, which targets S3 origin ${first?.origin?.id ?? ''}: S3 serves static objects and cannot handle them, so allowing ${writes.join(', ')} there is not proposed. Send these calls to the server that handles them (a cache behavior for their path, pointing at that origin with the methods it needs), or fix the client that sends them.`,
        ),
      ];
    }
    return [
      manualAction(
        `allowed-methods:${ev.distribution.Id}:${pattern}`,
        'METHOD_NOT_ALLOWED',
        after
          ? `If ${behaviorLabel(pattern)} should accept ${methods.join(', ')}, set its AllowedMethods to [${after.join(', ')}] (and check that the origin handles them: S3 answers writes only when the policy allows them). Not changed automatically: allowing methods widens what viewers can do.`
          : `${methods.join(', ')} is not a method CloudFront can allow; fix the client.`,
        after ? [{ path, before, after }] : [],
      ),
    ];
  },
};

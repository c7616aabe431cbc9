// Cause 20: the request method is not among the matching behavior's AllowedMethods.
import type { ResolvedRequest } from '../routing.ts';
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

export const methodNotAllowed: CauseModule = {
  id: 'METHOD_NOT_ALLOWED',
  risk: 'manual',
  detect({ resolved }) {
    const [first] = refused(resolved).values();
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
      requests: probedIndices([...refused(resolved).values()].flat()),
    };
  },
  plan(finding, { ev, resolved }) {
    const pattern = finding.subject?.pathPattern ?? '';
    const methods = (finding.subject?.methods ?? '').split(',').filter((m) => m !== '');
    const before = (finding.subject?.allowed ?? '').split(',').filter((m) => m !== '');
    const after = METHOD_SETS.find((set) => [...before, ...methods].every((m) => set.includes(m)));
    const matched = resolved.find((r) => r.matched.pathPattern === pattern)?.matched;
    const path = matched ? behaviorField(matched, 'AllowedMethods') : 'AllowedMethods';
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

// Cause 22: a viewer-request CloudFront Function answers 403 itself for the failing requests.
import type { ResolvedRequest } from '../routing.ts';
import type { FunctionEvidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { allDeliberate, codeChecks, deliberateAdvice } from './shared/intent.ts';
import {
  behaviorField,
  behaviorLabel,
  logLine,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
} from './shared/viewer.ts';

/** ARNs of the viewer-request functions associated with the request's behavior. */
function viewerFunctionArns(r: ResolvedRequest): string[] {
  return (r.matched.behavior.FunctionAssociations?.Items ?? [])
    .filter((a) => a.EventType === 'viewer-request' && a.FunctionARN !== undefined)
    .map((a) => a.FunctionARN ?? '');
}

function nameFromArn(arn: string): string {
  return arn.slice(arn.lastIndexOf('/') + 1);
}

/** TestFunction replay of this request answered 403. */
function replayDenies(fn: FunctionEvidence, r: ResolvedRequest): boolean {
  return fn.replays.some(
    (p) =>
      p.url === r.request.url &&
      p.method.toUpperCase() === r.request.method.toUpperCase() &&
      p.result.ok &&
      p.result.value.responseStatus === 403,
  );
}

interface Denial {
  name: string;
  arn: string;
  code?: string;
  replayed: ResolvedRequest[];
  fingerprinted: ResolvedRequest[];
  pathPattern: string;
  field: string;
}

function denials(resolved: readonly ResolvedRequest[], functions: readonly FunctionEvidence[]): Denial[] {
  const out = new Map<string, Denial>();
  for (const r of resolved) {
    const fingerprint = probeIs(r, 'cf-function-response');
    for (const arn of viewerFunctionArns(r)) {
      const fn = functions.find((f) => f.arn === arn || f.name === nameFromArn(arn));
      const replayed = fn ? replayDenies(fn, r) : false;
      if (!replayed && !fingerprint) continue;
      const d = out.get(arn) ?? {
        name: fn?.name ?? nameFromArn(arn),
        arn,
        ...(fn?.code ? { code: fn.code } : {}),
        replayed: [],
        fingerprinted: [],
        pathPattern: r.matched.pathPattern,
        field: behaviorField(r.matched, 'FunctionAssociations'),
      };
      if (replayed) d.replayed.push(r);
      if (fingerprint) d.fingerprinted.push(r);
      out.set(arn, d);
    }
  }
  // A replay names the function for certain; a fingerprint alone only says some function answered.
  return [...out.values()].sort((a, b) => b.replayed.length - a.replayed.length);
}

export const edgeFunctionDenied: CauseModule = {
  id: 'EDGE_FUNCTION_DENIED',
  risk: 'manual',
  detect({ ev, resolved }) {
    const [d] = denials(resolved, ev.functions);
    if (!d) return null;
    const both = d.replayed.some((r) => d.fingerprinted.includes(r));
    const confidence = both ? 0.97 : d.replayed.length > 0 ? 0.9 : 0.8;
    const reqs = [...new Set([...d.replayed, ...d.fingerprinted])];
    // An access check (a credential, a secret, an address) or admin/scanner paths: refused on purpose.
    const checks = codeChecks(d.code);
    const intent = checks
      ? `its code checks ${checks} before it answers 403`
      : allDeliberate(reqs.map((r) => r.path));
    return {
      id: 'EDGE_FUNCTION_DENIED',
      confidence,
      summary: intent
        ? `Likely intentional: CloudFront Function '${d.name}' (viewer-request on ${behaviorLabel(d.pathPattern)}) refuses the failing requests (${intent})`
        : `CloudFront Function '${d.name}' (viewer-request on ${behaviorLabel(d.pathPattern)}) answers 403 to the failing requests`,
      evidence: [
        `GetDistributionConfig: ${d.field} has viewer-request ${d.arn}`,
        ...d.replayed.map(
          (r) => `TestFunction ${d.name} with ${r.request.method} ${r.path}: responseStatus 403`,
        ),
        ...reqs.map((r) => (r.probe?.status === 403 ? requestLine(r) : logLine(r))),
      ],
      subject: {
        functionName: d.name,
        functionArn: d.arn,
        pathPattern: d.pathPattern,
        ...(intent ? { intentional: intent } : {}),
      },
      requests: probedIndices(resolved.filter((r) => probeIs(r, 'cf-function-response'))),
    };
  },
  plan(finding, { ev }) {
    const name = finding.subject?.functionName ?? '?';
    const intent = finding.subject?.intentional;
    if (intent) {
      return [
        manualAction(
          `review-function:${name}`,
          'EDGE_FUNCTION_DENIED',
          deliberateAdvice(
            `CloudFront Function '${name}' (viewer-request on ${behaviorLabel(finding.subject?.pathPattern ?? '')} of distribution ${ev.distribution.Id})`,
            intent,
            'give these viewers what the check expects, or publish a corrected version of the function',
          ),
        ),
      ];
    }
    return [
      manualAction(
        `review-function:${name}`,
        'EDGE_FUNCTION_DENIED',
        `CloudFront Function '${name}' (${finding.subject?.functionArn ?? ''}), associated as viewer-request with ${behaviorLabel(finding.subject?.pathPattern ?? '')} of distribution ${ev.distribution.Id}, returns a 403 response for these requests. Review its code (the condition that returns statusCode 403) and publish a corrected version, or disassociate it if the check is no longer wanted. Functions encode intentional access rules, so they are not changed automatically.`,
      ),
    ];
  },
};

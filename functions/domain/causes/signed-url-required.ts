// Cause 7: the behavior requires signed URLs or cookies and the failing requests carry no signature.
import type { CacheBehavior, DefaultCacheBehavior } from '@aws-sdk/client-cloudfront';
import type { ResolvedRequest } from '../routing.ts';
import type { Evidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import {
  behaviorField,
  behaviorLabel,
  carriesKeyPairId,
  groupBy,
  logLine,
  manualAction,
  probeIs,
  requestLine,
  sentence,
} from './shared/viewer.ts';

type Behavior = CacheBehavior | DefaultCacheBehavior;

function keyGroupIds(b: Behavior): string[] {
  return b.TrustedKeyGroups?.Enabled ? (b.TrustedKeyGroups.Items ?? []) : [];
}

function signerAccounts(b: Behavior): string[] {
  return b.TrustedSigners?.Enabled ? (b.TrustedSigners.Items ?? []) : [];
}

function requiresSigning(b: Behavior): boolean {
  return b.TrustedKeyGroups?.Enabled === true || b.TrustedSigners?.Enabled === true;
}

/** `'download-signers' (kg-0001, public keys K2...)`, or the id when the key group could not be read. */
function keyGroupLabel(ev: Evidence, id: string): string {
  const kg = ev.keyGroups[id];
  if (!kg?.ok) return `key group ${id}`;
  return `key group '${kg.value.Name ?? id}' (${id}, public keys ${(kg.value.Items ?? []).join(', ')})`;
}

function unsigned(r: ResolvedRequest): boolean {
  return requiresSigning(r.matched.behavior) && !carriesKeyPairId(r.request.url, r.request.headers);
}

export const signedUrlRequired: CauseModule = {
  id: 'SIGNED_URL_REQUIRED',
  risk: 'manual',
  detect({ ev, resolved }) {
    const byBehavior = groupBy(resolved.filter(unsigned), (r) => r.matched.pathPattern);
    const [first] = byBehavior.values();
    const matched = first?.[0]?.matched;
    if (!first || !matched) return null;
    const b = matched.behavior;
    const agrees = first.some((r) => probeIs(r, 'cf-missing-key'));
    const groups = keyGroupIds(b);
    const signers = signerAccounts(b);
    return {
      id: 'SIGNED_URL_REQUIRED',
      confidence: agrees ? 0.97 : 0.85,
      summary: `${sentence(behaviorLabel(matched.pathPattern))} requires signed URLs or cookies (${[...groups.map((g) => keyGroupLabel(ev, g)), ...signers.map((s) => `trusted signer ${s}`)].join(', ')}) and the failing requests carry no Key-Pair-Id`,
      evidence: [
        ...(groups.length > 0
          ? [
              `GetDistributionConfig: ${behaviorField(matched, 'TrustedKeyGroups')} Enabled = true, Items = [${groups.join(', ')}]`,
            ]
          : []),
        ...(signers.length > 0 || b.TrustedSigners?.Enabled
          ? [
              `GetDistributionConfig: ${behaviorField(matched, 'TrustedSigners')} Enabled = true, Items = [${signers.join(', ')}]`,
            ]
          : []),
        ...groups.map((g) => {
          const kg = ev.keyGroups[g];
          return kg?.ok
            ? `GetKeyGroup ${g}: ${keyGroupLabel(ev, g)}`
            : `GetKeyGroup ${g}: unreadable${kg ? ` (${kg.code})` : ''}`;
        }),
        ...first.map(
          (r) =>
            `${r.probe?.status === 403 ? requestLine(r) : logLine(r)}: no Key-Pair-Id in the query string or the CloudFront-Key-Pair-Id cookie`,
        ),
      ],
      subject: { pathPattern: matched.pathPattern, keyGroups: groups.join(','), signers: signers.join(',') },
    };
  },
  plan(finding, { ev }) {
    const pattern = finding.subject?.pathPattern ?? '';
    const groups = (finding.subject?.keyGroups ?? '').split(',').filter((g) => g !== '');
    const signers = (finding.subject?.signers ?? '').split(',').filter((s) => s !== '');
    const who = [
      ...groups.map((g) => `a private key of ${keyGroupLabel(ev, g)}`),
      ...signers.map((s) => `a CloudFront key pair of trusted signer ${s}`),
    ].join(' or ');
    return [
      manualAction(
        `signed-urls:${ev.distribution.Id}:${pattern}`,
        'SIGNED_URL_REQUIRED',
        `${sentence(behaviorLabel(pattern))} of distribution ${ev.distribution.Id} deliberately requires signed URLs or signed cookies; the requirement is kept. Have the application issue URLs (Key-Pair-Id, Signature, Expires or Policy) or cookies (CloudFront-Key-Pair-Id, CloudFront-Signature, ...) signed with ${who || 'a trusted key'}; if the content is meant to be public, move it to a behavior without trusted key groups.`,
      ),
    ];
  },
};

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
  keyPairIdOf,
  logLine,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
  sentence,
  unique,
} from './shared/viewer.ts';

type Behavior = CacheBehavior | DefaultCacheBehavior;

export function keyGroupIds(b: Behavior): string[] {
  return b.TrustedKeyGroups?.Enabled ? (b.TrustedKeyGroups.Items ?? []) : [];
}

function signerAccounts(b: Behavior): string[] {
  return b.TrustedSigners?.Enabled ? (b.TrustedSigners.Items ?? []) : [];
}

export function requiresSigning(b: Behavior): boolean {
  return b.TrustedKeyGroups?.Enabled === true || b.TrustedSigners?.Enabled === true;
}

/** `'download-signers' (kg-0001, public keys K2...)`, or the id when the key group could not be read. */
export function keyGroupLabel(ev: Evidence, id: string): string {
  const kg = ev.keyGroups[id];
  if (!kg?.ok) return `key group ${id}`;
  return `key group '${kg.value.Name ?? id}' (${id}, public keys ${(kg.value.Items ?? []).join(', ')})`;
}

function unsigned(r: ResolvedRequest): boolean {
  return requiresSigning(r.matched.behavior) && !carriesKeyPairId(r.request.url, r.request.headers);
}

/** The trusted public key ids of the behavior's key groups; undefined when one could not be read. */
export function trustedKeys(ev: Evidence, b: Behavior): string[] | undefined {
  const keys: string[] = [];
  for (const id of keyGroupIds(b)) {
    const kg = ev.keyGroups[id];
    if (!kg?.ok) return undefined;
    keys.push(...(kg.value.Items ?? []));
  }
  return keys;
}

/**
 * Signed with a key pair id that none of the behavior's key groups holds (a rotated or foreign key):
 * SIGNING_KEY_UNTRUSTED's. Legacy trusted signers are account key pairs no API lists, so never provable.
 */
export function untrustedKey(ev: Evidence, r: ResolvedRequest): string | undefined {
  const b = r.matched.behavior;
  const keyId = keyPairIdOf(r.request.url, r.request.headers);
  if (keyId === undefined || !b.TrustedKeyGroups?.Enabled || b.TrustedSigners?.Enabled) return undefined;
  const trusted = trustedKeys(ev, b);
  return trusted !== undefined && !trusted.includes(keyId) ? keyId : undefined;
}

/**
 * Signed with a trusted key, but CloudFront says the signature is bad (expired, tampered, wrong private key),
 * or signed for legacy trusted signers whose keys no API lists, so only the probe tells.
 */
function badlySigned(ev: Evidence, r: ResolvedRequest): boolean {
  const b = r.matched.behavior;
  const keyId = keyPairIdOf(r.request.url, r.request.headers);
  if (!requiresSigning(b) || keyId === undefined || untrustedKey(ev, r) !== undefined) return false;
  return probeIs(r, 'cf-bad-signature');
}

export const signedUrlRequired: CauseModule = {
  id: 'SIGNED_URL_REQUIRED',
  risk: 'manual',
  detect({ ev, resolved }) {
    const [missing] = groupBy(resolved.filter(unsigned), (r) => r.matched.pathPattern).values();
    const [wrong] = groupBy(
      resolved.filter((r) => badlySigned(ev, r)),
      (r) => r.matched.pathPattern,
    ).values();
    // Unsigned requests are the plain case; a wrong key or signature is reported when none is unsigned.
    const first = missing ?? wrong;
    const matched = first?.[0]?.matched;
    if (!first || !matched) return null;
    const b = matched.behavior;
    const signed = missing === undefined;
    const agrees = first.some((r) => probeIs(r, signed ? 'cf-bad-signature' : 'cf-missing-key'));
    const groups = keyGroupIds(b);
    const signers = signerAccounts(b);
    const keyIds = unique(first.map((r) => keyPairIdOf(r.request.url, r.request.headers) ?? ''));
    return {
      id: 'SIGNED_URL_REQUIRED',
      confidence: signed ? (agrees ? 0.9 : 0.8) : agrees ? 0.97 : 0.85,
      summary: `${sentence(behaviorLabel(matched.pathPattern))} requires signed URLs or cookies (${[...groups.map((g) => keyGroupLabel(ev, g)), ...signers.map((s) => `trusted signer ${s}`)].join(', ')}) and the failing requests ${signed ? `are signed with key pair ${keyIds.join(', ')}, which CloudFront does not accept (not a trusted key, or a bad or expired signature)` : 'carry no Key-Pair-Id'}`,
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
            `${r.probe?.status === 403 ? requestLine(r) : logLine(r)}: ${signed ? `Key-Pair-Id ${keyPairIdOf(r.request.url, r.request.headers) ?? ''}` : 'no Key-Pair-Id in the query string or the CloudFront-Key-Pair-Id cookie'}`,
        ),
      ],
      subject: {
        pathPattern: matched.pathPattern,
        keyGroups: groups.join(','),
        signers: signers.join(','),
        ...(signed ? { keyPairIds: keyIds.join(',') } : {}),
      },
      requests: probedIndices(
        resolved.filter(
          (r) =>
            probeIs(r, 'cf-missing-key') ||
            (probeIs(r, 'cf-bad-signature') && untrustedKey(ev, r) === undefined),
        ),
      ),
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
        `${sentence(behaviorLabel(pattern))} of distribution ${ev.distribution.Id} deliberately requires signed URLs or signed cookies; the requirement is kept. ${finding.subject?.keyPairIds ? `The requests are signed with key pair ${finding.subject.keyPairIds}: if that key was rotated, add its public key to the key group (or re-sign with a current key) and check the signatures have not expired. ` : ''}Have the application issue URLs (Key-Pair-Id, Signature, Expires or Policy) or cookies (CloudFront-Key-Pair-Id, CloudFront-Signature, ...) signed with ${who || 'a trusted key'}; if the content is meant to be public, move it to a behavior without trusted key groups.`,
      ),
    ];
  },
};

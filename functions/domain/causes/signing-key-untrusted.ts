// Signed URLs or cookies signed with a key pair the behavior's trusted key groups do not hold: a key rotated
// in the application but not in CloudFront, or a key group replaced under the application. CloudFront answers
// 403 AccessDenied (CloudFront Developer Guide, "Specify signers that can create signed URLs and signed
// cookies": it accepts only signatures whose Key-Pair-Id is a public key of a trusted key group).
import type { ResolvedRequest } from '../routing.ts';
import type { CauseModule } from './cause.ts';
import {
  behaviorField,
  behaviorLabel,
  groupBy,
  logLine,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
  sentence,
  unique,
} from './shared/viewer.ts';
import { keyGroupIds, keyGroupLabel, untrustedKey } from './signed-url-required.ts';

export const signingKeyUntrusted: CauseModule = {
  id: 'SIGNING_KEY_UNTRUSTED',
  risk: 'manual',
  detect({ ev, resolved }) {
    const keyOf = (r: ResolvedRequest) => untrustedKey(ev, r);
    const [first] = groupBy(
      resolved.filter((r) => keyOf(r) !== undefined),
      (r) => r.matched.pathPattern,
    ).values();
    const matched = first?.[0]?.matched;
    if (!first || !matched) return null;
    const groups = keyGroupIds(matched.behavior);
    const keys = unique(first.map((r) => keyOf(r) ?? ''));
    const agrees = first.some((r) => probeIs(r, 'cf-bad-signature'));
    return {
      id: 'SIGNING_KEY_UNTRUSTED',
      confidence: agrees ? 0.95 : 0.85,
      summary: `${sentence(behaviorLabel(matched.pathPattern))} trusts ${groups.map((g) => keyGroupLabel(ev, g)).join(', ')}, but the failing requests are signed with key pair ${keys.join(', ')}, which none of them holds`,
      evidence: [
        `GetDistributionConfig: ${behaviorField(matched, 'TrustedKeyGroups')} Enabled = true, Items = [${groups.join(', ')}]`,
        ...groups.map((g) => `GetKeyGroup ${g}: ${keyGroupLabel(ev, g)}`),
        ...first.map(
          (r) => `${r.probe?.status === 403 ? requestLine(r) : logLine(r)}: Key-Pair-Id ${keyOf(r) ?? ''}`,
        ),
      ],
      subject: { pathPattern: matched.pathPattern, keyGroups: groups.join(','), keyPairIds: keys.join(',') },
      requests: probedIndices(
        first.filter((r) => probeIs(r, 'cf-bad-signature') || probeIs(r, 'cf-missing-key')),
      ),
    };
  },
  plan(finding, { ev }) {
    const pattern = finding.subject?.pathPattern ?? '';
    const groups = (finding.subject?.keyGroups ?? '').split(',').filter((g) => g !== '');
    const keys = finding.subject?.keyPairIds ?? '';
    return [
      manualAction(
        `signing-key:${ev.distribution.Id}:${pattern}`,
        'SIGNING_KEY_UNTRUSTED',
        `The application signs URLs or cookies for ${behaviorLabel(pattern)} of distribution ${ev.distribution.Id} with key pair ${keys}, which no trusted key group holds (${groups.map((g) => keyGroupLabel(ev, g)).join(', ')}). If ${keys} is the application's new key, upload its public key (CreatePublicKey) and add it to the key group (UpdateKeyGroup), keeping the old key until every URL signed with it has expired; otherwise configure the signer with the private key of a trusted public key. A trusted key lets its holder sign URLs for this content, so the workflow never adds one.`,
      ),
    ];
  },
};

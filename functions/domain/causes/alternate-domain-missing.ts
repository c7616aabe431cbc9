// Cause 19: viewers use a host name that is neither the distribution's domain nor one of its aliases.
import type { ResolvedRequest } from '../routing.ts';
import type { Evidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import {
  aliasCovers,
  hostName,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
  unique,
} from './shared/viewer.ts';

function unknownHosts(ev: Evidence, resolved: readonly ResolvedRequest[]): ResolvedRequest[] {
  const own = ev.distribution.DomainName.toLowerCase();
  const aliases = ev.distribution.DistributionConfig.Aliases?.Items ?? [];
  return resolved.filter((r) => {
    const host = hostName(r.host);
    return host !== '' && host !== own && !aliases.some((a) => aliasCovers(a, host));
  });
}

export const alternateDomainMissing: CauseModule = {
  id: 'ALTERNATE_DOMAIN_MISSING',
  risk: 'manual',
  detect({ ev, resolved }) {
    const reqs = unknownHosts(ev, resolved);
    if (reqs.length === 0) return null;
    const hosts = unique(reqs.map((r) => hostName(r.host)));
    const aliases = ev.distribution.DistributionConfig.Aliases?.Items ?? [];
    return {
      id: 'ALTERNATE_DOMAIN_MISSING',
      // The host decides which distribution (and so which other check) a request meets: first of all.
      confidence: reqs.some((r) => probeIs(r, 'cf-bad-request')) ? 0.98 : 0.88,
      summary: `Requests for ${hosts.join(', ')} are refused because ${hosts.length > 1 ? 'these names are' : 'this name is'} not an alternate domain name (alias) of distribution ${ev.distribution.Id}`,
      evidence: [
        `GetDistributionConfig: Aliases.Items = [${aliases.join(', ')}], DomainName = ${ev.distribution.DomainName}`,
        ...reqs.map(requestLine),
      ],
      subject: { hosts: hosts.join(',') },
      requests: probedIndices(reqs),
    };
  },
  plan(finding, { ev }) {
    const hosts = (finding.subject?.hosts ?? '').split(',').filter((h) => h !== '');
    const before = ev.distribution.DistributionConfig.Aliases?.Items ?? [];
    const cert = ev.distribution.DistributionConfig.ViewerCertificate;
    const certNote = cert?.ACMCertificateArn
      ? `make sure ACM certificate ${cert.ACMCertificateArn} covers ${hosts.join(', ')} (or replace it with one that does)`
      : 'attach an ACM certificate in us-east-1 that covers them (the default *.cloudfront.net certificate cannot)';
    return [
      manualAction(
        `add-alias:${ev.distribution.Id}:${hosts.join(',')}`,
        'ALTERNATE_DOMAIN_MISSING',
        `Add ${hosts.join(', ')} to Aliases of distribution ${ev.distribution.Id} and ${certNote}; CloudFront refuses an alias without a certificate covering it, so this is not done automatically.`,
        [{ path: 'Aliases.Items', before, after: [...before, ...hosts] }],
      ),
    ];
  },
};

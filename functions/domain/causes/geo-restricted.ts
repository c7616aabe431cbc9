// Cause 5: the distribution's geo restriction refuses the viewers' countries.
import type { GeoRestriction } from '@aws-sdk/client-cloudfront';
import type { CauseModule } from './cause.ts';
import {
  confidenceFor,
  logLine,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
  unique,
} from './shared/viewer.ts';

function refuses(geo: GeoRestriction, country: string): boolean {
  const items = (geo.Items ?? []).map((c) => c.toUpperCase());
  const c = country.toUpperCase();
  if (geo.RestrictionType === 'whitelist') return !items.includes(c);
  if (geo.RestrictionType === 'blacklist') return items.includes(c);
  return false;
}

function geoOf(config: { Restrictions?: { GeoRestriction?: GeoRestriction } }): GeoRestriction | undefined {
  const geo = config.Restrictions?.GeoRestriction;
  return geo && geo.RestrictionType !== 'none' ? geo : undefined;
}

export const geoRestricted: CauseModule = {
  id: 'GEO_RESTRICTED',
  risk: 'manual',
  detect({ ev, resolved }) {
    const geo = geoOf(ev.distribution.DistributionConfig);
    if (!geo) return null;
    // The logged countries are the evidence even when the workflow's own probe (from the US) passes.
    // A viewer's record says ClientGeoBlocked even where the log names no country (legacy logs carry none).
    const refused = resolved.filter((r) =>
      r.request.country !== undefined
        ? refuses(geo, r.request.country)
        : r.request.logged?.edgeDetailedResultType === 'ClientGeoBlocked',
    );
    const fingerprinted = resolved.filter((r) => probeIs(r, 'cf-geo-blocked'));
    if (refused.length === 0 && fingerprinted.length === 0) return null;
    const countries = unique(refused.map((r) => (r.request.country ?? '').toUpperCase()));
    const list = `[${(geo.Items ?? []).join(', ')}]`;
    return {
      id: 'GEO_RESTRICTED',
      confidence: confidenceFor(fingerprinted.length > 0, refused.length > 0),
      summary:
        countries.length > 0
          ? `Viewers from ${countries.join(', ')} are refused by the distribution's geo restriction (${geo.RestrictionType} ${list})`
          : `CloudFront answers its geo-restriction page under the distribution's ${geo.RestrictionType} ${list}`,
      evidence: [
        `GetDistributionConfig: Restrictions.GeoRestriction.RestrictionType = ${geo.RestrictionType}, Items = ${list}`,
        ...refused.map(logLine),
        ...fingerprinted.map(requestLine),
      ],
      subject: { restrictionType: geo.RestrictionType ?? '', countries: countries.join(',') },
      // Only the probe's own refusals stay in the verification's way; logged countries do not.
      requests: probedIndices(fingerprinted),
    };
  },
  plan(finding, { ev }) {
    const geo = geoOf(ev.distribution.DistributionConfig);
    if (!geo) return [];
    const countries = (finding.subject?.countries ?? '').split(',').filter((c) => c !== '');
    const before = geo.Items ?? [];
    const after =
      geo.RestrictionType === 'whitelist'
        ? [...before, ...countries.filter((c) => !before.includes(c))]
        : before.filter((c) => !countries.includes(c));
    const change =
      countries.length === 0
        ? 'review Restrictions.GeoRestriction against the countries of the refused viewers'
        : geo.RestrictionType === 'whitelist'
          ? `add ${countries.join(', ')} to the allow list (whitelist)`
          : `remove ${countries.join(', ')} from the block list (blacklist)`;
    return [
      manualAction(
        `geo-restriction:${ev.distribution.Id}`,
        'GEO_RESTRICTED',
        `Geo restriction is an intentional control, so it is not changed automatically. If these viewers should be served, ${change} in Restrictions.GeoRestriction of distribution ${ev.distribution.Id}.`,
        countries.length > 0 ? [{ path: 'Restrictions.GeoRestriction.Items', before, after }] : [],
      ),
    ];
  },
};

// Where the workflow's probe stands. It runs in a Lambda function in the workflow's region: an AWS address,
// located in that region's country, sending a plain HTTP client's User-Agent. Many sites refuse such a
// request whatever the origin does (a geo allow list without that country, Bot Control, an IP set of
// data-centre ranges, a header only real clients send). A 403 CloudFront gives the probe for its own
// location or identity says nothing about the viewers: the viewers' access-log records do.
import { evaluateWebAcl, uriPathOf } from './causes/shared/waf.ts';
import type { Evidence, ProbeResult, ViewerRequest, WafEvidence } from './types.ts';

/** The probe's User-Agent (functions/adapters/prober.ts sends it): what WAF user-agent rules see of it. */
export const PROBE_USER_AGENT = 'cf403-probe/1.0';

/** Where a probe from this region comes from, as IP geolocation places AWS's addresses. */
export function probeCountry(region: string): string | undefined {
  if (region.startsWith('us-')) return 'US';
  if (region.startsWith('ca-')) return 'CA';
  const byRegion: Record<string, string> = {
    'eu-west-1': 'IE',
    'eu-west-2': 'GB',
    'eu-west-3': 'FR',
    'eu-central-1': 'DE',
    'eu-north-1': 'SE',
    'eu-south-1': 'IT',
    'ap-northeast-1': 'JP',
    'ap-southeast-1': 'SG',
    'ap-southeast-2': 'AU',
    'ap-south-1': 'IN',
    'sa-east-1': 'BR',
  };
  return byRegion[region];
}

/** A failing request the probe cannot make as a real viewer would: CloudFront refuses the prober itself. */
export interface VantageBlock {
  /** index into Evidence.requests / Evidence.probes */
  index: number;
  kind: 'geo' | 'waf';
  /** why the refusal is the prober's own, for the report */
  reason: string;
}

type GeoRestriction = NonNullable<
  NonNullable<Evidence['distribution']['DistributionConfig']['Restrictions']>['GeoRestriction']
>;

function refuses(geo: GeoRestriction | undefined, country: string): boolean {
  const items = (geo?.Items ?? []).map((c) => c.toUpperCase());
  const c = country.toUpperCase();
  if (geo?.RestrictionType === 'whitelist') return !items.includes(c);
  if (geo?.RestrictionType === 'blacklist') return items.includes(c);
  return false;
}

/** The viewer's own record shows CloudFront let it through to the origin (or served it). */
function reachedOrigin(r: ViewerRequest): boolean {
  const logged = r.logged;
  if (logged === undefined) return false;
  if (logged.status < 400) return true;
  // S3 answers its errors in XML; CloudFront's own refusals are HTML pages (edge-fingerprints contract)
  return /xml/i.test(logged.contentType ?? '');
}

function geoBlock(ev: Evidence, index: number, r: ViewerRequest): VantageBlock | undefined {
  const geo = ev.distribution.DistributionConfig.Restrictions?.GeoRestriction;
  const list = `${geo?.RestrictionType ?? 'none'} [${(geo?.Items ?? []).join(', ')}]`;
  const prober = probeCountry(ev.region);
  const where = `the probe comes from ${prober ?? `region ${ev.region}`}`;
  if (r.logged?.edgeDetailedResultType === 'ClientGeoBlocked') return undefined;
  if (r.country !== undefined && !refuses(geo, r.country)) {
    return {
      index,
      kind: 'geo',
      reason: `CloudFront's geo restriction (${list}) refuses the probe (${where}), not the logged viewer from ${r.country.toUpperCase()}`,
    };
  }
  if (r.logged !== undefined) {
    return {
      index,
      kind: 'geo',
      reason: `CloudFront's geo restriction (${list}) refuses the probe (${where}); the access log shows the viewer's request passed it (x-edge-detailed-result-type ${r.logged.edgeDetailedResultType ?? '-'}, status ${r.logged.status})`,
    };
  }
  return undefined;
}

const BOT_CONTROL = 'AWSManagedRulesBotControlRuleSet';

/** Rules of the web ACL that would block the probe, named as precisely as its configuration allows. */
export function probeBlockers(waf: WafEvidence, region: string): string[] {
  const out: string[] = [];
  const country = probeCountry(region);
  const samples = waf.sampledRequests.filter(
    (s) =>
      s.Action.toUpperCase() === 'BLOCK' &&
      (s.Request.Headers ?? []).some(
        (h) =>
          h.Name.toLowerCase() === 'user-agent' && h.Value.startsWith(PROBE_USER_AGENT.split('/')[0] ?? ''),
      ),
  );
  for (const s of samples)
    out.push(
      `GetSampledRequests: rule ${s.RuleName} blocked a request with the probe's User-Agent from ${s.Request.ClientIP}`,
    );
  for (const rule of [...waf.webAcl.Rules].sort((a, b) => a.Priority - b.Priority)) {
    const st = rule.Statement;
    const group = st.ManagedRuleGroupStatement;
    if (group?.Name === BOT_CONTROL && rule.OverrideAction?.Count === undefined) {
      const counted = new Set([
        ...(group.ExcludedRules ?? []).map((r) => r.Name),
        ...(group.RuleActionOverrides ?? [])
          .filter((o) => o.ActionToUse.Block === undefined)
          .map((o) => o.Name),
      ]);
      if (!counted.has('SignalNonBrowserUserAgent'))
        out.push(
          `rule ${rule.Name} (AWS WAF Bot Control): SignalNonBrowserUserAgent blocks user agents that are not a browser's, such as the probe's '${PROBE_USER_AGENT}'`,
        );
      continue;
    }
    if (rule.Action?.Block === undefined) continue;
    const inner = st.NotStatement?.Statement;
    const header =
      inner?.ByteMatchStatement?.FieldToMatch.SingleHeader?.Name ??
      inner?.SizeConstraintStatement?.FieldToMatch.SingleHeader?.Name;
    if (header !== undefined && header.toLowerCase() !== 'user-agent')
      out.push(`rule ${rule.Name} blocks requests without header ${header}, which the probe does not send`);
    if (country !== undefined && st.GeoMatchStatement?.CountryCodes.includes(country))
      out.push(`rule ${rule.Name} blocks country ${country}, where the probe runs`);
    if (st.IPSetReferenceStatement) {
      const set = waf.ipSets.find((s) => s.ARN === st.IPSetReferenceStatement?.ARN);
      out.push(
        `rule ${rule.Name} blocks IP set '${set?.Name ?? st.IPSetReferenceStatement.ARN}', which may hold the probe's AWS address (data-centre ranges)`,
      );
    }
    if (st.RateBasedStatement?.AggregateKeyType === 'CONSTANT')
      out.push(`rate-based rule ${rule.Name} counts every client together, the probe included`);
  }
  return [...new Set(out)];
}

function wafBlock(ev: Evidence, index: number, r: ViewerRequest): VantageBlock | undefined {
  const waf = ev.waf.ok ? ev.waf.value : null;
  const why = waf ? probeBlockers(waf, ev.region)[0] : undefined;
  const tail = why ? `: ${why}` : '';
  if (waf && r.clientIp !== undefined) {
    const verdict = evaluateWebAcl(
      waf.webAcl,
      { clientIp: r.clientIp, country: r.country, uriPath: uriPathOf(r.url) },
      { webAclArn: waf.webAcl.ARN, ipSets: waf.ipSets, sampledRequests: waf.sampledRequests },
    );
    // the viewer's own evaluation decides: a rule that blocks the viewer is the viewers' cause
    if (verdict.action === 'BLOCK') return undefined;
    if (reachedOrigin(r) || (verdict.undetermined?.length ?? 0) === 0) {
      return {
        index,
        kind: 'waf',
        reason: `web ACL '${waf.webAcl.Name}' blocks the probe but not the logged viewer ${r.clientIp}${tail}`,
      };
    }
  }
  if (reachedOrigin(r)) {
    return {
      index,
      kind: 'waf',
      reason: `AWS WAF blocks the probe, while the access log shows the viewer's request reached the origin (status ${r.logged?.status}, ${r.logged?.contentType ?? '-'})${tail}`,
    };
  }
  return undefined;
}

/** The failing requests whose probe answer is CloudFront refusing the prober, not the viewers. */
export function vantageBlocks(
  ev: Evidence,
  probes: readonly (ProbeResult | undefined)[] = ev.probes,
): VantageBlock[] {
  const out: VantageBlock[] = [];
  ev.requests.forEach((r, index) => {
    const p = probes[index];
    if (p?.status !== 403) return;
    const block =
      p.fingerprint.kind === 'cf-geo-blocked'
        ? geoBlock(ev, index, r)
        : p.fingerprint.kind === 'cf-waf-blocked'
          ? wafBlock(ev, index, r)
          : undefined;
    if (block) out.push(block);
  });
  return out;
}

/**
 * What the viewer's access-log record says of the response, as a fingerprint, for a request the probe cannot
 * reproduce: 403 in XML from an S3 REST origin is S3 refusing (AccessDenied); a status below 400 means the
 * viewers are served. Undefined when the record does not tell.
 */
export function loggedProbe(r: ViewerRequest, originKind: string | undefined): ProbeResult | undefined {
  const logged = r.logged;
  if (logged === undefined) return undefined;
  const base = { url: r.url, method: r.method, status: logged.status, fromLog: true } as const;
  if (logged.status < 400) return { ...base, fingerprint: { source: 'unknown', kind: 'ok' } };
  if (logged.status === 403 && originKind === 's3-rest' && /xml/i.test(logged.contentType ?? '')) {
    return {
      ...base,
      xCache: 'Error from cloudfront',
      fingerprint: {
        source: 's3',
        kind: 's3-access-denied',
        code: 'AccessDenied',
        reason: `access log: ${logged.status} ${logged.contentType ?? ''} (${logged.edgeResultType ?? '-'}/${logged.edgeDetailedResultType ?? '-'})`,
      },
    };
  }
  return undefined;
}

/** The probe answer that stands in a diagnosis for a request the probe cannot reproduce. */
export function standInProbe(
  r: ViewerRequest,
  originKind: string | undefined,
  probe: ProbeResult,
  block: VantageBlock,
): ProbeResult {
  return (
    loggedProbe(r, originKind) ?? {
      ...probe,
      fingerprint: { source: 'cloudfront', kind: 'prober-refused', reason: block.reason },
    }
  );
}

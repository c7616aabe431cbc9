// An escalation that names no cause still carries everything gathered: each failing request with its
// fingerprint, and each check that was made and found fine, stage by stage of CloudFront's pipeline.
import type { DetectContext } from './causes/cause.ts';
import {
  describeIdentity,
  headLine,
  identityCanRead,
  originIdentity,
  readPolicy,
} from './causes/shared/s3-access.ts';
import { bpaFlag } from './causes/shared/s3-origin.ts';
import { aliasCovers, behaviorLabel, requestLine, schemeOf } from './causes/shared/viewer.ts';
import { evaluateWebAcl, uriPathOf } from './causes/shared/waf.ts';
import type { ResolvedRequest } from './routing.ts';
import type { Diagnosis, Evidence } from './types.ts';

function fingerprintOf(r: ResolvedRequest): string {
  const f = r.probe?.fingerprint;
  if (!f) return '';
  const lookalike = f.lookalike
    ? `; looks like CloudFront's page but came from the origin: ${f.lookalike}`
    : '';
  return ` [fingerprint ${f.source}/${f.kind}${f.code ? ` ${f.code}` : ''}${lookalike}]`;
}

function viewerChecks(ev: Evidence, failing: readonly ResolvedRequest[]): string[] {
  const config = ev.distribution.DistributionConfig;
  const out: string[] = [];
  if (config.Enabled !== false)
    out.push(`GetDistribution ${ev.distribution.Id}: enabled, Status ${ev.distribution.Status}`);
  const hosts = [...new Set(failing.map((r) => r.host))];
  const aliases = config.Aliases?.Items ?? [];
  if (hosts.every((h) => h === ev.distribution.DomainName || aliases.some((a) => aliasCovers(a, h))))
    out.push(`Aliases: every requested host (${hosts.join(', ')}) belongs to the distribution`);
  const geo = config.Restrictions?.GeoRestriction;
  out.push(
    !geo || geo.RestrictionType === 'none'
      ? 'GeoRestriction: none'
      : `GeoRestriction ${geo.RestrictionType} [${(geo.Items ?? []).join(', ')}]: the probe's country is not refused`,
  );
  for (const r of failing) {
    const b = r.matched.behavior;
    const label = behaviorLabel(r.matched.pathPattern);
    const methods: string[] = b.AllowedMethods?.Items ?? ['GET', 'HEAD'];
    if (methods.includes(r.request.method.toUpperCase()))
      out.push(`${label}: ${r.request.method} is allowed (${methods.join(', ')})`);
    if (!(schemeOf(r.request.url) === 'http' && b.ViewerProtocolPolicy === 'https-only'))
      out.push(
        `${label}: ViewerProtocolPolicy ${b.ViewerProtocolPolicy ?? '?'} accepts ${schemeOf(r.request.url)}`,
      );
    if (!b.TrustedKeyGroups?.Enabled && !b.TrustedSigners?.Enabled)
      out.push(`${label}: no signed URLs required`);
  }
  return out;
}

function wafChecks(ev: Evidence, failing: readonly ResolvedRequest[], unreadable: string[]): string[] {
  const id = ev.distribution.DistributionConfig.WebACLId;
  if (!id) return ['WebACLId: no web ACL associated'];
  if (!ev.waf.ok || !ev.waf.value) {
    unreadable.push(`GetWebACL ${id}: ${ev.waf.ok ? 'none returned' : ev.waf.code}`);
    return [];
  }
  const waf = ev.waf.value;
  const out: string[] = [];
  for (const r of failing) {
    const verdict = evaluateWebAcl(
      waf.webAcl,
      { clientIp: r.request.clientIp ?? '', country: r.request.country, uriPath: uriPathOf(r.request.url) },
      { webAclArn: waf.webAcl.ARN, ipSets: waf.ipSets, sampledRequests: waf.sampledRequests },
    );
    if (verdict.action === 'ALLOW')
      out.push(
        `web ACL ${waf.webAcl.Name}: allows ${r.request.method} ${r.path} from ${r.request.clientIp ?? '?'}`,
      );
    for (const u of verdict.undetermined ?? [])
      out.push(
        `web ACL ${waf.webAcl.Name}: rule ${u.rule.Name} could not be evaluated (${u.statements.join('; ')}); unknown, not counted as a match`,
      );
  }
  return out;
}

function functionChecks(ev: Evidence, failing: readonly ResolvedRequest[]): string[] {
  return ev.functions.flatMap((f) =>
    f.replays
      .filter(
        (p) =>
          failing.some((r) => r.request.url === p.url) &&
          p.result.ok &&
          p.result.value.responseStatus !== 403,
      )
      .map(
        (p) =>
          `TestFunction ${f.name}: ${p.method} ${p.url} passes${p.result.ok && p.result.value.uri ? ` as ${p.result.value.uri}` : ''}`,
      ),
  );
}

function originChecks(ev: Evidence, failing: readonly ResolvedRequest[], unreadable: string[]): string[] {
  const out: string[] = [];
  for (const r of failing) {
    const origin = r.origin;
    if (!origin) {
      out.push(
        `${behaviorLabel(r.matched.pathPattern)}: origin ${r.matched.behavior.TargetOriginId ?? '?'} not found`,
      );
      continue;
    }
    const bucket = origin.bucket ? ev.buckets[origin.bucket] : undefined;
    if (!bucket || r.key === undefined) {
      out.push(`origin ${origin.id}: ${origin.kind} ${origin.domainName}`);
      continue;
    }
    const identity = originIdentity(ev, origin);
    const policy = readPolicy(bucket);
    const read = policy === undefined ? undefined : identityCanRead(ev, identity, bucket.name, policy, r.key);
    out.push(`origin ${origin.id}: ${describeIdentity(identity)}`);
    if (read) out.push(`GetBucketPolicy ${bucket.name}: ${read.decision} for s3:GetObject on ${r.key}`);
    else
      unreadable.push(
        `GetBucketPolicy ${bucket.name}: ${bucket.policy.ok ? 'does not parse' : bucket.policy.code}, so whether it lets ${describeIdentity(identity)} read ${r.key} is unknown`,
      );
    if (bucket.objects[r.key]?.ok) out.push(headLine(bucket, r.key));
    else unreadable.push(headLine(bucket, r.key));
    if (!bpaFlag(ev, bucket, 'RestrictPublicBuckets') || identity.kind !== 'none')
      out.push(
        `bucket ${bucket.name}: Block Public Access does not stand in the way of ${describeIdentity(identity)}`,
      );
    if (bucket.requestPayer.ok && bucket.requestPayer.value === 'BucketOwner')
      out.push(`bucket ${bucket.name}: Requester Pays off`);
  }
  return out;
}

/** Everything gathered about requests no cause explains. */
export function unexplainedEvidence(ctx: DetectContext): NonNullable<Diagnosis['unexplained']> {
  const { ev, failing } = ctx;
  const unreadable: string[] = [];
  const checked = [
    ...viewerChecks(ev, failing),
    ...wafChecks(ev, failing, unreadable),
    ...functionChecks(ev, failing),
    ...originChecks(ev, failing, unreadable),
  ];
  // Every other read that failed is evidence too: what could not be checked.
  for (const c of ev.calls) if (!c.ok) unreadable.push(`${c.api} ${c.target}: ${c.code ?? 'failed'}`);
  return {
    requests: failing.map((r) => `${requestLine(r)}${fingerprintOf(r)}`),
    checked: [...new Set(checked)],
    unreadable: [...new Set(unreadable)],
  };
}

// Cause 3: the origin is the bucket's S3 website endpoint, which serves anonymous readers only, while
// the bucket is not publicly readable (or an OAC, which a website endpoint ignores, is attached to it),
// or is public but denies requests over HTTP, the only protocol a website endpoint speaks.
import { evaluateResourcePolicy } from '../policy/evaluate.ts';
import { classifyOriginDomain, objectKey, type ResolvedRequest } from '../routing.ts';
import type { Action, BucketEvidence } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { oacActions } from './shared/origin-access.ts';
import {
  ask,
  cloudFrontGrant,
  configOrigin,
  distributionCalls,
  effectivelyPublic,
  objectArn,
  originIdentity,
  probeLine,
  publicRead,
  readPolicy,
  s3Refused,
  statementName,
} from './shared/s3-access.ts';
import { objectExists } from './shared/s3-origin.ts';
import { probedIndices } from './shared/viewer.ts';

/** The REST endpoint of the website endpoint's bucket, in the website endpoint's region. */
export function restDomain(websiteDomain: string, bucket: string, fallbackRegion: string): string {
  const region = classifyOriginDomain(websiteDomain).region ?? fallbackRegion;
  return `${bucket}.s3.${region}.amazonaws.com`;
}

/**
 * Deny statements that refuse anonymous reads only because they come over HTTP (`aws:SecureTransport` =
 * false). S3 website endpoints do not support HTTPS (S3 User Guide, "Website endpoints"), so CloudFront
 * always reaches them over HTTP and such a deny refuses every request. Empty when no request is refused so.
 */
export function insecureTransportDenies(bucket: BucketEvidence, reqs: readonly ResolvedRequest[]): string[] {
  const policy = readPolicy(bucket);
  if (policy === undefined || policy === null) return [];
  const names = new Set<string>();
  for (const r of reqs) {
    if (r.key === undefined) continue;
    const ask1 = (secure: boolean) =>
      ask(() =>
        evaluateResourcePolicy(policy, {
          principal: { type: 'Anonymous' },
          action: 's3:GetObject',
          resource: objectArn(bucket.name, r.key === '' ? 'index.html' : (r.key ?? '')),
          context: { 'aws:SecureTransport': secure },
        }),
      );
    const http = ask1(false);
    // Only a deny that HTTPS would lift: one refusing HTTPS too is another control (EXPLICIT_DENY's kind).
    if (http?.decision !== 'ExplicitDeny' || ask1(true)?.decision === 'ExplicitDeny') continue;
    for (const m of http.deniedBy) names.add(statementName(m));
  }
  return [...names];
}

export const websiteEndpointOrigin: CauseModule = {
  id: 'WEBSITE_ENDPOINT_ORIGIN',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const [originId, reqs] of s3Refused(failing, ['s3-website'])) {
      const origin = reqs[0]?.origin;
      const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
      if (!origin || !bucket) continue;
      const oacId = configOrigin(ev, originId)?.origin.OriginAccessControlId ?? '';
      const pub = publicRead(ev, bucket);
      const readable = effectivelyPublic(pub);
      // A public bucket behind its website endpoint works, unless its policy refuses HTTP.
      const transport = readable ? insecureTransportDenies(bucket, reqs) : [];
      if (readable && oacId === '' && transport.length === 0) continue;
      const website = bucket.website;
      const redirects =
        website.ok &&
        website.value !== null &&
        (website.value.RedirectAllRequestsTo !== undefined || (website.value.RoutingRules?.length ?? 0) > 0);
      // Directory URLs (other than /, which DefaultRootObject covers) need the website's index document,
      // which the REST endpoint does not apply: switching would leave them refused.
      // An extension-less path whose `<path>/index.html` exists is one too (the website endpoint redirects it).
      const directories = reqs
        .filter(
          (r) =>
            (r.path.endsWith('/') && r.path !== '/') ||
            (!/\.[^/]*$/.test(r.path) &&
              objectExists(bucket, objectKey(origin.originPath, `${r.path}/index.html`))),
        )
        .map((r) => r.path);
      const evidence = [
        `GetDistributionConfig: origin ${originId} DomainName = ${origin.domainName} (S3 website endpoint, CustomOriginConfig)`,
        oacId === ''
          ? `GetDistributionConfig: origin ${originId} OriginAccessControlId is empty`
          : `GetDistributionConfig: origin ${originId} OriginAccessControlId = ${oacId}, which a website endpoint never receives (it serves anonymous requests only)`,
        transport.length > 0
          ? `GetBucketPolicy ${bucket.name}: the bucket is publicly readable, but Deny statement ${transport.join(', ')} refuses requests with aws:SecureTransport = false, and CloudFront reaches an S3 website endpoint over HTTP only (website endpoints do not support HTTPS)`
          : readable
            ? `GetBucketPolicy ${bucket.name}: the bucket is publicly readable`
            : pub.policyBlocked || pub.aclBlocked
              ? `GetPublicAccessBlock: Block Public Access voids the public grant of bucket ${bucket.name}, so anonymous website requests are refused`
              : `GetBucketPolicy ${bucket.name}: no statement grants anonymous s3:GetObject, so website requests are refused`,
        website.ok
          ? `GetBucketWebsite ${bucket.name}: ${redirects ? 'RedirectAllRequestsTo / RoutingRules are set (the REST endpoint cannot apply them)' : 'no redirects or routing rules'}`
          : `GetBucketWebsite ${bucket.name}: unreadable (${website.code})`,
        ...(directories.length > 0
          ? [
              `access log: directory URLs ${directories.join(', ')} rely on the website endpoint's index document, which the REST endpoint does not serve`,
            ]
          : []),
        ...reqs.map(probeLine),
      ];
      return {
        id: 'WEBSITE_ENDPOINT_ORIGIN',
        confidence: website.ok ? 0.95 : 0.7,
        summary:
          transport.length > 0
            ? `Origin ${originId} is the S3 website endpoint of bucket ${bucket.name}, which CloudFront reaches over HTTP only, and the bucket policy denies every request without HTTPS (${transport.join(', ')})`
            : `Origin ${originId} is the S3 website endpoint of bucket ${bucket.name}, which is not publicly readable, so every request through it is refused`,
        evidence,
        subject: {
          originId,
          bucket: bucket.name,
          ...(transport.length > 0 ? { transportDeny: transport.join(', ') } : {}),
          ...(redirects
            ? { escalate: 'redirects' }
            : directories.length > 0
              ? { escalate: 'directories' }
              : {}),
        },
        requests: probedIndices(reqs),
      };
    }
    return null;
  },
  plan(finding, { ev, failing }) {
    const originId = finding.subject?.originId;
    const bucket = finding.subject?.bucket;
    const origin = ev.origins.find((o) => o.id === originId);
    const located = originId ? configOrigin(ev, originId) : undefined;
    if (!origin || !bucket || !located) return [];
    const domainName = restDomain(origin.domainName, bucket, ev.region);
    const grant = cloudFrontGrant(ev, 'WEBSITE_ENDPOINT_ORIGIN', bucket);
    const deny = finding.subject?.transportDeny;
    // The HTTPS-only deny is a deliberate control and stays: only the origin moves (to HTTPS, with an OAC).
    const keep = deny
      ? ` Deny statement ${deny} (aws:SecureTransport = false) is kept: the REST endpoint is reached over HTTPS, so it no longer refuses CloudFront.`
      : '';
    if (finding.subject?.escalate || grant?.risk === 'manual') {
      const lead = deny
        ? `Bucket ${bucket}'s policy refuses HTTP (${deny}), and the website endpoint CloudFront uses speaks only HTTP; the deny stays. `
        : '';
      const why =
        finding.subject?.escalate === 'redirects'
          ? `Bucket ${bucket}'s website configuration uses RedirectAllRequestsTo or RoutingRules, which the REST endpoint does not apply: move those redirects into a CloudFront Function (viewer request), then point`
          : finding.subject?.escalate === 'directories'
            ? `Viewers use directory URLs (ending in /) that only the website endpoint resolves to its index document: add a viewer-request CloudFront Function that appends the index document to such URIs, then point`
            : `The policy of bucket ${bucket} must be corrected by hand first (see the grant action); then point`;
      return [
        {
          id: `switch-origin-to-rest:${origin.id}`,
          cause: 'WEBSITE_ENDPOINT_ORIGIN',
          risk: 'manual',
          description: `${lead}${why} origin ${origin.id} at ${domainName} with S3OriginConfig and an OAC, and grant that OAC s3:GetObject in the bucket policy${deny ? `. Until then the site cannot be served: the website endpoint cannot be reached over HTTPS, and removing the deny is not proposed` : ''}`,
          calls: [],
          diff: [],
        },
        ...(grant?.risk === 'manual' ? [grant] : []),
      ];
    }
    const switchAction: Action = {
      id: `switch-origin-to-rest:${origin.id}`,
      cause: 'WEBSITE_ENDPOINT_ORIGIN',
      risk: 'destructive',
      description: `Point origin ${origin.id} at the REST endpoint ${domainName} (S3OriginConfig instead of CustomOriginConfig), so CloudFront can sign its requests with an OAC${deny ? ' and reach S3 over HTTPS' : ''}.${keep}`,
      calls: distributionCalls(ev),
      diff: [
        { path: `Origins.Items[${located.index}].DomainName`, before: origin.domainName, after: domainName },
        {
          path: `Origins.Items[${located.index}].CustomOriginConfig`,
          before: located.origin.CustomOriginConfig ?? null,
          after: null,
        },
        {
          path: `Origins.Items[${located.index}].S3OriginConfig`,
          before: null,
          after: { OriginAccessIdentity: '' },
        },
      ],
      change: {
        type: 'update-distribution',
        edits: [{ op: 'switch-origin-to-rest', originId: origin.id, domainName }],
      },
    };
    const actions: Action[] = [switchAction];
    // The REST endpoint knows no index document: `/` needs DefaultRootObject once the website endpoint is gone.
    const config = ev.distribution.DistributionConfig;
    const index = ev.buckets[bucket]?.website;
    const suffix = index?.ok ? index.value?.IndexDocument?.Suffix : undefined;
    if ((config.DefaultRootObject ?? '') === '' && suffix && failing.some((r) => r.path === '/')) {
      actions.push({
        id: `set-default-root-object:${ev.distribution.Id}`,
        cause: 'WEBSITE_ENDPOINT_ORIGIN',
        risk: 'safe',
        description: `Set DefaultRootObject of distribution ${ev.distribution.Id} to '${suffix}' (the website's index document), since the REST endpoint serves no index document for /`,
        calls: distributionCalls(ev),
        diff: [{ path: 'DefaultRootObject', before: '', after: suffix }],
        change: { type: 'update-distribution', edits: [{ op: 'set-default-root-object', value: suffix }] },
      });
    }
    if (grant) actions.push(grant);
    // An OAC already attached (and usable) keeps working on the REST endpoint; otherwise attach one.
    if (originIdentity(ev, origin).kind !== 'oac')
      actions.push(...oacActions(ev, 'WEBSITE_ENDPOINT_ORIGIN', origin, bucket));
    return actions;
  },
};

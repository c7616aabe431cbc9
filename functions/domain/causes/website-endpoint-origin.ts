// Cause 3: the origin is the bucket's S3 website endpoint, which serves anonymous readers only, while
// the bucket is not publicly readable (or an OAC, which a website endpoint ignores, is attached to it).
import { classifyOriginDomain } from '../routing.ts';
import type { Action } from '../types.ts';
import type { CauseModule } from './cause.ts';
import { oacActions } from './shared/origin-access.ts';
import {
  cloudFrontGrant,
  configOrigin,
  distributionCalls,
  effectivelyPublic,
  originIdentity,
  probeLine,
  publicRead,
  s3Refused,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

/** The REST endpoint of the website endpoint's bucket, in the website endpoint's region. */
export function restDomain(websiteDomain: string, bucket: string, fallbackRegion: string): string {
  const region = classifyOriginDomain(websiteDomain).region ?? fallbackRegion;
  return `${bucket}.s3.${region}.amazonaws.com`;
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
      // A publicly readable bucket behind its website endpoint is a working setup: the 403 is something else.
      if (readable && oacId === '') continue;
      const website = bucket.website;
      const redirects =
        website.ok &&
        website.value !== null &&
        (website.value.RedirectAllRequestsTo !== undefined || (website.value.RoutingRules?.length ?? 0) > 0);
      // Directory URLs (other than /, which DefaultRootObject covers) need the website's index document,
      // which the REST endpoint does not apply: switching would leave them refused.
      const directories = reqs.filter((r) => r.path.endsWith('/') && r.path !== '/').map((r) => r.path);
      const evidence = [
        `GetDistributionConfig: origin ${originId} DomainName = ${origin.domainName} (S3 website endpoint, CustomOriginConfig)`,
        oacId === ''
          ? `GetDistributionConfig: origin ${originId} OriginAccessControlId is empty`
          : `GetDistributionConfig: origin ${originId} OriginAccessControlId = ${oacId}, which a website endpoint never receives (it serves anonymous requests only)`,
        readable
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
        summary: `Origin ${originId} is the S3 website endpoint of bucket ${bucket.name}, which is not publicly readable, so every request through it is refused`,
        evidence,
        subject: {
          originId,
          bucket: bucket.name,
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
    if (finding.subject?.escalate || grant?.risk === 'manual') {
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
          description: `${why} origin ${origin.id} at ${domainName} with S3OriginConfig and an OAC, and grant that OAC s3:GetObject in the bucket policy`,
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
      description: `Point origin ${origin.id} at the REST endpoint ${domainName} (S3OriginConfig instead of CustomOriginConfig), so CloudFront can sign its requests with an OAC`,
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

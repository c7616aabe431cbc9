// Hand-built Evidence for the viewer group's rules: one healthy distribution (an S3 REST origin with an
// OAC that the bucket policy grants), to which each test adds requests, probes and one breakage.
import type {
  CacheBehavior,
  DefaultCacheBehavior,
  DistributionConfig,
  Origin,
} from '@aws-sdk/client-cloudfront';
import type { DetectContext } from '../../../../functions/domain/causes/cause.ts';
import { toProbeResult } from '../../../../functions/domain/fingerprint.ts';
import { classifyOriginDomain, resolveRequests } from '../../../../functions/domain/routing.ts';
import type {
  BucketEvidence,
  Evidence,
  OriginEvidence,
  ProbeResult,
  ViewerRequest,
} from '../../../../functions/domain/types.ts';
import {
  cloudFrontPage,
  cloudFrontXml,
  nextIds,
  REASON,
  s3AccessDenied,
} from '../../../../sim/edge/pages.ts';

export const ACCOUNT = '111122223333';
export const DIST_ID = 'E2QWRUHEXAMPLE';
export const DIST_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/${DIST_ID}`;
export const DOMAIN = 'd111111abcdef8.cloudfront.net';
export const OAC_ID = 'E3OACEXAMPLE';
export { REASON };

export function grantPolicy(bucket: string, distributionArn = DIST_ARN): string {
  return JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowCloudFrontServicePrincipal',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: `arn:aws:s3:::${bucket}/*`,
        Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
      },
    ],
  });
}

export function behavior(targetOriginId: string, extra: Partial<CacheBehavior> = {}): DefaultCacheBehavior {
  return {
    TargetOriginId: targetOriginId,
    ViewerProtocolPolicy: 'redirect-to-https',
    TrustedSigners: { Enabled: false, Quantity: 0 },
    TrustedKeyGroups: { Enabled: false, Quantity: 0 },
    AllowedMethods: { Quantity: 2, Items: ['GET', 'HEAD'] },
    FunctionAssociations: { Quantity: 0 },
    CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    ...extra,
  };
}

export function s3OriginConfig(id: string, bucket: string, oacId = OAC_ID, originPath = ''): Origin {
  return {
    Id: id,
    DomainName: `${bucket}.s3.us-east-1.amazonaws.com`,
    OriginPath: originPath,
    OriginAccessControlId: oacId,
    S3OriginConfig: { OriginAccessIdentity: '' },
  };
}

export function bucketEvidence(
  name: string,
  objects: string[],
  policy: string | null = grantPolicy(name),
): BucketEvidence {
  return {
    name,
    policy: { ok: true, value: policy },
    publicAccessBlock: {
      ok: true,
      value: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
    },
    ownershipControls: { ok: true, value: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] } },
    requestPayer: { ok: true, value: 'BucketOwner' },
    encryption: { ok: true, value: null },
    website: { ok: true, value: null },
    publicAcl: { ok: true, value: false },
    objects: Object.fromEntries(objects.map((key) => [key, { ok: true, value: { key, exists: true } }])),
  };
}

/** HeadObject answered "not found" for these keys. */
export function markMissing(bucket: BucketEvidence, ...keys: string[]): void {
  for (const key of keys) bucket.objects[key] = { ok: true, value: { key, exists: false } };
}

/** Origin evidence as the collector derives it from the config (OAC resolved when its id is set). */
export function originEvidence(o: Origin): OriginEvidence {
  const target = classifyOriginDomain(o.DomainName ?? '');
  return {
    id: o.Id ?? '',
    domainName: o.DomainName ?? '',
    originPath: o.OriginPath ?? '',
    kind: target.kind,
    ...(target.bucket ? { bucket: target.bucket } : {}),
    oac: o.OriginAccessControlId
      ? {
          ok: true,
          value: {
            Id: o.OriginAccessControlId,
            OriginAccessControlConfig: {
              Name: `${target.bucket ?? 'x'}-oac`,
              SigningProtocol: 'sigv4',
              SigningBehavior: 'always',
              OriginAccessControlOriginType: 's3',
            },
          },
        }
      : { ok: true, value: null },
    oai: { ok: true, value: null },
  };
}

export function baseConfig(): DistributionConfig {
  return {
    CallerReference: 'example-site-2026',
    Comment: 'example-site',
    Enabled: true,
    Aliases: { Quantity: 0 },
    DefaultRootObject: 'index.html',
    Origins: { Quantity: 1, Items: [s3OriginConfig('s3-origin', 'example-site')] },
    DefaultCacheBehavior: behavior('s3-origin'),
    CacheBehaviors: { Quantity: 0 },
    Restrictions: { GeoRestriction: { RestrictionType: 'none', Quantity: 0 } },
    WebACLId: '',
  };
}

/** A healthy distribution with no requests yet. */
export function makeEvidence(config: DistributionConfig = baseConfig()): Evidence {
  return {
    collectedAt: '2026-11-28T00:00:00Z',
    account: ACCOUNT,
    region: 'us-east-1',
    distribution: {
      Id: DIST_ID,
      ARN: DIST_ARN,
      DomainName: DOMAIN,
      Status: 'Deployed',
      ETag: 'E1ABC',
      DistributionConfig: config,
    },
    origins: (config.Origins?.Items ?? []).map(originEvidence),
    buckets: { 'example-site': bucketEvidence('example-site', ['index.html', 'app.js']) },
    accountPublicAccessBlock: { ok: true, value: null },
    kmsKeys: {},
    waf: { ok: true, value: null },
    keyGroups: {},
    functions: [],
    originRequestPolicies: {},
    requests: [],
    probes: [],
    calls: [],
  };
}

/** Re-derives origins after a test changed the config's origins. */
export function syncOrigins(ev: Evidence): void {
  ev.origins = (ev.distribution.DistributionConfig.Origins?.Items ?? []).map(originEvidence);
}

export function url(path: string, scheme = 'https', host = DOMAIN): string {
  return `${scheme}://${host}${path}`;
}

/** Adds a logged request and the workflow's probe of it. */
export function addRequest(
  ev: Evidence,
  request: Partial<ViewerRequest> & { url: string },
  probe: (req: { url: string; method: string }) => ProbeResult,
): void {
  const full: ViewerRequest = { method: 'GET', country: 'US', clientIp: '203.0.113.10', ...request };
  ev.requests.push(full);
  ev.probes.push(probe({ url: full.url, method: full.method }));
}

type ProbeOf = (req: { url: string; method: string }) => ProbeResult;

function edge(headers: Record<string, string>, xCache = 'Error from cloudfront'): Record<string, string> {
  return { ...headers, 'x-cache': xCache, via: '1.1 abc.cloudfront.net (CloudFront)' };
}

export const probeOk: ProbeOf = (req) =>
  toProbeResult(req, {
    status: 200,
    headers: edge({ server: 'AmazonS3' }, 'Miss from cloudfront'),
    body: 'ok',
  });

export function probeCloudFront(reason: string, status = 403): ProbeOf {
  return (req) => {
    const page = cloudFrontPage(status, reason, nextIds(req.url), []);
    return toProbeResult(req, { status, headers: edge(page.headers), body: page.body });
  };
}

export const probeMissingKey: ProbeOf = (req) => {
  const x = cloudFrontXml('MissingKey', 'Missing Key-Pair-Id query parameter or cookie value', []);
  return toProbeResult(req, { status: 403, headers: edge(x.headers), body: x.body });
};

export const probeS3Denied: ProbeOf = (req) => {
  const r = s3AccessDenied(nextIds(req.url), []);
  return toProbeResult(req, { status: 403, headers: edge(r.headers), body: r.body });
};

export function probeFunction(status: number): ProbeOf {
  return (req) =>
    toProbeResult(req, {
      status,
      headers: edge({ server: 'CloudFront' }, 'FunctionGeneratedResponse from cloudfront'),
      body: '',
    });
}

export function probeCustom(status: number, body: string, server = 'nginx'): ProbeOf {
  return (req) =>
    toProbeResult(req, { status, headers: edge({ server, 'content-type': 'text/plain' }), body });
}

/** The context diagnose() builds: every logged request routed, the 403 ones marked failing. */
export function ctxOf(ev: Evidence): DetectContext {
  const resolved = resolveRequests(ev);
  return { ev, resolved, failing: resolved.filter((r) => r.probe?.status === 403) };
}

// Hand-built Evidence for the S3 group of cause rules: a distribution whose S3 REST origin signs with a
// granted OAC (a healthy setup), which each test breaks in one place, and probes whose fingerprints
// come from the real classifier reading realistic responses.
import type { DistributionConfig, Origin } from '@aws-sdk/client-cloudfront';
import type { DetectContext } from '../../../../functions/domain/causes/cause.ts';
import { detectContext } from '../../../../functions/domain/diagnose.ts';
import { toProbeResult } from '../../../../functions/domain/fingerprint.ts';
import { classifyOriginDomain } from '../../../../functions/domain/routing.ts';
import type {
  BucketEvidence,
  Evidence,
  ObjectHead,
  OriginEvidence,
  ProbeResult,
  Readable,
} from '../../../../functions/domain/types.ts';

export const ACCOUNT = '111122223333';
export const DIST_ID = 'E2QWRUHEXAMPLE';
export const DIST_ARN = `arn:aws:cloudfront::${ACCOUNT}:distribution/${DIST_ID}`;
export const HOST = 'd111111abcdef8.cloudfront.net';
export const BUCKET = 'example-site';
export const OAC_ID = 'E3OACEXAMPLE';
export const OAI_ID = 'E3OAIEXAMPLE';
export const CANONICAL = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
export const REST_DOMAIN = `${BUCKET}.s3.us-east-1.amazonaws.com`;
export const WEBSITE_DOMAIN = `${BUCKET}.s3-website-us-east-1.amazonaws.com`;

type Stmt = Record<string, unknown>;

export const GRANT: Stmt = {
  Sid: 'AllowCloudFrontServicePrincipal',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
};

export const DEPLOY: Stmt = {
  Sid: 'AllowDeployRole',
  Effect: 'Allow',
  Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/site-deploy` },
  Action: ['s3:PutObject', 's3:ListBucket'],
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
};

export const PUBLIC_READ: Stmt = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};

export const ALL_BLOCKED = {
  BlockPublicAcls: true,
  IgnorePublicAcls: true,
  BlockPublicPolicy: true,
  RestrictPublicBuckets: true,
};

export function policy(...statements: Stmt[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export function ok<T>(value: T): Readable<T> {
  return { ok: true, value };
}

export function unreadable(code = 'AccessDenied'): { ok: false; code: string; message: string } {
  return { ok: false, code, message: `${code} (test)` };
}

export function url(path: string): string {
  return `https://${HOST}${path}`;
}

const S3_HEADERS = {
  server: 'AmazonS3',
  'x-amz-request-id': '0A1B2C3D4E5F6789',
  'x-cache': 'Error from cloudfront',
};

export function s3Denied(path: string): ProbeResult {
  return toProbeResult(
    { url: url(path), method: 'GET' },
    {
      status: 403,
      headers: { ...S3_HEADERS, 'content-type': 'application/xml' },
      body: '<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>0A1B2C3D4E5F6789</RequestId><HostId>abc=</HostId></Error>',
    },
  );
}

export function kmsDenied(path: string): ProbeResult {
  return toProbeResult(
    { url: url(path), method: 'GET' },
    {
      status: 403,
      headers: { ...S3_HEADERS, 'content-type': 'application/xml' },
      body: '<Error><Code>AccessDenied</Code><Message>The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.</Message><RequestId>1</RequestId></Error>',
    },
  );
}

export function websiteDenied(path: string): ProbeResult {
  return toProbeResult(
    { url: url(path), method: 'GET' },
    {
      status: 403,
      headers: { ...S3_HEADERS, 'content-type': 'text/html' },
      body: '<html><head><title>403 Forbidden</title></head><body><h1>403 Forbidden</h1><ul><li>Code: AccessDenied</li><li>Message: Access Denied</li></ul></body></html>',
    },
  );
}

export function geoBlocked(path: string): ProbeResult {
  return toProbeResult(
    { url: url(path), method: 'GET' },
    {
      status: 403,
      headers: { server: 'CloudFront', 'x-cache': 'Error from cloudfront', 'content-type': 'text/html' },
      body: '<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2><HR noshade size="1px">The Amazon CloudFront distribution is configured to block access from your country.</BODY></HTML>',
    },
  );
}

export function served(path: string): ProbeResult {
  return toProbeResult(
    { url: url(path), method: 'GET' },
    { status: 200, headers: { server: 'AmazonS3', 'x-cache': 'Miss from cloudfront' }, body: 'hello' },
  );
}

export function head(key: string, extra: Partial<ObjectHead> = {}): Readable<ObjectHead> {
  return ok({ key, exists: true, serverSideEncryption: 'AES256', ...extra });
}

export function absent(key: string): Readable<ObjectHead> {
  return ok({ key, exists: false });
}

export function bucketEvidence(name = BUCKET, patch: Partial<BucketEvidence> = {}): BucketEvidence {
  return {
    name,
    policy: ok(policy(GRANT, DEPLOY)),
    publicAccessBlock: ok({ ...ALL_BLOCKED }),
    ownershipControls: ok({ Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] }),
    requestPayer: ok('BucketOwner'),
    encryption: ok({ Rules: [{ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] }),
    website: ok(null),
    publicAcl: ok(false),
    objects: { 'index.html': head('index.html'), 'app.js': head('app.js') },
    ...patch,
  };
}

function configOrigin(id: string, domain: string, patch: Partial<Origin> = {}): Origin {
  return {
    Id: id,
    DomainName: domain,
    OriginPath: '',
    CustomHeaders: { Quantity: 0 },
    OriginAccessControlId: OAC_ID,
    S3OriginConfig: { OriginAccessIdentity: '' },
    ...patch,
  };
}

function baseConfig(origins: Origin[]): DistributionConfig {
  return {
    CallerReference: 'example-site',
    Comment: 'example-site',
    Enabled: true,
    DefaultRootObject: 'index.html',
    Origins: { Quantity: origins.length, Items: origins },
    DefaultCacheBehavior: {
      TargetOriginId: origins[0]?.Id ?? 's3-origin',
      ViewerProtocolPolicy: 'redirect-to-https',
      CachePolicyId: '658327ea-f89d-4fab-a63d-7e88639e58f6',
    },
    CacheBehaviors: { Quantity: 0 },
  };
}

function originEvidence(o: Origin): OriginEvidence {
  const target = classifyOriginDomain(o.DomainName ?? '');
  const oacId = o.OriginAccessControlId ?? '';
  return {
    id: o.Id ?? '',
    domainName: o.DomainName ?? '',
    originPath: o.OriginPath ?? '',
    kind: target.kind,
    ...(target.bucket ? { bucket: target.bucket } : {}),
    oac:
      oacId === ''
        ? ok(null)
        : ok({
            Id: oacId,
            OriginAccessControlConfig: {
              Name: `${BUCKET}-oac`,
              SigningProtocol: 'sigv4',
              SigningBehavior: 'always',
              OriginAccessControlOriginType: 's3',
            },
          }),
    oai: ok(null),
  };
}

/** A healthy OAC setup (granted, objects present) whose /index.html probe nevertheless says S3 AccessDenied. */
export function evidence(): Evidence {
  const origin = configOrigin('s3-origin', REST_DOMAIN);
  const ev: Evidence = {
    collectedAt: '2026-11-28T00:00:00Z',
    account: ACCOUNT,
    region: 'us-east-1',
    distribution: {
      Id: DIST_ID,
      ARN: DIST_ARN,
      DomainName: HOST,
      Status: 'Deployed',
      ETag: 'E1ABCDEFGHIJK',
      DistributionConfig: baseConfig([origin]),
    },
    origins: [],
    buckets: { [BUCKET]: bucketEvidence() },
    accountPublicAccessBlock: ok(null),
    kmsKeys: {},
    waf: ok(null),
    keyGroups: {},
    functions: [],
    originRequestPolicies: {},
    requests: [],
    probes: [],
    calls: [],
  };
  ev.origins = [originEvidence(origin)];
  return withRequest(ev, '/index.html', s3Denied);
}

/** Replace the logged requests (and their probes) with these paths, each probed by `probe`. */
export function withRequest(ev: Evidence, path: string, probe: (path: string) => ProbeResult): Evidence {
  return withRequests(ev, [[path, probe]]);
}

export function withRequests(ev: Evidence, reqs: [string, (path: string) => ProbeResult][]): Evidence {
  ev.requests = reqs.map(([path]) => ({
    url: url(path),
    method: 'GET',
    country: 'US',
    clientIp: '203.0.113.10',
  }));
  ev.probes = reqs.map(([path, probe]) => probe(path));
  return ev;
}

export function originOf(ev: Evidence, id = 's3-origin'): { config: Origin; evidence: OriginEvidence } {
  const config = ev.distribution.DistributionConfig.Origins?.Items?.find((o) => o.Id === id);
  const evidence = ev.origins.find((o) => o.id === id);
  if (!config || !evidence) throw new Error(`no origin ${id}`);
  return { config, evidence };
}

export function bucketOf(ev: Evidence, name = BUCKET): BucketEvidence {
  const b = ev.buckets[name];
  if (!b) throw new Error(`no bucket ${name}`);
  return b;
}

/** The origin signs nothing (no OAC, no OAI). */
export function withoutIdentity(ev: Evidence): Evidence {
  const { config, evidence } = originOf(ev);
  config.OriginAccessControlId = '';
  evidence.oac = ok(null);
  return ev;
}

/** The origin signs with a legacy OAI (present, unless `deleted`). */
export function withOai(ev: Evidence, deleted = false): Evidence {
  withoutIdentity(ev);
  const { config, evidence } = originOf(ev);
  config.S3OriginConfig = { OriginAccessIdentity: `origin-access-identity/cloudfront/${OAI_ID}` };
  evidence.oai = deleted
    ? unreadable('NoSuchCloudFrontOriginAccessIdentity')
    : ok({ Id: OAI_ID, S3CanonicalUserId: CANONICAL });
  return ev;
}

/** The origin is the bucket's website endpoint (CustomOriginConfig, no OAC). */
export function withWebsiteOrigin(ev: Evidence): Evidence {
  const { config, evidence } = originOf(ev);
  config.DomainName = WEBSITE_DOMAIN;
  config.OriginAccessControlId = '';
  delete config.S3OriginConfig;
  config.CustomOriginConfig = { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' };
  evidence.domainName = WEBSITE_DOMAIN;
  evidence.kind = 's3-website';
  evidence.oac = ok(null);
  bucketOf(ev).website = ok({ IndexDocument: { Suffix: 'index.html' } });
  bucketOf(ev).policy = ok(policy(DEPLOY));
  return withRequest(ev, '/index.html', websiteDenied);
}

export function ctxOf(ev: Evidence): DetectContext {
  return detectContext(ev);
}

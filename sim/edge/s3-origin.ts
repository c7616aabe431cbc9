// The S3 origins: the REST endpoint (signed by an OAC, an OAI identity, or anonymous) and the
// static website endpoint (always anonymous, over HTTP).
import type { Origin } from '@aws-sdk/client-cloudfront';
import type { RoutingRule } from '@aws-sdk/client-s3';
import type { Scenario, ScenarioBucket, ScenarioObject } from '../scenario/types.ts';
import { managedOriginRequestPolicy } from '../world/managed-policies.ts';
import {
  aclsEnabled,
  bucketAccess,
  type EffectiveBpa,
  effectiveBpa,
  kmsDecryptAllowed,
  oaiArn,
  type Requester,
} from './access.ts';
import { matchBehavior } from './match.ts';
import { type Ids, KMS_DENIED_MESSAGE, s3AccessDenied, s3Error, s3Headers, websiteError } from './pages.ts';
import type { Behavior, EdgeContext, EdgeResponse } from './types.ts';

export type S3Domain = { kind: 'rest' | 'website'; bucket: string };

const WEBSITE = /^(.+)\.s3-website[.-]([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$/;
const REST = /^(.+)\.s3(?:\.dualstack)?(?:[.-]([a-z0-9-]+))?\.amazonaws\.com(?:\.cn)?$/;

export function parseS3Domain(domain: string): S3Domain | undefined {
  const host = domain.toLowerCase();
  const website = WEBSITE.exec(host);
  if (website?.[1] !== undefined) return { kind: 'website', bucket: website[1] };
  const rest = REST.exec(host);
  if (rest?.[1] !== undefined) return { kind: 'rest', bucket: rest[1] };
  return undefined;
}

/** OriginPath (no leading slash) + the URL-decoded URI path without its leading slash. */
export function objectKey(originPath: string | undefined, uri: string): string {
  let path: string;
  try {
    path = decodeURIComponent(uri);
  } catch {
    path = uri;
  }
  const rest = path.replace(/^\//, '');
  const prefix = (originPath ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return prefix === '' ? rest : `${prefix}/${rest}`;
}

const ALL_VIEWER = '216adef6-5c7f-47e4-b989-5492eafa07d3';

/** Whether the behavior sends the viewer's Host header to the origin. */
export function forwardsViewerHost(scenario: Scenario, behavior: Behavior): boolean {
  const legacy = behavior.ForwardedValues?.Headers?.Items ?? [];
  if (legacy.some((h) => h === '*' || h.toLowerCase() === 'host')) return true;
  const id = behavior.OriginRequestPolicyId;
  if (id === undefined || id === '') return false;
  if (id === ALL_VIEWER) return true;
  const policy = scenario.cloudfront.originRequestPolicies?.find((p) => p.Id === id);
  const headers = policy?.OriginRequestPolicyConfig.HeadersConfig;
  if (headers === undefined) return false;
  const named = (headers.Headers?.Items ?? []).map((h) => h.toLowerCase());
  switch (headers.HeaderBehavior) {
    case 'allViewer':
    case 'allViewerAndWhitelistCloudFront':
      return true;
    case 'allExcept':
      return !named.includes('host');
    case 'whitelist':
      return named.includes('host');
    default:
      return false;
  }
}

/** Whether the behavior sends the viewer's header `name` (lower case) to the origin. */
function forwardsViewerHeader(scenario: Scenario, behavior: Behavior, name: string): boolean {
  const legacy = (behavior.ForwardedValues?.Headers?.Items ?? []).map((h) => h.toLowerCase());
  if (legacy.includes('*') || legacy.includes(name)) return true;
  const id = behavior.OriginRequestPolicyId ?? '';
  if (id === '') return false;
  if (id === ALL_VIEWER) return true;
  const policy =
    scenario.cloudfront.originRequestPolicies?.find((p) => p.Id === id)?.OriginRequestPolicyConfig ??
    managedOriginRequestPolicy(id)?.OriginRequestPolicyConfig;
  const headers = policy?.HeadersConfig;
  const named = (headers?.Headers?.Items ?? []).map((h) => h.toLowerCase());
  switch (headers?.HeaderBehavior) {
    case 'allViewer':
    case 'allViewerAndWhitelistCloudFront':
      return true;
    case 'allExcept':
      return !named.includes(name);
    case 'whitelist':
      return named.includes(name);
    default:
      return false;
  }
}

/**
 * Referer and User-Agent as CloudFront sends them to S3, which bucket policies test with aws:Referer and
 * aws:UserAgent: an origin custom header wins, then the viewer's if the behavior forwards it; a User-Agent
 * not forwarded becomes "Amazon CloudFront" (CloudFront Developer Guide, "Request and response behavior for
 * custom origins", User-Agent).
 */
export function headersToOrigin(ctx: EdgeContext, origin: Origin): { referer?: string; userAgent?: string } {
  const behavior = matchBehavior(ctx.config, ctx.url.pathname).behavior;
  const custom = (name: string) =>
    origin.CustomHeaders?.Items?.find((h) => (h.HeaderName ?? '').toLowerCase() === name)?.HeaderValue;
  const sent = (name: string) =>
    custom(name) ?? (forwardsViewerHeader(ctx.view.scenario, behavior, name) ? ctx.headers[name] : undefined);
  const referer = sent('referer');
  const userAgent = sent('user-agent') ?? 'Amazon CloudFront';
  return { ...(referer !== undefined ? { referer } : {}), userAgent };
}

/**
 * The account owning a bucket: another account than the distribution's in an organization (issue 15: the
 * cross-account OAC case, where the grant lives in the bucket owner's policy), else the view's own.
 */
function bucketAccount(ctx: EdgeContext, bucket: string): string {
  return ctx.view.bucketAccount?.(bucket) ?? ctx.view.scenario.account;
}

/** The identity CloudFront uses towards an S3 REST origin. */
export function requesterFor(ctx: EdgeContext, origin: Origin): { requester: Requester; note: string } {
  const { scenario } = ctx.view;
  const oacId = origin.OriginAccessControlId ?? '';
  if (oacId !== '') {
    const oac = scenario.cloudfront.originAccessControls?.find((o) => o.Id === oacId);
    const config = oac?.OriginAccessControlConfig;
    if (config === undefined) return { requester: { kind: 'anonymous' }, note: `oac-missing:${oacId}` };
    if (config.OriginAccessControlOriginType !== 's3' || config.SigningBehavior === 'never') {
      return { requester: { kind: 'anonymous' }, note: `oac-unsigned:${oacId}` };
    }
    return {
      requester: { kind: 'oac', sourceArn: ctx.distribution.ARN, sourceAccount: scenario.account },
      note: `oac:${oacId}`,
    };
  }
  const oaiRef = origin.S3OriginConfig?.OriginAccessIdentity ?? '';
  if (oaiRef !== '') {
    const id = oaiRef.split('/').pop() ?? '';
    const oai = scenario.cloudfront.originAccessIdentities?.find((o) => o.Id === id);
    if (oai === undefined) return { requester: { kind: 'anonymous' }, note: `oai-missing:${id}` };
    return {
      requester: { kind: 'oai', id, arn: oaiArn(id), canonicalUserId: oai.S3CanonicalUserId },
      note: `oai:${id}`,
    };
  }
  return { requester: { kind: 'anonymous' }, note: 'anonymous' };
}

function findBucket(scenario: Scenario, name: string): ScenarioBucket | undefined {
  return scenario.s3.buckets.find((b) => b.Name === name);
}

function findObject(bucket: ScenarioBucket, key: string): ScenarioObject | undefined {
  return bucket.Objects.find((o) => o.Key === key);
}

function objectResponse(
  object: ScenarioObject,
  ids: Ids,
  trace: string[],
  status = 200,
  extra: Record<string, string> = {},
): EdgeResponse {
  const headers: Record<string, string> = {
    ...s3Headers(ids),
    'content-type': object.ContentType ?? 'binary/octet-stream',
    ...extra,
  };
  if (object.ServerSideEncryption) headers['x-amz-server-side-encryption'] = object.ServerSideEncryption;
  return { status, headers, body: object.Body ?? '', trace };
}

interface ObjectCheck {
  bucket: ScenarioBucket;
  object: ScenarioObject;
  requester: Requester;
  ctx: EdgeContext;
}

/** Object ownership and SSE-KMS: reasons S3 refuses a GetObject the policy allowed. */
function objectRefusal(check: ObjectCheck): { message: string; note: string } | undefined {
  const { bucket, object, requester, ctx } = check;
  const account = bucketAccount(ctx, bucket.Name);
  if (object.OwnerAccount !== undefined && object.OwnerAccount !== account && aclsEnabled(bucket)) {
    return { message: 'Access Denied', note: `object-owned-by:${object.OwnerAccount}` };
  }
  if (object.ServerSideEncryption === 'aws:kms' || object.ServerSideEncryption === 'aws:kms:dsse') {
    const keyRef = object.SSEKMSKeyId ?? '';
    const key = ctx.view.scenario.kms?.keys.find(
      (k) => k.Arn === keyRef || k.KeyId === keyRef || (k.Aliases ?? []).includes(keyRef),
    );
    // An AWS managed key (aws/s3) is used through S3 by principals of its own account only; its policy
    // cannot be changed to let CloudFront decrypt (AWS KMS Developer Guide, "AWS managed keys").
    if (key === undefined || key.KeyManager === 'AWS' || !kmsDecryptAllowed(key, requester, account)) {
      return { message: KMS_DENIED_MESSAGE, note: `kms-denied:${keyRef || 'aws/s3'}` };
    }
  }
  return undefined;
}

/** GET/HEAD (and writes) against the S3 REST endpoint. */
export function s3RestOrigin(
  ctx: EdgeContext,
  origin: Origin,
  behavior: Behavior,
  bucketName: string,
  uri: string,
): EdgeResponse {
  const { trace, ids } = ctx;
  const { scenario } = ctx.view;
  if (forwardsViewerHost(scenario, behavior)) {
    trace.push('origin:s3-rest:host-header-forwarded');
    return s3AccessDenied(ids, trace);
  }
  const bucket = findBucket(scenario, bucketName);
  if (bucket === undefined) {
    trace.push(`origin:s3-rest:no-such-bucket:${bucketName}`);
    return s3Error(404, 'NoSuchBucket', 'The specified bucket does not exist', ids, trace, {
      BucketName: bucketName,
    });
  }
  const { requester, note } = requesterFor(ctx, origin);
  trace.push(`origin:s3-rest:${bucketName}:${note}`);
  if (bucket.Payer === 'Requester') {
    trace.push('origin:s3-rest:requester-pays');
    return s3AccessDenied(ids, trace);
  }
  const method = ctx.req.method.toUpperCase();
  const key = objectKey(origin.OriginPath, uri);
  const bpa = effectiveBpa(bucket, ctx.view.accountPublicAccessBlock(bucket.Name));
  const base = {
    bucket,
    account: bucketAccount(ctx, bucket.Name),
    requester,
    bpa,
    secureTransport: true,
    headers: headersToOrigin(ctx, origin),
  };

  if (method === 'OPTIONS') {
    trace.push('origin:s3-rest:cors-not-configured');
    return s3Error(403, 'AccessForbidden', 'CORSResponse: CORS is not enabled for this bucket.', ids, trace);
  }
  if (method === 'PUT' || method === 'DELETE') {
    const action = method === 'PUT' ? 's3:PutObject' : 's3:DeleteObject';
    const access = bucketAccess({ ...base, action, key });
    trace.push(`origin:s3-rest:${action}:${access.decision}:${access.via}`);
    if (access.decision !== 'Allowed') return s3AccessDenied(ids, trace);
    return { status: method === 'PUT' ? 200 : 204, headers: s3Headers(ids), body: '', trace };
  }
  if (method !== 'GET' && method !== 'HEAD') {
    trace.push(`origin:s3-rest:method-not-allowed:${method}`);
    return s3Error(
      405,
      'MethodNotAllowed',
      'The specified method is not allowed against this resource.',
      ids,
      trace,
      {
        Method: method,
        ResourceType: 'OBJECT',
      },
    );
  }
  if (key === '') return listBucket(ctx, bucket, requester, bpa);

  const access = bucketAccess({ ...base, action: 's3:GetObject', key });
  trace.push(`origin:s3-rest:s3:GetObject:${key}:${access.decision}:${access.via}`);
  if (access.decision !== 'Allowed') return s3AccessDenied(ids, trace);
  const object = findObject(bucket, key);
  if (object === undefined) return missingObject(ctx, bucket, requester, bpa, key, 'rest');
  const refusal = objectRefusal({ bucket, object, requester, ctx });
  if (refusal !== undefined) {
    trace.push(`origin:s3-rest:${refusal.note}`);
    return s3AccessDenied(ids, trace, refusal.message);
  }
  trace.push('origin:s3-rest:200');
  return objectResponse(object, ids, trace);
}

// GET on the bucket root (no key) is ListObjects.
function listBucket(
  ctx: EdgeContext,
  bucket: ScenarioBucket,
  requester: Requester,
  bpa: EffectiveBpa,
): EdgeResponse {
  const { trace, ids } = ctx;
  const access = bucketAccess({
    bucket,
    account: bucketAccount(ctx, bucket.Name),
    requester,
    bpa,
    secureTransport: true,
    action: 's3:ListBucket',
  });
  trace.push(`origin:s3-rest:s3:ListBucket:${access.decision}:${access.via}`);
  if (access.decision !== 'Allowed') return s3AccessDenied(ids, trace);
  const contents = bucket.Objects.map((o) => `<Contents><Key>${o.Key}</Key></Contents>`).join('');
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Name>${bucket.Name}</Name><Prefix></Prefix><KeyCount>${bucket.Objects.length}</KeyCount>${contents}</ListBucketResult>`;
  return { status: 200, headers: { ...s3Headers(ids), 'content-type': 'application/xml' }, body, trace };
}

// S3 says 404 only to a requester that may list the bucket; anyone else learns nothing (403).
function missingObject(
  ctx: EdgeContext,
  bucket: ScenarioBucket,
  requester: Requester,
  bpa: EffectiveBpa,
  key: string,
  endpoint: 'rest' | 'website',
): EdgeResponse {
  const { trace, ids } = ctx;
  const list = bucketAccess({
    bucket,
    account: bucketAccount(ctx, bucket.Name),
    requester,
    bpa,
    secureTransport: endpoint === 'rest',
    action: 's3:ListBucket',
  });
  trace.push(`origin:s3-${endpoint}:no-such-key:${key}:list-${list.decision}`);
  const page = endpoint === 'rest' ? s3Error : websiteError;
  if (list.decision === 'Allowed') {
    return page(404, 'NoSuchKey', 'The specified key does not exist.', ids, trace, { Key: key });
  }
  return endpoint === 'rest'
    ? s3AccessDenied(ids, trace)
    : websiteError(403, 'AccessDenied', 'Access Denied', ids, trace);
}

function matchingRoutingRule(rules: RoutingRule[] | undefined, key: string): RoutingRule | undefined {
  return rules?.find((rule) => {
    const condition = rule.Condition;
    if (condition?.HttpErrorCodeReturnedEquals) return false;
    return key.startsWith(condition?.KeyPrefixEquals ?? '');
  });
}

function redirect(status: number, location: string, ids: Ids, trace: string[]): EdgeResponse {
  return { status, headers: { ...s3Headers(ids), location }, body: '', trace };
}

/** The S3 static website endpoint: anonymous reads over HTTP only. */
export function s3WebsiteOrigin(
  ctx: EdgeContext,
  origin: Origin,
  bucketName: string,
  uri: string,
): EdgeResponse {
  const { trace, ids } = ctx;
  const { scenario } = ctx.view;
  const bucket = findBucket(scenario, bucketName);
  if (bucket === undefined) {
    trace.push(`origin:s3-website:no-such-bucket:${bucketName}`);
    return websiteError(404, 'NoSuchBucket', 'The specified bucket does not exist', ids, trace, {
      BucketName: bucketName,
    });
  }
  const website = bucket.WebsiteConfiguration;
  if (website === null) {
    trace.push('origin:s3-website:no-website-configuration');
    return websiteError(
      404,
      'NoSuchWebsiteConfiguration',
      'The specified bucket does not have a website configuration',
      ids,
      trace,
      {
        BucketName: bucketName,
      },
    );
  }
  const all = website.RedirectAllRequestsTo;
  if (all?.HostName) {
    trace.push('origin:s3-website:redirect-all');
    return redirect(301, `${all.Protocol ?? 'http'}://${all.HostName}${uri}`, ids, trace);
  }
  let key = objectKey(origin.OriginPath, uri);
  const rule = matchingRoutingRule(website.RoutingRules, key);
  if (rule?.Redirect !== undefined) {
    const r = rule.Redirect;
    const prefix = rule.Condition?.KeyPrefixEquals ?? '';
    const target =
      r.ReplaceKeyWith ??
      (r.ReplaceKeyPrefixWith !== undefined ? r.ReplaceKeyPrefixWith + key.slice(prefix.length) : key);
    const host = r.HostName ?? origin.DomainName ?? '';
    trace.push('origin:s3-website:routing-rule');
    return redirect(
      Number(r.HttpRedirectCode ?? '301'),
      `${r.Protocol ?? 'http'}://${host}/${target}`,
      ids,
      trace,
    );
  }
  const suffix = website.IndexDocument?.Suffix ?? 'index.html';
  if (key === '' || key.endsWith('/')) key += suffix;

  const requester: Requester = { kind: 'anonymous' };
  const bpa = effectiveBpa(bucket, ctx.view.accountPublicAccessBlock(bucket.Name));
  const base = {
    bucket,
    account: bucketAccount(ctx, bucket.Name),
    requester,
    bpa,
    secureTransport: false,
    headers: headersToOrigin(ctx, origin),
  };
  const errorPage = (response: EdgeResponse): EdgeResponse =>
    websiteErrorDocument(ctx, bucket, bpa, response);
  if (bucket.Payer === 'Requester') {
    trace.push('origin:s3-website:requester-pays');
    return errorPage(websiteError(403, 'AccessDenied', 'Access Denied', ids, trace));
  }
  const access = bucketAccess({ ...base, action: 's3:GetObject', key });
  trace.push(`origin:s3-website:${bucketName}:s3:GetObject:${key}:${access.decision}:${access.via}`);
  if (access.decision !== 'Allowed')
    return errorPage(websiteError(403, 'AccessDenied', 'Access Denied', ids, trace));
  const object = findObject(bucket, key);
  if (object === undefined) {
    if (findObject(bucket, `${key}/${suffix}`) !== undefined) {
      trace.push('origin:s3-website:index-redirect');
      return redirect(302, `${uri}/`, ids, trace);
    }
    return errorPage(missingObject(ctx, bucket, requester, bpa, key, 'website'));
  }
  const refusal = objectRefusal({ bucket, object, requester, ctx });
  if (refusal !== undefined) {
    trace.push(`origin:s3-website:${refusal.note}`);
    return errorPage(websiteError(403, 'AccessDenied', refusal.message, ids, trace));
  }
  trace.push('origin:s3-website:200');
  return objectResponse(object, ids, trace);
}

// The website's ErrorDocument replaces the body of a 4xx when anonymous may read it.
function websiteErrorDocument(
  ctx: EdgeContext,
  bucket: ScenarioBucket,
  bpa: EffectiveBpa,
  response: EdgeResponse,
): EdgeResponse {
  const key = bucket.WebsiteConfiguration?.ErrorDocument?.Key;
  if (key === undefined || key === '') return response;
  const object = findObject(bucket, key);
  if (object === undefined) return response;
  const access = bucketAccess({
    bucket,
    account: bucketAccount(ctx, bucket.Name),
    requester: { kind: 'anonymous' },
    bpa,
    secureTransport: false,
    action: 's3:GetObject',
    key,
  });
  if (access.decision !== 'Allowed') return response;
  ctx.trace.push(`origin:s3-website:error-document:${key}`);
  return objectResponse(object, ctx.ids, ctx.trace, response.status, {
    'x-amz-error-code': response.headers['x-amz-error-code'] ?? '',
  });
}

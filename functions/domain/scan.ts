// `cf403 scan`: latent 403 causes read from configuration alone. No viewer is probed, so the answer a
// viewer would get is predicted from the evidence and the ordinary rules run on that prediction.
// Also the pacing arithmetic of the scanner (token bucket, backoff), kept pure so it can be tested.
import type { CacheBehavior, DefaultCacheBehavior } from '@aws-sdk/client-cloudfront';
import { ALL_VIEWER_POLICY_ID } from './causes/host-header-forwarded.ts';
import { findKey } from './causes/kms-access-denied.ts';
import { CLOUDFRONT_USER_AGENT, originCustomHeader } from './causes/shared/origin-headers.ts';
import {
  identityCanList,
  identityCanRead,
  type OriginIdentity,
  originIdentity,
  publicRead,
  readPolicy,
} from './causes/shared/s3-access.ts';
import { aliasCovers, carriesKeyPairId } from './causes/shared/viewer.ts';
import { diagnose } from './diagnose.ts';
import { toProbeResult } from './fingerprint.ts';
import { evaluateResourcePolicy, type PolicyDecision } from './policy/evaluate.ts';
import { kmsDecryptAllowed } from './policy/questions.ts';
import { matchBehavior, objectKey } from './routing.ts';
import type {
  BucketEvidence,
  CauseId,
  Evidence,
  Finding,
  OriginEvidence,
  ProbeResponse,
  ProbeResult,
  ViewerRequest,
} from './types.ts';

type Behavior = CacheBehavior | DefaultCacheBehavior;

/** A finding on a predicted probe: the configuration would refuse viewers, nobody saw it happen. */
export interface LatentFinding extends Finding {
  latent: true;
}

/** A prediction is weaker evidence than a probe. */
export const LATENT_CONFIDENCE_FACTOR = 0.8;

/** Not a latent cause: a deployment in flight ends by itself, and the prediction reads the new config. */
const NOT_LATENT: ReadonlySet<CauseId> = new Set<CauseId>(['DEPLOYMENT_IN_PROGRESS']);

// ---- the responses a viewer would get (../shared/contract/edge-fingerprints.md) ----

const CF_REASON = {
  badRequest: 'Bad request.',
  methodNotAllowed:
    'This distribution is not configured to allow the HTTP request method that was used for this request. The distribution supports only cachable requests.',
} as const;

const KMS_DENIED =
  'The ciphertext refers to a customer master key that does not exist, does not exist in this region, or you are not allowed to access.';

const ERROR_CACHE = { 'x-cache': 'Error from cloudfront' };

function cloudFrontPage(reason: string): ProbeResponse {
  return {
    status: 403,
    headers: { server: 'CloudFront', 'content-type': 'text/html', ...ERROR_CACHE },
    body: `<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2><HR noshade size="1px">${reason}<BR clear="all"></BODY></HTML>`,
  };
}

function cloudFrontMissingKey(): ProbeResponse {
  return {
    status: 403,
    headers: { server: 'CloudFront', 'content-type': 'text/xml', ...ERROR_CACHE },
    body: '<?xml version="1.0" encoding="UTF-8"?><Error><Code>MissingKey</Code><Message>Missing Key-Pair-Id query parameter or cookie value</Message></Error>',
  };
}

function s3Error(status: number, code: string, message: string): ProbeResponse {
  return {
    status,
    headers: { server: 'AmazonS3', 'content-type': 'application/xml', ...ERROR_CACHE },
    body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  };
}

function websiteError(status: number, code: string, message: string): ProbeResponse {
  const title = status === 404 ? '404 Not Found' : '403 Forbidden';
  return {
    status,
    headers: { server: 'AmazonS3', 'content-type': 'text/html; charset=utf-8', ...ERROR_CACHE },
    body: `<html>\n<head><title>${title}</title></head>\n<body>\n<h1>${title}</h1>\n<ul>\n<li>Code: ${code}</li>\n<li>Message: ${message}</li>\n</ul>\n</body>\n</html>\n`,
  };
}

const s3Denied = (): ProbeResponse => s3Error(403, 'AccessDenied', 'Access Denied');
const websiteDenied = (): ProbeResponse => websiteError(403, 'AccessDenied', 'Access Denied');

/** Served, or nothing the configuration tells (custom origins, unreadable evidence): no 403 predicted. */
function served(server = 'CloudFront'): ProbeResponse {
  return { status: 200, headers: { server, 'x-cache': 'Miss from cloudfront' }, body: '' };
}

function redirect(): ProbeResponse {
  return { status: 301, headers: { server: 'CloudFront' }, body: '' };
}

// ---- predicting one request ----

function requiresSigning(b: Behavior): boolean {
  return b.TrustedKeyGroups?.Enabled === true || b.TrustedSigners?.Enabled === true;
}

/** The behavior sends the viewer's Host header on, so S3 looks for a bucket of that name. */
function forwardsHost(ev: Evidence, b: Behavior): boolean {
  const legacy = b.ForwardedValues?.Headers?.Items ?? [];
  if (legacy.some((h) => h === '*' || h.toLowerCase() === 'host')) return true;
  const id = b.OriginRequestPolicyId ?? '';
  if (id === '') return false;
  if (id === ALL_VIEWER_POLICY_ID) return true;
  const policy = ev.originRequestPolicies[id];
  if (!policy?.ok) return false;
  const headers = policy.value.HeadersConfig;
  const named = (headers?.Headers?.Items ?? []).map((h) => h.toLowerCase());
  switch (headers?.HeaderBehavior) {
    case 'allViewer':
    case 'allViewerAndWhitelistCloudFront':
      return true;
    case 'whitelist':
      return named.includes('host');
    case 'allExcept':
      return !named.includes('host');
    default:
      return false;
  }
}

function aclsEnabled(bucket: BucketEvidence): boolean {
  const c = bucket.ownershipControls;
  return !(c.ok && c.value?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerEnforced');
}

type Access = 'allow' | 'deny' | 'unknown';

/**
 * Whether S3 lets the origin identity do `action` on the key. Unsigned requests (no identity, a missing
 * OAI, a broken OAC) are anonymous: a public grant counts only when Block Public Access leaves it in force.
 */
function s3Access(
  ev: Evidence,
  bucket: BucketEvidence,
  identity: OriginIdentity,
  policy: string | null,
  action: 'read' | 'list',
  key: string,
): Access {
  const anonymous =
    identity.kind === 'none' || identity.kind === 'oai-missing' || identity.kind === 'oac-broken';
  const asked: OriginIdentity = anonymous ? { kind: 'none' } : identity;
  const d =
    action === 'read'
      ? identityCanRead(ev, asked, bucket.name, policy, key)
      : identityCanList(ev, asked, bucket.name, policy);
  if (d === undefined) return 'unknown';
  if (d.decision === 'ExplicitDeny') return 'deny';
  if (!anonymous) return d.decision === 'Allow' ? 'allow' : 'deny';
  const pub = publicRead(ev, bucket);
  if (d.decision === 'Allow' && !pub.policyBlocked) return 'allow';
  // A public-read bucket ACL lets anyone read and list, unless Block Public Access ignores it.
  return pub.acl && !pub.aclBlocked ? 'allow' : 'deny';
}

function kmsEncrypted(sse: string | undefined): boolean {
  return sse === 'aws:kms' || sse === 'aws:kms:dsse';
}

function s3RestResponse(ev: Evidence, origin: OriginEvidence, b: Behavior, path: string): ProbeResponse {
  const bucket = origin.bucket ? ev.buckets[origin.bucket] : undefined;
  if (!bucket) return served();
  if (forwardsHost(ev, b)) return s3Denied();
  if (bucket.requestPayer.ok && bucket.requestPayer.value === 'Requester') return s3Denied();
  const identity = originIdentity(ev, origin);
  const policy = readPolicy(bucket);
  if (identity.kind === 'unknown' || policy === undefined) return served('AmazonS3');
  const key = objectKey(origin.originPath, path, ev.distribution.DistributionConfig.DefaultRootObject);
  // GET on the bucket root is ListObjects.
  if (key === '') {
    const list = s3Access(ev, bucket, identity, policy, 'list', key);
    return list === 'deny' ? s3Denied() : served('AmazonS3');
  }
  const read = s3Access(ev, bucket, identity, policy, 'read', key);
  if (read === 'deny') return s3Denied();
  if (read === 'unknown') return served('AmazonS3');
  const head = bucket.objects[key];
  if (!head?.ok) return served('AmazonS3');
  if (!head.value.exists) {
    // S3 says 404 only to a requester that may list the bucket.
    return s3Access(ev, bucket, identity, policy, 'list', key) === 'allow'
      ? s3Error(404, 'NoSuchKey', 'The specified key does not exist.')
      : s3Denied();
  }
  if (head.value.ownerAccount !== undefined && aclsEnabled(bucket)) return s3Denied();
  if (kmsEncrypted(head.value.serverSideEncryption)) {
    if (identity.kind !== 'oac') return s3Error(403, 'AccessDenied', KMS_DENIED);
    const ref = head.value.kmsKeyId ?? '';
    const kmsKey = ref === '' ? undefined : findKey(ev, ref);
    // The AWS managed key aws/s3 never lets CloudFront decrypt.
    if (!kmsKey)
      return ref === '' || /alias\/aws\/s3$/.test(ref)
        ? s3Error(403, 'AccessDenied', KMS_DENIED)
        : served('AmazonS3');
    if (!kmsKey.policy.ok) return served('AmazonS3');
    const keyPolicy = kmsKey.policy.value;
    let allowed: boolean;
    try {
      allowed =
        kmsDecryptAllowed(keyPolicy, {
          distributionArn: ev.distribution.ARN,
          account: ev.account,
          keyArn: kmsKey.arn,
        }).decision === 'Allow';
    } catch {
      return served('AmazonS3');
    }
    if (!allowed) return s3Error(403, 'AccessDenied', KMS_DENIED);
  }
  return served('AmazonS3');
}

/**
 * CloudFront reaches a website endpoint over HTTP only (CloudFront developer guide, "Using an Amazon S3
 * website endpoint as the origin"), with the origin's custom headers: a policy that denies
 * `aws:SecureTransport = false`, or conditions on a Referer/User-Agent the origin sends, decides here.
 */
function websiteRead(
  ev: Evidence,
  origin: OriginEvidence,
  bucket: string,
  policy: string | null,
  key: string,
): PolicyDecision['decision'] | undefined {
  const context: Record<string, string | boolean> = { 'aws:SecureTransport': false };
  const referer = originCustomHeader(ev, origin.id, 'Referer');
  if (referer !== undefined) context['aws:Referer'] = referer;
  context['aws:UserAgent'] = originCustomHeader(ev, origin.id, 'User-Agent') ?? CLOUDFRONT_USER_AGENT;
  try {
    return evaluateResourcePolicy(policy, {
      principal: { type: 'Anonymous' },
      action: 's3:GetObject',
      resource: `arn:aws:s3:::${bucket}/${key}`,
      context,
    }).decision;
  } catch {
    return undefined;
  }
}

function s3WebsiteResponse(ev: Evidence, origin: OriginEvidence, path: string): ProbeResponse {
  const bucket = origin.bucket ? ev.buckets[origin.bucket] : undefined;
  if (!bucket?.website.ok) return served();
  const website = bucket.website.value;
  if (website === null) {
    return websiteError(
      404,
      'NoSuchWebsiteConfiguration',
      'The specified bucket does not have a website configuration',
    );
  }
  if (website.RedirectAllRequestsTo?.HostName) return redirect();
  const policy = readPolicy(bucket);
  if (policy === undefined) return served('AmazonS3');
  let key = objectKey(origin.originPath, path, ev.distribution.DistributionConfig.DefaultRootObject);
  if (key === '' || key.endsWith('/')) key += website.IndexDocument?.Suffix ?? 'index.html';
  if (bucket.requestPayer.ok && bucket.requestPayer.value === 'Requester') return websiteDenied();
  // The website endpoint serves anonymous readers only, whatever OAC or OAI the origin names.
  const anonymous: OriginIdentity = { kind: 'none' };
  const asked = websiteRead(ev, origin, bucket.name, policy, key);
  if (asked === undefined) return served('AmazonS3');
  if (asked === 'ExplicitDeny') return websiteDenied();
  if (asked === 'Allow' && publicRead(ev, bucket).policyBlocked) return websiteDenied();
  // no policy grant: only a public-read ACL that Block Public Access leaves in force serves it
  if (asked === 'ImplicitDeny' && s3Access(ev, bucket, anonymous, policy, 'read', key) !== 'allow')
    return websiteDenied();
  const head = bucket.objects[key];
  if (!head?.ok) return served('AmazonS3');
  if (!head.value.exists) {
    return s3Access(ev, bucket, anonymous, policy, 'list', key) === 'allow'
      ? websiteError(404, 'NoSuchKey', 'The specified key does not exist.')
      : websiteDenied();
  }
  if (head.value.ownerAccount !== undefined && aclsEnabled(bucket)) return websiteDenied();
  if (kmsEncrypted(head.value.serverSideEncryption)) return websiteDenied();
  return served('AmazonS3');
}

/** The origin a behavior targets: an origin, or the primary member of an origin group. */
function targetOrigin(ev: Evidence, targetId: string | undefined): OriginEvidence | undefined {
  const direct = ev.origins.find((o) => o.id === targetId);
  if (direct) return direct;
  const group = ev.distribution.DistributionConfig.OriginGroups?.Items?.find((g) => g.Id === targetId);
  const primary = group?.Members?.Items?.[0]?.OriginId;
  return ev.origins.find((o) => o.id === primary);
}

function originResponse(ev: Evidence, b: Behavior, path: string): ProbeResponse {
  const origin = targetOrigin(ev, b.TargetOriginId);
  if (origin?.kind === 's3-rest') return s3RestResponse(ev, origin, b, path);
  if (origin?.kind === 's3-website') return s3WebsiteResponse(ev, origin, path);
  return served();
}

/**
 * CustomErrorResponses: CloudFront answers an error with the configured page (fetched from its origin,
 * viewer checks not run again) and ResponseCode; a page that cannot be fetched leaves the error as it was.
 */
function customError(ev: Evidence, decided: ProbeResponse): ProbeResponse {
  if (decided.status < 400) return decided;
  const config = ev.distribution.DistributionConfig;
  const entry = config.CustomErrorResponses?.Items?.find((e) => e.ErrorCode === decided.status);
  const pagePath = entry?.ResponsePagePath ?? '';
  if (!entry || pagePath === '') return decided;
  const page = originResponse(ev, matchBehavior(config, pagePath).behavior, pagePath);
  if (page.status >= 400) return decided;
  const code = Number(entry.ResponseCode);
  const status = entry.ResponseCode && Number.isInteger(code) ? code : decided.status;
  return { status, headers: { ...page.headers, ...ERROR_CACHE }, body: page.body };
}

function viewerResponse(ev: Evidence, request: ViewerRequest): ProbeResponse {
  const config = ev.distribution.DistributionConfig;
  if (config.Enabled === false) return cloudFrontPage(CF_REASON.badRequest);
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return served();
  }
  const host = url.hostname.toLowerCase();
  const aliases = config.Aliases?.Items ?? [];
  if (host !== ev.distribution.DomainName.toLowerCase() && !aliases.some((a) => aliasCovers(a, host))) {
    return cloudFrontPage(CF_REASON.badRequest);
  }
  const path = url.pathname;
  const b = matchBehavior(config, path).behavior;
  if (url.protocol === 'http:') {
    if (b.ViewerProtocolPolicy === 'https-only') return cloudFrontPage(CF_REASON.badRequest);
    if (b.ViewerProtocolPolicy === 'redirect-to-https') return redirect();
  }
  const method = request.method.toUpperCase();
  const allowed = (b.AllowedMethods?.Items ?? ['GET', 'HEAD']).map((m) => m.toUpperCase());
  if (!allowed.includes(method)) return cloudFrontPage(CF_REASON.methodNotAllowed);
  if (requiresSigning(b) && !carriesKeyPairId(request.url, request.headers)) {
    return customError(ev, cloudFrontMissingKey());
  }
  return customError(ev, originResponse(ev, b, path));
}

/**
 * The response a viewer would get for the request, as far as the configuration tells. WAF, geo
 * restrictions and CloudFront Functions depend on the viewer or run code: their own rules read the
 * access logs and the TestFunction replays instead, so they predict nothing here.
 */
export function predictResponse(ev: Evidence, request: ViewerRequest): ProbeResponse {
  const response = viewerResponse(ev, request);
  // A HEAD answer has the headers of the GET answer and no body.
  return request.method.toUpperCase() === 'HEAD' ? { ...response, body: '' } : response;
}

/** The probe result a viewer's request would produce, read by the same fingerprint reader as a real probe. */
export function predictProbe(ev: Evidence, request: ViewerRequest): ProbeResult {
  return toProbeResult({ url: request.url, method: request.method }, predictResponse(ev, request));
}

function latentLine(line: string): string {
  return line
    .replace(/^probe /, 'predicted probe ')
    .replace(/\(access log: /, '(request: ')
    .replace(/^access log: /, 'request: ');
}

/**
 * Runs every rule on evidence whose probes are predicted from the configuration. Findings are marked
 * latent and their confidence lowered: nobody has seen the 403 yet.
 */
export function latentFindings(ev: Evidence): LatentFinding[] {
  const probes = ev.requests.map((r) => predictProbe(ev, r));
  const { causes } = diagnose({ ...ev, probes });
  return causes
    .filter((c) => !NOT_LATENT.has(c.id))
    .map((c) => ({
      ...c,
      confidence: Math.round(c.confidence * LATENT_CONFIDENCE_FACTOR * 1000) / 1000,
      evidence: c.evidence.map(latentLine),
      latent: true as const,
    }));
}

// ---- pacing ----

/**
 * A token bucket: `ratePerSecond` tokens a second, at most `capacity` saved up. The clock is passed in
 * (milliseconds, monotonic) so the arithmetic is testable and the same bucket serves real and simulated use.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  private rate: number;

  constructor(
    ratePerSecond: number,
    readonly capacity: number,
    nowMs: number,
  ) {
    TokenBucket.check(ratePerSecond);
    if (!(capacity >= 1)) throw new RangeError(`TokenBucket: capacity must be >= 1, got ${capacity}`);
    this.rate = ratePerSecond;
    this.tokens = capacity;
    this.last = nowMs;
  }

  private static check(rate: number): void {
    if (!(rate > 0) || !Number.isFinite(rate)) {
      throw new RangeError(`TokenBucket: rate must be a positive number, got ${rate}`);
    }
  }

  get ratePerSecond(): number {
    return this.rate;
  }

  /** Changes the rate from now on; what was earned until now is kept. */
  setRate(ratePerSecond: number, nowMs: number): void {
    TokenBucket.check(ratePerSecond);
    this.refill(nowMs);
    this.rate = ratePerSecond;
  }

  /** Gives up the tokens saved up: after a refusal, no burst until the pace has earned one again. */
  drain(nowMs: number): void {
    this.refill(nowMs);
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(nowMs: number): void {
    const elapsed = Math.max(0, nowMs - this.last);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.rate) / 1000);
    this.last = Math.max(this.last, nowMs);
  }

  /** Takes a token if one is there now (a server deciding whether to throttle). */
  tryTake(nowMs: number): boolean {
    this.refill(nowMs);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Reserves the next token and returns how long to wait before using it (a client pacing itself).
   * Reservations go into debt, so concurrent callers are served in order without a queue.
   */
  reserve(nowMs: number): number {
    this.refill(nowMs);
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens * 1000) / this.rate;
  }
}

/**
 * Halve the pace on a throttled answer, win it back by 1 % with each answered call, never above the pace
 * asked for. A scanner told a pace above the account's limit settles near the limit instead of retrying
 * until it gives up; one told a pace under the limit is never throttled and keeps it.
 */
export function adaptedRate(current: number, max: number, throttled: boolean): number {
  const min = Math.min(1, max);
  return throttled ? Math.max(min, current / 2) : Math.min(max, current * 1.01);
}

export { type BackoffOptions, fullJitterBackoffMs } from './backoff.ts';

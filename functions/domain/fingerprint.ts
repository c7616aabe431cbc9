// Reads who produced a response, from Server, X-Cache, body and origin headers (never X-Cache alone:
// every error carries `Error from cloudfront`, whether CloudFront or the origin refused).
import type { Fingerprint, ProbeRequest, ProbeResponse, ProbeResult } from './types.ts';

const CF_REASONS: [RegExp, Fingerprint['kind']][] = [
  [/configured to block access from your country/i, 'cf-geo-blocked'],
  [/Request blocked\./i, 'cf-waf-blocked'],
  [/not configured to allow the HTTP request method/i, 'cf-method-not-allowed'],
  [/Bad request\./i, 'cf-bad-request'],
];

function xmlCode(body: string): string | undefined {
  return /<Code>([^<]+)<\/Code>/.exec(body)?.[1];
}

function xmlMessage(body: string): string | undefined {
  return /<Message>([^<]+)<\/Message>/.exec(body)?.[1];
}

function cloudFrontReason(body: string): string | undefined {
  // CloudFront's page: <H1>403 ERROR</H1><H2>The request could not be satisfied.</H2><HR noshade size="1px">REASON
  const m = /<H2>The request could not be satisfied\.?<\/H2>\s*<HR[^>]*>\s*([^<]+)/i.exec(body);
  return m?.[1]?.trim();
}

// Headers only an origin sets: API Gateway (REST: x-amz-apigw-id; HTTP: apigw-requestid), Lambda and
// function URLs (x-amzn-RequestId, x-amzn-ErrorType, x-amzn-Trace-Id), other CDNs. CloudFront's own
// error responses carry none of them.
const ORIGIN_HEADERS: [string, string][] = [
  ['x-amz-apigw-id', 'API Gateway'],
  ['apigw-requestid', 'API Gateway'],
  ['x-amzn-requestid', 'an AWS service origin (API Gateway, Lambda)'],
  ['x-amzn-errortype', 'an AWS service origin (API Gateway, Lambda)'],
  ['x-amzn-trace-id', 'an AWS service origin (Lambda, ALB)'],
  ['cf-ray', 'Cloudflare'],
  ['x-fastly-request-id', 'Fastly'],
  ['x-served-by', 'another CDN'],
  ['x-akamai-request-id', 'Akamai'],
];

/**
 * Why a response that reads like CloudFront's own (`Server: CloudFront`, its error page) came from the
 * origin: origin-only headers, or a `Via` naming more than one CloudFront hop (an origin that is itself
 * behind CloudFront, such as an edge-optimized API Gateway endpoint, or another proxy).
 */
export function originMarkers(headers: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [name, who] of ORIGIN_HEADERS) {
    if (headers[name] !== undefined) out.push(`${name} (${who})`);
  }
  const hops = (headers.via ?? '').split(',').filter((h) => h.trim() !== '');
  const cloudFrontHops = hops.filter((h) => /cloudfront/i.test(h)).length;
  if (cloudFrontHops > 1)
    out.push(`Via lists ${cloudFrontHops} CloudFront hops (the origin is behind CloudFront too)`);
  else if (hops.length > cloudFrontHops) out.push(`Via names another proxy (${(headers.via ?? '').trim()})`);
  return out;
}

export function readFingerprint(res: ProbeResponse): Fingerprint {
  const h = res.headers;
  const server = (h.server ?? '').toLowerCase();
  const xCache = (h['x-cache'] ?? '').toLowerCase();
  const body = res.body ?? '';
  if (res.status < 300) return { source: server === 'cloudfront' ? 'cloudfront' : 'unknown', kind: 'ok' };
  if (res.status >= 300 && res.status < 400) return { source: 'cloudfront', kind: 'redirect' };
  if (xCache.startsWith('functiongeneratedresponse')) {
    return { source: 'cloudfront-function', kind: 'cf-function-response' };
  }
  // Lambda@Edge viewer- or origin-request functions that answer themselves (log field x-edge-result-type).
  if (xCache.startsWith('lambdageneratedresponse')) {
    return { source: 'cloudfront-function', kind: 'cf-lambda-response', reason: body.slice(0, 200) };
  }
  if (server === 'amazons3' || h['x-amz-request-id'] !== undefined) {
    if (/<html/i.test(body) && /Code:\s*AccessDenied/i.test(body)) {
      return { source: 's3-website', kind: 's3-website-denied', code: 'AccessDenied' };
    }
    const code = xmlCode(body) ?? /Code:\s*(\w+)/.exec(body)?.[1];
    const reason = xmlMessage(body);
    const website = /<html/i.test(body);
    const source = website ? 's3-website' : 's3';
    if (res.status === 404) return { source, kind: 'not-found', code, reason };
    if (code === 'AccessDenied' && reason && /ciphertext refers to a customer master key/i.test(reason)) {
      return { source, kind: 's3-kms-denied', code, reason };
    }
    if (code === 'AccessDenied') return { source, kind: 's3-access-denied', code, reason };
    return { source, kind: 's3-other', code, reason };
  }
  const markers = server === 'cloudfront' ? originMarkers(h) : [];
  if (markers.length > 0) {
    // The origin's page, whatever it looks like: CloudFront refused nothing.
    const reason = cloudFrontReason(body) ?? xmlMessage(body) ?? body.slice(0, 200);
    return {
      source: 'custom-origin',
      kind: res.status === 403 ? 'origin-denied' : res.status === 404 ? 'not-found' : 'other-error',
      reason,
      lookalike: markers.join(', '),
    };
  }
  if (server === 'cloudfront') {
    const code = xmlCode(body);
    if (code === 'MissingKey')
      return { source: 'cloudfront', kind: 'cf-missing-key', code, reason: xmlMessage(body) };
    if (code === 'AccessDenied') {
      return { source: 'cloudfront', kind: 'cf-bad-signature', code, reason: xmlMessage(body) };
    }
    const reason = cloudFrontReason(body);
    for (const [re, kind] of CF_REASONS) {
      if (re.test(body)) return { source: 'cloudfront', kind, reason };
    }
    return { source: 'cloudfront', kind: res.status === 404 ? 'not-found' : 'cf-other', reason };
  }
  if (res.status === 404) return { source: 'custom-origin', kind: 'not-found' };
  if (res.status === 403)
    return { source: 'custom-origin', kind: 'origin-denied', reason: body.slice(0, 200) };
  return { source: server ? 'custom-origin' : 'unknown', kind: 'other-error' };
}

export function toProbeResult(req: ProbeRequest, res: ProbeResponse): ProbeResult {
  return {
    url: req.url,
    method: req.method,
    status: res.status,
    xCache: res.headers['x-cache'],
    server: res.headers.server,
    fingerprint: readFingerprint(res),
    ...ageOf(res.headers),
    bodyExcerpt: res.body.slice(0, 2048),
  };
}

/** `Age`: seconds the response spent in CloudFront's cache (RFC 9111 §5.1); absent on a fresh fetch. */
function ageOf(headers: Record<string, string>): { age?: number } {
  const age = Number(headers.age);
  return headers.age !== undefined && Number.isInteger(age) && age >= 0 ? { age } : {};
}

/** One line for evidence lists: `probe /index.html: 403 Server=AmazonS3 AccessDenied`. */
export function describeProbe(p: ProbeResult): string {
  const path = safePath(p.url);
  const what = p.fingerprint.code ?? p.fingerprint.reason ?? p.fingerprint.kind;
  // a request the probe could not reproduce speaks through the viewer's access-log record (issue 10)
  if (p.fromLog) return `access log ${p.method} ${path}: ${p.status} ${p.fingerprint.reason ?? what}`.trim();
  return `probe ${p.method} ${path}: ${p.status} Server=${p.server ?? '-'} ${what}`.trim();
}

export function safePath(url: string): string {
  try {
    const u = new URL(url);
    return u.pathname + u.search;
  } catch {
    return url;
  }
}

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
    bodyExcerpt: res.body.slice(0, 2048),
  };
}

/** One line for evidence lists: `probe /index.html: 403 Server=AmazonS3 AccessDenied`. */
export function describeProbe(p: ProbeResult): string {
  const path = safePath(p.url);
  const what = p.fingerprint.code ?? p.fingerprint.reason ?? p.fingerprint.kind;
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

// Viewer-side stages of CloudFront's request pipeline, in the order CloudFront applies them. Each
// returns a response when it decides the request, or undefined to let it continue.
import { type CloudFrontFunctionEvent, runCloudFrontFunction } from './cloudfront-function.ts';
import { cloudFrontPage, cloudFrontXml, REASON, s3AccessDenied } from './pages.ts';
import type { Behavior, EdgeContext, EdgeResponse } from './types.ts';
import { evaluateWebAcl, findWebAcl } from './waf.ts';

/** who produced the response: decides X-Cache (an error page served for an error stays an Error) */
export type Decided = {
  response: EdgeResponse;
  /** `lambda`: a Lambda@Edge request trigger generated the response (issue 11) */
  source: 'edge' | 'origin' | 'function' | 'error-page' | 'lambda';
};

export function disabledStage(ctx: EdgeContext): Decided | undefined {
  if (ctx.config.Enabled !== false) return undefined;
  ctx.trace.push('disabled');
  return { response: cloudFrontPage(403, REASON.badRequest, ctx.ids, ctx.trace), source: 'edge' };
}

// A change still propagating: the edge keeps answering with what the old config's origin says,
// which for the outages this models is S3's AccessDenied.
export function staleEdgeStage(ctx: EdgeContext): Decided | undefined {
  if (!ctx.view.staleEdge(ctx.distribution.Id)) return undefined;
  ctx.trace.push('stale-edge:deployment-in-progress');
  return { response: s3AccessDenied(ctx.ids, ctx.trace), source: 'origin' };
}

const MOVED = [
  '<html>',
  '<head><title>301 Moved Permanently</title></head>',
  '<body>',
  '<center><h1>301 Moved Permanently</h1></center>',
  '<hr><center>CloudFront</center>',
  '</body>',
  '</html>',
  '',
].join('\r\n');

export function protocolStage(ctx: EdgeContext, behavior: Behavior): Decided | undefined {
  if (ctx.url.protocol !== 'http:') return undefined;
  const policy = behavior.ViewerProtocolPolicy;
  if (policy === 'https-only') {
    ctx.trace.push('viewer-protocol:https-only');
    return { response: cloudFrontPage(403, REASON.badRequest, ctx.ids, ctx.trace), source: 'edge' };
  }
  if (policy === 'redirect-to-https') {
    ctx.trace.push('viewer-protocol:redirect-to-https');
    const location = `https://${ctx.url.host}${ctx.url.pathname}${ctx.url.search}`;
    return {
      response: {
        status: 301,
        headers: { server: 'CloudFront', 'content-type': 'text/html', location },
        body: MOVED,
        trace: ctx.trace,
      },
      source: 'edge',
    };
  }
  return undefined;
}

export function wafStage(ctx: EdgeContext): Decided | undefined {
  const acl = findWebAcl(ctx.view.scenario, ctx.config.WebACLId);
  if (acl === undefined) return undefined;
  const verdict = evaluateWebAcl(ctx.view.scenario, acl, {
    clientIp: ctx.req.clientIp,
    country: ctx.req.country,
    uriPath: ctx.uri,
    headers: ctx.headers,
    queryString: ctx.query.toString(),
    method: ctx.req.method,
  });
  const rule = verdict.rule ?? 'default-action';
  for (const name of verdict.unknown ?? []) ctx.trace.push(`waf:${acl.Name}:unknown:${name}`);
  if (verdict.action === 'allow') {
    ctx.trace.push(`waf:${acl.Name}:allow:${rule}`);
    return undefined;
  }
  ctx.trace.push(`waf:${acl.Name}:block:${rule}`);
  return { response: cloudFrontPage(403, REASON.wafBlocked, ctx.ids, ctx.trace), source: 'edge' };
}

export function geoStage(ctx: EdgeContext): Decided | undefined {
  const geo = ctx.config.Restrictions?.GeoRestriction;
  const items = (geo?.Items ?? []).map((c) => c.toUpperCase());
  const country = ctx.req.country.toUpperCase();
  const blocked =
    (geo?.RestrictionType === 'whitelist' && !items.includes(country)) ||
    (geo?.RestrictionType === 'blacklist' && items.includes(country));
  if (!blocked) return undefined;
  ctx.trace.push(`geo:${geo?.RestrictionType}:${country}`);
  return { response: cloudFrontPage(403, REASON.geoBlocked, ctx.ids, ctx.trace), source: 'edge' };
}

export function methodStage(ctx: EdgeContext, behavior: Behavior): Decided | undefined {
  const allowed = behavior.AllowedMethods?.Items ?? ['GET', 'HEAD'];
  const method = ctx.req.method.toUpperCase();
  if (allowed.some((m) => m.toUpperCase() === method)) return undefined;
  ctx.trace.push(`method-not-allowed:${method}`);
  return { response: cloudFrontPage(403, REASON.methodNotAllowed, ctx.ids, ctx.trace), source: 'edge' };
}

export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    const name = part.slice(0, at).trim();
    if (name !== '' && cookies[name] === undefined) cookies[name] = part.slice(at + 1).trim();
  }
  return cookies;
}

/** Signed URLs/cookies; the signature itself is not verified, only its parts and its key id. */
export function signedStage(ctx: EdgeContext, behavior: Behavior): Decided | undefined {
  const keyGroups =
    behavior.TrustedKeyGroups?.Enabled === true ? (behavior.TrustedKeyGroups.Items ?? []) : undefined;
  const signers = behavior.TrustedSigners?.Enabled === true;
  if (keyGroups === undefined && !signers) return undefined;
  const q = ctx.query;
  const cookies = parseCookies(ctx.headers.cookie);
  const fromQuery = q.get('Key-Pair-Id');
  const keyId = fromQuery ?? cookies['CloudFront-Key-Pair-Id'];
  if (keyId === undefined || keyId === '') {
    ctx.trace.push('signed:missing-key');
    return {
      response: cloudFrontXml('MissingKey', 'Missing Key-Pair-Id query parameter or cookie value', ctx.trace),
      source: 'edge',
    };
  }
  const complete =
    fromQuery !== null
      ? q.has('Signature') && (q.has('Policy') || q.has('Expires'))
      : cookies['CloudFront-Signature'] !== undefined &&
        (cookies['CloudFront-Policy'] !== undefined || cookies['CloudFront-Expires'] !== undefined);
  // legacy trusted signers are account key pairs the scenario does not list: any id passes
  const trustedKeys = (ctx.view.scenario.cloudfront.keyGroups ?? [])
    .filter((g) => keyGroups?.includes(g.Id) === true)
    .flatMap((g) => g.KeyGroupConfig.Items ?? []);
  const knownKey = (signers && keyGroups === undefined) || trustedKeys.includes(keyId);
  if (complete && knownKey) {
    ctx.trace.push(`signed:accepted:${keyId}`);
    return undefined;
  }
  ctx.trace.push(`signed:access-denied:${keyId}`);
  return { response: cloudFrontXml('AccessDenied', 'Access denied', ctx.trace), source: 'edge' };
}

function functionEvent(ctx: EdgeContext): CloudFrontFunctionEvent {
  const headers: Record<string, { value: string }> = {};
  for (const [name, value] of Object.entries(ctx.headers)) {
    if (name !== 'cookie') headers[name] = { value };
  }
  const querystring: Record<string, { value: string }> = {};
  for (const [name, value] of ctx.query) {
    if (querystring[name] === undefined) querystring[name] = { value };
  }
  const cookies: Record<string, { value: string }> = {};
  for (const [name, value] of Object.entries(parseCookies(ctx.headers.cookie))) cookies[name] = { value };
  return {
    version: '1.0',
    context: {
      distributionDomainName: ctx.distribution.DomainName,
      distributionId: ctx.distribution.Id,
      eventType: 'viewer-request',
      requestId: ctx.ids.cfId,
    },
    viewer: { ip: ctx.req.clientIp },
    request: { method: ctx.req.method.toUpperCase(), uri: ctx.uri, querystring, headers, cookies },
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function entryValue(entry: unknown): string | undefined {
  if (isRecord(entry) && entry.value !== undefined) return String(entry.value);
  return undefined;
}

function functionResponse(result: Record<string, unknown>, ctx: EdgeContext): EdgeResponse {
  const headers: Record<string, string> = {};
  if (isRecord(result.headers)) {
    for (const [name, entry] of Object.entries(result.headers)) {
      const value = entryValue(entry);
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
  }
  headers.server = 'CloudFront';
  let body = '';
  if (typeof result.body === 'string') body = result.body;
  else if (isRecord(result.body) && typeof result.body.data === 'string') {
    body =
      result.body.encoding === 'base64'
        ? Buffer.from(result.body.data, 'base64').toString('utf8')
        : result.body.data;
  }
  return { status: Number(result.statusCode), headers, body, trace: ctx.trace };
}

function applyRequest(result: Record<string, unknown>, ctx: EdgeContext): void {
  if (typeof result.uri === 'string') ctx.uri = result.uri;
  if (isRecord(result.headers)) {
    const headers: Record<string, string> = {};
    for (const [name, entry] of Object.entries(result.headers)) {
      const value = entryValue(entry);
      if (value !== undefined) headers[name.toLowerCase()] = value;
    }
    if (ctx.headers.cookie !== undefined && headers.cookie === undefined) headers.cookie = ctx.headers.cookie;
    ctx.headers = headers;
  }
  if (isRecord(result.querystring)) {
    const query = new URLSearchParams();
    for (const [name, entry] of Object.entries(result.querystring)) {
      const value = entryValue(entry);
      if (value !== undefined) query.append(name, value);
    }
    ctx.query = query;
  }
}

/** Viewer-request CloudFront Functions: a returned response ends the request, a returned request goes on. */
export function viewerFunctionStage(ctx: EdgeContext, behavior: Behavior): Decided | undefined {
  const associations = (behavior.FunctionAssociations?.Items ?? []).filter(
    (a) => a.EventType === 'viewer-request',
  );
  for (const association of associations) {
    const arn = association.FunctionARN ?? '';
    const name = arn.split('/').pop() ?? '';
    const fn = (ctx.view.scenario.cloudfront.functions ?? []).find(
      (f) => f.FunctionMetadata.FunctionARN === arn || f.Name === name,
    );
    if (fn === undefined) {
      ctx.trace.push(`function:${name}:not-found`);
      continue;
    }
    const run = runCloudFrontFunction(fn.FunctionCode, functionEvent(ctx));
    const result = run.result;
    if (run.error !== undefined || !isRecord(result)) {
      ctx.trace.push(`function:${fn.Name}:error:${run.error ?? 'no request or response returned'}`);
      return { response: cloudFrontPage(503, REASON.functionFailed, ctx.ids, ctx.trace), source: 'edge' };
    }
    if (result.statusCode !== undefined) {
      ctx.trace.push(`function:${fn.Name}:response:${String(result.statusCode)}`);
      return { response: functionResponse(result, ctx), source: 'function' };
    }
    applyRequest(result, ctx);
    ctx.trace.push(`function:${fn.Name}:request:${ctx.uri}`);
  }
  return undefined;
}

export function defaultRootObjectStage(ctx: EdgeContext): void {
  const root = ctx.config.DefaultRootObject ?? '';
  if (ctx.uri === '/' && root !== '') {
    ctx.uri = `/${root.replace(/^\//, '')}`;
    ctx.trace.push(`default-root-object:${root}`);
  }
}

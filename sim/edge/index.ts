// The edge model: what a viewer gets from CloudFront (and the origin behind it) for one request,
// following CloudFront's own request pipeline stage by stage. `trace` records who decided.
import type { Origin } from '@aws-sdk/client-cloudfront';
import { awsOrigin } from './aws-origins.ts';
import { cachedErrorStage, lambdaEdgeStage } from './issue11-stages.ts';
import { lookupDistribution, matchBehavior } from './match.ts';
import { cloudFrontHeaders, cloudFrontPage, type Ids, nextIds, REASON } from './pages.ts';
import { parseS3Domain, s3RestOrigin, s3WebsiteOrigin } from './s3-origin.ts';
import {
  type Decided,
  defaultRootObjectStage,
  disabledStage,
  geoStage,
  methodStage,
  protocolStage,
  signedStage,
  staleEdgeStage,
  viewerFunctionStage,
  wafStage,
} from './stages.ts';
import type { Behavior, EdgeContext, EdgeRequest, EdgeResponse, EdgeView } from './types.ts';

export type { CloudFrontFunctionEvent } from './cloudfront-function.ts';
export { runCloudFrontFunction } from './cloudfront-function.ts';
export type { EdgeRequest, EdgeResponse, EdgeView } from './types.ts';

/** Stacked distributions deeper than this are treated as a loop. */
const MAX_DEPTH = 3;

export function respond(view: EdgeView, req: EdgeRequest): EdgeResponse {
  return respondAt(view, req, 0);
}

/** The view answering a host: an organization's picks the account of the distribution serving it (issue 15). */
function viewFor(view: EdgeView, url: string): EdgeView {
  if (!view.forHost) return view;
  try {
    return view.forHost(new URL(url).hostname);
  } catch {
    return view;
  }
}

function respondAt(outer: EdgeView, req: EdgeRequest, depth: number): EdgeResponse {
  const view = viewFor(outer, req.url);
  const trace: string[] = [];
  const ids = nextIds(`${req.method} ${req.url} ${req.clientIp} ${depth}`);
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    trace.push('bad-url');
    return finish(cloudFrontPage(400, REASON.badRequest, ids, trace), 'edge', req, ids, 'unknown');
  }
  const found = lookupDistribution(view, url.hostname);
  if (found === undefined) {
    trace.push(`lookup:no-distribution-for:${url.hostname}`);
    return finish(cloudFrontPage(403, REASON.badRequest, ids, trace), 'edge', req, ids, url.hostname);
  }
  trace.push(`lookup:${found.distribution.Id}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = url.host;
  const ctx: EdgeContext = {
    view,
    req,
    url,
    distribution: found.distribution,
    config: found.config,
    uri: url.pathname,
    headers,
    query: new URLSearchParams(url.search),
    trace,
    ids,
    depth,
  };
  const decided = pipeline(ctx);
  return finish(decided.response, decided.source, req, ids, found.distribution.Id);
}

// Stages from CustomErrorResponses' point of view: these errors may be replaced by an error page.
const CUSTOMIZABLE = new Set(['waf', 'geo', 'signed', 'origin']);

function pipeline(ctx: EdgeContext): Decided {
  const early = disabledStage(ctx) ?? staleEdgeStage(ctx);
  if (early !== undefined) return early;
  const { behavior, pattern } = matchBehavior(ctx.config, ctx.uri);
  ctx.trace.push(`behavior:${pattern}`);
  // Geo restriction comes before the web ACL: a request from a blocked country is never forwarded to
  // AWS WAF (AWS Knowledge Center, "allow or block requests from a specific country using AWS WAF").
  const viewerStages: [string, () => Decided | undefined][] = [
    ['protocol', () => protocolStage(ctx, behavior)],
    ['geo', () => geoStage(ctx)],
    ['waf', () => wafStage(ctx)],
    ['method', () => methodStage(ctx, behavior)],
    ['signed', () => signedStage(ctx, behavior)],
    ['function', () => viewerFunctionStage(ctx, behavior)],
    ['lambda-edge', () => lambdaEdgeStage(ctx, behavior, 'viewer-request')],
  ];
  for (const [name, stage] of viewerStages) {
    const result = stage();
    if (result !== undefined) return customErrorStage(ctx, result, name);
  }
  defaultRootObjectStage(ctx);
  // The cache is looked up after the viewer triggers; an origin-request trigger runs on a miss only.
  const cached = cachedErrorStage(ctx) ?? lambdaEdgeStage(ctx, behavior, 'origin-request');
  if (cached !== undefined) return customErrorStage(ctx, cached, 'origin');
  return customErrorStage(ctx, originStage(ctx, behavior, ctx.uri), 'origin');
}

function findOrigin(ctx: EdgeContext, targetId: string | undefined): Origin | undefined {
  const origins = ctx.config.Origins?.Items ?? [];
  const direct = origins.find((o) => o.Id === targetId);
  if (direct !== undefined) return direct;
  // an origin group: the primary (first) member serves while it is healthy
  const group = ctx.config.OriginGroups?.Items?.find((g) => g.Id === targetId);
  const primary = group?.Members?.Items?.[0]?.OriginId;
  return origins.find((o) => o.Id === primary);
}

function originStage(ctx: EdgeContext, behavior: Behavior, uri: string): Decided {
  const origin = findOrigin(ctx, behavior.TargetOriginId);
  if (origin === undefined) {
    ctx.trace.push(`origin:not-found:${behavior.TargetOriginId ?? ''}`);
    return { response: cloudFrontPage(502, REASON.badGateway, ctx.ids, ctx.trace), source: 'edge' };
  }
  const domain = (origin.DomainName ?? '').toLowerCase();
  const s3 = parseS3Domain(domain);
  if (s3?.kind === 'rest') {
    return { response: s3RestOrigin(ctx, origin, behavior, s3.bucket, uri), source: 'origin' };
  }
  if (s3?.kind === 'website') {
    return { response: s3WebsiteOrigin(ctx, origin, s3.bucket, uri), source: 'origin' };
  }
  if (domain.endsWith('.cloudfront.net')) return stackedOrigin(ctx, origin, domain, uri);
  return {
    response: awsOrigin(ctx, origin, behavior, domain) ?? customOrigin(ctx, domain),
    source: 'origin',
  };
}

function stackedOrigin(ctx: EdgeContext, origin: Origin, domain: string, uri: string): Decided {
  if (ctx.depth + 1 >= MAX_DEPTH) {
    ctx.trace.push('origin:cloudfront:loop');
    return { response: cloudFrontPage(403, REASON.badRequest, ctx.ids, ctx.trace), source: 'edge' };
  }
  const policy = origin.CustomOriginConfig?.OriginProtocolPolicy;
  const scheme =
    policy === 'http-only' || (policy === 'match-viewer' && ctx.url.protocol === 'http:') ? 'http' : 'https';
  const path = `${(origin.OriginPath ?? '').replace(/\/+$/, '')}${uri}`;
  const search = ctx.query.toString();
  const inner = respondAt(
    ctx.view,
    {
      url: `${scheme}://${domain}${path}${search === '' ? '' : `?${search}`}`,
      method: ctx.req.method,
      headers: { ...ctx.headers, host: domain },
      country: ctx.req.country,
      clientIp: ctx.req.clientIp,
    },
    ctx.depth + 1,
  );
  ctx.trace.push(`origin:cloudfront:${domain}`, ...inner.trace.map((t) => `  ${t}`));
  const headers = { ...inner.headers };
  delete headers['x-cache'];
  delete headers['x-amz-cf-id'];
  delete headers['x-amz-cf-pop'];
  return { response: { ...inner, headers, trace: ctx.trace }, source: 'origin' };
}

function customOrigin(ctx: EdgeContext, domain: string): EdgeResponse {
  const configured = ctx.view.scenario.simulation?.customOrigins?.[domain];
  if (configured === undefined) {
    ctx.trace.push(`origin:custom:${domain}:default-200`);
    return {
      status: 200,
      headers: { server: 'nginx', 'content-type': 'text/html' },
      body: `<!doctype html><title>${domain}</title><p>ok</p>`,
      trace: ctx.trace,
    };
  }
  ctx.trace.push(`origin:custom:${domain}:${configured.status}`);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(configured.headers ?? {})) headers[name.toLowerCase()] = value;
  if (headers.server === undefined) headers.server = 'nginx';
  return { status: configured.status, headers, body: configured.body ?? '', trace: ctx.trace };
}

// CustomErrorResponses: CloudFront fetches the page from the origin (viewer checks do not run
// again) and answers with ResponseCode; a page that cannot be fetched leaves the error as it was.
function customErrorStage(ctx: EdgeContext, decided: Decided, stage: string): Decided {
  if (!CUSTOMIZABLE.has(stage) || decided.response.status < 400) return decided;
  const entry = ctx.config.CustomErrorResponses?.Items?.find((e) => e.ErrorCode === decided.response.status);
  const pagePath = entry?.ResponsePagePath ?? '';
  if (entry === undefined || pagePath === '') return decided;
  ctx.trace.push(`custom-error:${entry.ErrorCode}->${pagePath}`);
  const { behavior, pattern } = matchBehavior(ctx.config, pagePath);
  ctx.trace.push(`behavior:${pattern}`);
  const saved = ctx.req;
  ctx.req = { ...saved, method: 'GET' };
  const page = originStage(ctx, behavior, pagePath);
  ctx.req = saved;
  if (page.response.status >= 400) {
    ctx.trace.push(`custom-error:page-failed:${page.response.status}`);
    return { response: { ...decided.response, trace: ctx.trace }, source: decided.source };
  }
  const code = Number(entry.ResponseCode);
  const status =
    entry.ResponseCode !== undefined && entry.ResponseCode !== '' && Number.isInteger(code)
      ? code
      : decided.response.status;
  // still an error as far as CloudFront is concerned, whatever status the viewer is shown
  return { response: { ...page.response, status, trace: ctx.trace }, source: 'error-page' };
}

function xCacheFor(response: EdgeResponse, source: Decided['source']): string {
  if (source === 'function') return 'FunctionGeneratedResponse from cloudfront';
  if (source === 'lambda') return 'LambdaGeneratedResponse from cloudfront';
  if (source === 'error-page' || response.status >= 400) return 'Error from cloudfront';
  if (source === 'edge') return 'Redirect from cloudfront';
  return 'Miss from cloudfront';
}

function finish(
  response: EdgeResponse,
  source: Decided['source'],
  req: EdgeRequest,
  ids: Ids,
  distributionKey: string,
): EdgeResponse {
  const added = cloudFrontHeaders(distributionKey, ids, xCacheFor(response, source));
  const headers: Record<string, string> = { ...response.headers, ...added };
  const innerVia = response.headers.via;
  if (innerVia !== undefined) headers.via = `${innerVia}, ${added.via}`;
  headers['content-length'] = String(Buffer.byteLength(response.body));
  const body = req.method.toUpperCase() === 'HEAD' ? '' : response.body;
  return { status: response.status, headers, body, trace: response.trace };
}

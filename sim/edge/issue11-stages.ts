// Two pipeline stages the edge model gained for issue 11. Lambda@Edge request triggers: their code cannot
// run here, so `simulation.lambdaEdge` says what each function version answers; a generated response ends the
// request (CloudFront Developer Guide, "Generate HTTP responses in request triggers"). The error cache:
// an error response cached before the simulation started is served until its ErrorCachingMinTTL ends or an
// invalidation removes it (the world keeps the clock and the invalidations).
import { pathPatternMatches } from './match.ts';
import type { Decided } from './stages.ts';
import type { Behavior, EdgeContext } from './types.ts';

export function lambdaEdgeStage(
  ctx: EdgeContext,
  behavior: Behavior,
  eventType: 'viewer-request' | 'origin-request',
): Decided | undefined {
  const configured = ctx.view.scenario.simulation?.lambdaEdge ?? {};
  for (const association of behavior.LambdaFunctionAssociations?.Items ?? []) {
    if (association.EventType !== eventType) continue;
    const arn = association.LambdaFunctionARN ?? '';
    const answer = configured[arn];
    if (answer === undefined) {
      ctx.trace.push(`lambda-edge:${eventType}:${arn}:pass`);
      continue;
    }
    const paths = answer.paths;
    if (paths !== undefined && !paths.some((p) => pathPatternMatches(p, ctx.uri))) {
      ctx.trace.push(`lambda-edge:${eventType}:${arn}:pass`);
      continue;
    }
    ctx.trace.push(`lambda-edge:${eventType}:${arn}:response:${answer.status}`);
    const headers: Record<string, string> = { 'content-type': 'text/plain' };
    for (const [name, value] of Object.entries(answer.headers ?? {})) headers[name.toLowerCase()] = value;
    headers.server = 'CloudFront';
    return {
      response: { status: answer.status, headers, body: answer.body ?? '', trace: ctx.trace },
      source: 'lambda',
    };
  }
  return undefined;
}

/** A cached error for the request's path (as the viewer sent it, or as rewritten), if the edge still holds one. */
export function cachedErrorStage(ctx: EdgeContext): Decided | undefined {
  const lookup = ctx.view.cachedError;
  if (lookup === undefined) return undefined;
  const paths = [...new Set([ctx.url.pathname, ctx.uri])];
  for (const path of paths) {
    const cached = lookup.call(ctx.view, ctx.distribution.Id, path);
    if (cached === undefined) continue;
    ctx.trace.push(`cache:error:${cached.status}:age-${cached.ageSeconds}`);
    return {
      response: {
        status: cached.status,
        headers: { ...cached.headers, age: String(cached.ageSeconds) },
        body: cached.body,
        trace: ctx.trace,
      },
      source: 'origin',
    };
  }
  return undefined;
}

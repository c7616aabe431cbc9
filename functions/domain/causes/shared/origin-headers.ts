// Which request headers CloudFront sends to an origin: the origin's custom headers, the viewer headers its
// behavior forwards, and what CloudFront puts in their place.
import type { MatchedBehavior, ResolvedRequest } from '../../routing.ts';
import type { Evidence } from '../../types.ts';
import { configOrigin } from './s3-access.ts';

/** Managed origin request policies, by id, and the viewer headers each forwards (CloudFront Developer
 * Guide, "Use managed origin request policies"). `*` = every viewer header; `-host` = all but Host. */
const MANAGED_HEADERS: Readonly<Record<string, readonly string[]>> = {
  '216adef6-5c7f-47e4-b989-5492eafa07d3': ['*'], // AllViewer
  '33f36d7e-f396-46d9-90e0-52428a34d9dc': ['*'], // AllViewerAndCloudFrontHeaders-2022-06
  'b689b0a8-53d0-40ab-baf2-68738e2966ac': ['-host'], // AllViewerExceptHostHeader
  'acba4595-bd28-49b8-b9fe-13317c0390fa': ['user-agent', 'referer'], // UserAgentRefererHeaders
  '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf': [
    'origin',
    'access-control-request-headers',
    'access-control-request-method',
  ], // CORS-S3Origin
  '59781a5b-3903-41f3-afcb-af62929ccde1': ['origin'], // CORS-CustomOrigin
};

/** CloudFront replaces the viewer's User-Agent with this unless the behavior forwards it (CloudFront
 * Developer Guide, "Request and response behavior for custom origins", User-Agent). */
export const CLOUDFRONT_USER_AGENT = 'Amazon CloudFront';

/** Whether the behavior forwards the viewer's header `name`; undefined when its policy could not be read. */
export function forwardsViewerHeader(
  ev: Evidence,
  matched: MatchedBehavior,
  name: string,
): boolean | undefined {
  const header = name.toLowerCase();
  const id = matched.behavior.OriginRequestPolicyId ?? '';
  if (id !== '') {
    const policy = ev.originRequestPolicies[id];
    if (policy?.ok) {
      const config = policy.value.HeadersConfig;
      const named = (config?.Headers?.Items ?? []).map((h) => h.toLowerCase());
      switch (config?.HeaderBehavior) {
        case 'allViewer':
        case 'allViewerAndWhitelistCloudFront':
          return true;
        case 'whitelist':
          return named.includes(header);
        case 'allExcept':
          return !named.includes(header);
        default:
          return false;
      }
    }
    const managed = MANAGED_HEADERS[id];
    if (!managed) return undefined;
    if (managed.includes('*')) return true;
    if (managed.includes('-host')) return header !== 'host';
    return managed.includes(header);
  }
  const legacy = (matched.behavior.ForwardedValues?.Headers?.Items ?? []).map((h) => h.toLowerCase());
  return legacy.includes('*') || legacy.includes(header);
}

function headerValue(headers: Record<string, string> | undefined, name: string): string | undefined {
  const found = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === name.toLowerCase());
  return found?.[1];
}

/** The origin custom header `name` the origin is configured with, if any. */
export function originCustomHeader(ev: Evidence, originId: string, name: string): string | undefined {
  const items = configOrigin(ev, originId)?.origin.CustomHeaders?.Items ?? [];
  return items.find((h) => (h.HeaderName ?? '').toLowerCase() === name.toLowerCase())?.HeaderValue;
}

export interface SentHeader {
  value: string | undefined;
  /** where the value comes from, for evidence */
  how: string;
}

/**
 * The value of header `name` in CloudFront's request to the origin: an origin custom header wins (CloudFront
 * overwrites a viewer header of the same name), then the viewer's value if forwarded.
 */
export function sentHeader(ev: Evidence, r: ResolvedRequest, name: string): SentHeader {
  const originId = r.origin?.id ?? '';
  const custom = originCustomHeader(ev, originId, name);
  if (custom !== undefined) return { value: custom, how: `origin ${originId} custom header ${name}` };
  const forwarded = forwardsViewerHeader(ev, r.matched, name);
  if (forwarded) {
    const viewer = headerValue(r.request.headers, name);
    return {
      value: viewer,
      how: viewer === undefined ? 'forwarded, but the viewer sent none' : "the viewer's, forwarded",
    };
  }
  if (name.toLowerCase() === 'user-agent')
    return {
      value: CLOUDFRONT_USER_AGENT,
      how: `not forwarded, so CloudFront sends "${CLOUDFRONT_USER_AGENT}"`,
    };
  return { value: undefined, how: 'not forwarded, so CloudFront sends none' };
}

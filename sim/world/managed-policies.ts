// AWS managed origin request policies, as GetOriginRequestPolicy returns them. Behaviors may name these ids
// without the scenario listing them.
import type { OriginRequestPolicyConfig } from '@aws-sdk/client-cloudfront';

export interface ManagedOriginRequestPolicy {
  Id: string;
  OriginRequestPolicyConfig: OriginRequestPolicyConfig;
}

export const ALL_VIEWER_POLICY_ID = '216adef6-5c7f-47e4-b989-5492eafa07d3';
export const ALL_VIEWER_EXCEPT_HOST_POLICY_ID = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
export const CORS_S3_ORIGIN_POLICY_ID = '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf';
export const CORS_CUSTOM_ORIGIN_POLICY_ID = '59781a5b-3903-41f3-afcb-af62929ccde1';
export const USER_AGENT_REFERER_POLICY_ID = 'acba4595-bd28-49b8-b9fe-13317c0390fa';

function whitelist(headers: string[]): OriginRequestPolicyConfig['HeadersConfig'] {
  return { HeaderBehavior: 'whitelist', Headers: { Quantity: headers.length, Items: headers } };
}

export const MANAGED_ORIGIN_REQUEST_POLICIES: Readonly<Record<string, ManagedOriginRequestPolicy>> = {
  [ALL_VIEWER_POLICY_ID]: {
    Id: ALL_VIEWER_POLICY_ID,
    OriginRequestPolicyConfig: {
      Name: 'Managed-AllViewer',
      Comment: 'Policy to forward all parameters in viewer requests',
      HeadersConfig: { HeaderBehavior: 'allViewer' },
      CookiesConfig: { CookieBehavior: 'all' },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    },
  },
  [ALL_VIEWER_EXCEPT_HOST_POLICY_ID]: {
    Id: ALL_VIEWER_EXCEPT_HOST_POLICY_ID,
    OriginRequestPolicyConfig: {
      Name: 'Managed-AllViewerExceptHostHeader',
      Comment: 'Policy to forward all parameters in viewer requests except for the Host header',
      // every viewer header but Host: the shape the API uses for this policy
      HeadersConfig: { HeaderBehavior: 'allExcept', Headers: { Quantity: 1, Items: ['host'] } },
      CookiesConfig: { CookieBehavior: 'all' },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    },
  },
  [CORS_S3_ORIGIN_POLICY_ID]: {
    Id: CORS_S3_ORIGIN_POLICY_ID,
    OriginRequestPolicyConfig: {
      Name: 'Managed-CORS-S3Origin',
      Comment: 'Policy for origin request to enable CORS on S3 origins',
      HeadersConfig: whitelist(['origin', 'access-control-request-headers', 'access-control-request-method']),
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    },
  },
  [CORS_CUSTOM_ORIGIN_POLICY_ID]: {
    Id: CORS_CUSTOM_ORIGIN_POLICY_ID,
    OriginRequestPolicyConfig: {
      Name: 'Managed-CORS-CustomOrigin',
      Comment: 'Policy for origin request to enable CORS on custom origins',
      HeadersConfig: whitelist(['origin']),
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'none' },
    },
  },
  [USER_AGENT_REFERER_POLICY_ID]: {
    Id: USER_AGENT_REFERER_POLICY_ID,
    OriginRequestPolicyConfig: {
      Name: 'Managed-UserAgentRefererHeaders',
      Comment: 'Policy to forward user-agent and referer headers to origin',
      HeadersConfig: whitelist(['user-agent', 'referer']),
      CookiesConfig: { CookieBehavior: 'none' },
      QueryStringsConfig: { QueryStringBehavior: 'all' },
    },
  },
};

/** A managed policy by id (deep copy), or undefined. */
export function managedOriginRequestPolicy(id: string): ManagedOriginRequestPolicy | undefined {
  const policy = MANAGED_ORIGIN_REQUEST_POLICIES[id];
  return policy ? structuredClone(policy) : undefined;
}

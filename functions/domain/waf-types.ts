// WAFv2 shapes (GetWebACL, GetIPSet, GetSampledRequests outputs), the subset a 403 diagnosis reads.

export interface WafStatement {
  IPSetReferenceStatement?: { ARN: string };
  GeoMatchStatement?: { CountryCodes: string[] };
  ByteMatchStatement?: {
    SearchString: string;
    FieldToMatch: { UriPath?: Record<string, never> };
    TextTransformations?: { Priority: number; Type: string }[];
    PositionalConstraint: 'EXACTLY' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS' | 'CONTAINS_WORD';
  };
  NotStatement?: { Statement: WafStatement };
  AndStatement?: { Statements: WafStatement[] };
  OrStatement?: { Statements: WafStatement[] };
  RateBasedStatement?: { Limit: number; AggregateKeyType: string };
  ManagedRuleGroupStatement?: { VendorName: string; Name: string };
}

export interface WafRule {
  Name: string;
  Priority: number;
  Action?: { Block?: object; Allow?: object; Count?: object; Captcha?: object; Challenge?: object };
  OverrideAction?: { None?: object; Count?: object };
  Statement: WafStatement;
  VisibilityConfig?: {
    SampledRequestsEnabled: boolean;
    CloudWatchMetricsEnabled: boolean;
    MetricName: string;
  };
}

export interface WafWebAcl {
  ARN: string;
  Id: string;
  Name: string;
  DefaultAction: { Allow?: object; Block?: object };
  Rules: WafRule[];
}

export interface WafIpSet {
  ARN: string;
  Id: string;
  Name: string;
  IPAddressVersion: 'IPV4' | 'IPV6';
  Addresses: string[];
}

export interface WafSampledRequest {
  WebAclArn: string;
  RuleNameWithinRuleGroup?: string;
  RuleName: string;
  Action: string;
  Request: { ClientIP: string; Country?: string; URI: string; Method: string };
}

// WAFv2 shapes (GetWebACL, GetIPSet, GetSampledRequests outputs), the subset a 403 diagnosis reads.

/** The request component a match statement inspects (one member set), as GetWebACL returns it. */
export interface WafFieldToMatch {
  UriPath?: Record<string, never>;
  SingleHeader?: { Name: string };
  QueryString?: Record<string, never>;
  SingleQueryArgument?: { Name: string };
  Method?: Record<string, never>;
  Body?: Record<string, unknown>;
  Headers?: Record<string, unknown>;
  Cookies?: Record<string, unknown>;
  JA3Fingerprint?: Record<string, unknown>;
}

type WafTransformations = { Priority: number; Type: string }[];

/** ManagedRuleGroupStatement.RuleActionOverrides: a rule of the group acting otherwise than its default. */
export interface WafRuleActionOverride {
  Name: string;
  ActionToUse: { Block?: object; Allow?: object; Count?: object; Captcha?: object; Challenge?: object };
}

export interface WafStatement {
  IPSetReferenceStatement?: { ARN: string };
  GeoMatchStatement?: { CountryCodes: string[] };
  ByteMatchStatement?: {
    SearchString: string;
    FieldToMatch: WafFieldToMatch;
    TextTransformations?: WafTransformations;
    PositionalConstraint: 'EXACTLY' | 'STARTS_WITH' | 'ENDS_WITH' | 'CONTAINS' | 'CONTAINS_WORD';
  };
  SizeConstraintStatement?: {
    FieldToMatch: WafFieldToMatch;
    ComparisonOperator: 'EQ' | 'NE' | 'LE' | 'LT' | 'GE' | 'GT';
    Size: number;
    TextTransformations?: WafTransformations;
  };
  RegexMatchStatement?: {
    RegexString: string;
    FieldToMatch: WafFieldToMatch;
    TextTransformations?: WafTransformations;
  };
  RegexPatternSetReferenceStatement?: {
    ARN: string;
    FieldToMatch: WafFieldToMatch;
    TextTransformations?: WafTransformations;
  };
  SqliMatchStatement?: { FieldToMatch: WafFieldToMatch; TextTransformations?: WafTransformations };
  XssMatchStatement?: { FieldToMatch: WafFieldToMatch; TextTransformations?: WafTransformations };
  LabelMatchStatement?: { Scope: string; Key: string };
  NotStatement?: { Statement: WafStatement };
  AndStatement?: { Statements: WafStatement[] };
  OrStatement?: { Statements: WafStatement[] };
  RateBasedStatement?: {
    Limit: number;
    /** IP, FORWARDED_IP, CONSTANT (every request counted together) or CUSTOM_KEYS */
    AggregateKeyType: string;
    ScopeDownStatement?: WafStatement;
  };
  ManagedRuleGroupStatement?: {
    VendorName: string;
    Name: string;
    /** only requests that match it are evaluated by the group */
    ScopeDownStatement?: WafStatement;
    RuleActionOverrides?: WafRuleActionOverride[];
    /** the older way to set rules of the group to Count */
    ExcludedRules?: { Name: string }[];
  };
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
  Request: {
    ClientIP: string;
    Country?: string;
    URI: string;
    Method: string;
    /** GetSampledRequests returns the request's headers; the User-Agent tells a probe from a viewer */
    Headers?: { Name: string; Value: string }[];
  };
}

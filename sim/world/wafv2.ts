// WAFv2 reads: web ACLs, IP sets and sampled requests.
import type {
  GetIPSetCommandInput,
  GetIPSetCommandOutput,
  GetSampledRequestsCommandInput,
  GetSampledRequestsCommandOutput,
  GetWebACLCommandInput,
  GetWebACLCommandOutput,
  Rule,
} from '@aws-sdk/client-wafv2';
import type { WafRule, WafStatement } from '../scenario/types.ts';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

function nonexistent(what: string): Error {
  return serviceError({
    service: 'wafv2',
    name: 'WAFNonexistentItemException',
    message: `AWS WAF couldn’t perform the operation because your resource doesn’t exist. (${what})`,
    status: 400,
  });
}

function scopeOf(arn: string): 'CLOUDFRONT' | 'REGIONAL' {
  return arn.includes(':global/') ? 'CLOUDFRONT' : 'REGIONAL';
}

/** The API returns ByteMatchStatement.SearchString as a blob, which the SDK hands out as a Uint8Array. */
function sdkStatement(statement: WafStatement): unknown {
  const out: Record<string, unknown> = { ...statement };
  if (statement.ByteMatchStatement) {
    out.ByteMatchStatement = {
      ...statement.ByteMatchStatement,
      SearchString: new TextEncoder().encode(statement.ByteMatchStatement.SearchString),
    };
  }
  if (statement.NotStatement)
    out.NotStatement = { Statement: sdkStatement(statement.NotStatement.Statement) };
  if (statement.AndStatement)
    out.AndStatement = { Statements: statement.AndStatement.Statements.map(sdkStatement) };
  if (statement.OrStatement)
    out.OrStatement = { Statements: statement.OrStatement.Statements.map(sdkStatement) };
  return out;
}

function sdkRule(rule: WafRule): Rule {
  const out = {
    ...structuredClone(rule),
    Statement: sdkStatement(rule.Statement),
    VisibilityConfig: rule.VisibilityConfig ?? {
      SampledRequestsEnabled: true,
      CloudWatchMetricsEnabled: true,
      MetricName: rule.Name,
    },
  };
  return out as unknown as Rule;
}

export function wafv2Handlers(world: World): Handlers {
  const st = world.state;

  const matches = (
    item: { ARN: string; Id: string; Name: string },
    input: { ARN?: string; Id?: string; Name?: string; Scope?: string },
  ) => {
    if (input.ARN) return item.ARN === input.ARN;
    if (input.Scope && input.Scope !== scopeOf(item.ARN)) return false;
    return item.Id === input.Id && (input.Name === undefined || item.Name === input.Name);
  };

  return {
    GetWebACL: handler<GetWebACLCommandInput, Out<GetWebACLCommandOutput>>((input) => {
      const acl = st.webAcls.find((a) => matches(a, input));
      if (!acl) throw nonexistent(`web ACL ${input.ARN ?? `${input.Name}/${input.Id}`}`);
      return {
        WebACL: {
          Name: acl.Name,
          Id: acl.Id,
          ARN: acl.ARN,
          DefaultAction: structuredClone(acl.DefaultAction),
          Description: '',
          Rules: acl.Rules.map(sdkRule),
          VisibilityConfig: {
            SampledRequestsEnabled: true,
            CloudWatchMetricsEnabled: true,
            MetricName: acl.Name,
          },
          Capacity: acl.Rules.length * 10,
          ManagedByFirewallManager: false,
          LabelNamespace: `awswaf:${world.account}:webacl:${acl.Name}:`,
        },
        LockToken: world.ids.uuid(),
      };
    }),

    GetIPSet: handler<GetIPSetCommandInput, Out<GetIPSetCommandOutput>>((input) => {
      const set = st.ipSets.find((s) => matches(s, input));
      if (!set) throw nonexistent(`IP set ${input.Name}/${input.Id}`);
      return {
        IPSet: {
          Name: set.Name,
          Id: set.Id,
          ARN: set.ARN,
          Description: '',
          IPAddressVersion: set.IPAddressVersion,
          Addresses: [...set.Addresses],
        },
        LockToken: world.ids.uuid(),
      };
    }),

    GetSampledRequests: handler<GetSampledRequestsCommandInput, Out<GetSampledRequestsCommandOutput>>(
      (input) => {
        const acl = st.webAcls.find((a) => a.ARN === input.WebAclArn);
        if (!acl) throw nonexistent(`web ACL ${input.WebAclArn}`);
        const metric = input.RuleMetricName ?? '';
        const rule = acl.Rules.find(
          (r) => (r.VisibilityConfig?.MetricName ?? r.Name) === metric || r.Name === metric,
        );
        const ruleName = rule?.Name ?? metric;
        const max = Math.min(Math.max(input.MaxItems ?? 100, 1), 500);
        // "You can specify any time range in the previous three hours. If you specify a start time that's
        // earlier than three hours ago, WAF sets it to three hours ago" (WAFV2 API, GetSampledRequests TimeWindow).
        const now = world.now();
        const earliest = now - 3 * 3600_000;
        const asked = input.TimeWindow?.StartTime ?? new Date(earliest);
        const end = input.TimeWindow?.EndTime ?? new Date(now);
        if (asked.getTime() > now || end.getTime() < asked.getTime()) {
          throw serviceError({
            service: 'wafv2',
            name: 'WAFInvalidParameterException',
            message: 'Error reason: The time window is not valid, field: TIME_WINDOW',
            status: 400,
          });
        }
        const start = new Date(Math.max(asked.getTime(), earliest));
        const stamp = new Date(Math.min(end.getTime(), world.now()));
        const samples = st.sampledRequests.filter((s) => s.WebAclArn === acl.ARN && s.RuleName === ruleName);
        return {
          SampledRequests: samples.slice(0, max).map((s) => ({
            Request: {
              ClientIP: s.Request.ClientIP,
              Country: s.Request.Country,
              URI: s.Request.URI,
              Method: s.Request.Method,
              HTTPVersion: 'HTTP/2.0',
              Headers: s.Request.Headers ?? [],
            },
            Weight: 1,
            Timestamp: stamp,
            Action: s.Action,
            RuleNameWithinRuleGroup: s.RuleNameWithinRuleGroup,
          })),
          PopulationSize: samples.length,
          TimeWindow: { StartTime: start, EndTime: end },
        };
      },
    ),
  };
}

// Cause 6: a rule of the web ACL associated with the distribution blocks the failing requests.
import type { ResolvedRequest } from '../routing.ts';
import type { Finding, WafEvidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import {
  confidenceFor,
  logLine,
  manualAction,
  probedIndices,
  probeIs,
  requestLine,
  sentence,
  unique,
} from './shared/viewer.ts';
import { evaluateWebAcl, uriPathOf, type WafVerdict } from './shared/waf.ts';

const DEFAULT_ACTION = '(DefaultAction)';

interface Blocked {
  request: ResolvedRequest;
  verdict: WafVerdict;
}

function wafOf(ctx: DetectContext): WafEvidence | undefined {
  return ctx.ev.waf.ok && ctx.ev.waf.value ? ctx.ev.waf.value : undefined;
}

/** The logged requests the web ACL blocks, by the name of the deciding rule. */
function blockedByRule(waf: WafEvidence, resolved: readonly ResolvedRequest[]): Map<string, Blocked[]> {
  const out = new Map<string, Blocked[]>();
  for (const r of resolved) {
    if (r.request.clientIp === undefined) continue;
    const verdict = evaluateWebAcl(
      waf.webAcl,
      { clientIp: r.request.clientIp, country: r.request.country, uriPath: uriPathOf(r.request.url) },
      { webAclArn: waf.webAcl.ARN, ipSets: waf.ipSets, sampledRequests: waf.sampledRequests },
    );
    if (verdict.action !== 'BLOCK') continue;
    const name = verdict.rule?.Name ?? DEFAULT_ACTION;
    out.set(name, [...(out.get(name) ?? []), { request: r, verdict }]);
  }
  return out;
}

function ruleLabel(waf: WafEvidence, name: string): string {
  if (name === DEFAULT_ACTION) return `the DefaultAction (Block) of web ACL '${waf.webAcl.Name}'`;
  const rule = waf.webAcl.Rules.find((r) => r.Name === name);
  return `rule '${name}' (priority ${rule?.Priority ?? '?'}) of web ACL '${waf.webAcl.Name}'`;
}

export const wafBlocked: CauseModule = {
  id: 'WAF_BLOCKED',
  risk: 'manual',
  detect(ctx): Finding | null {
    const fingerprinted = ctx.resolved.filter((r) => probeIs(r, 'cf-waf-blocked'));
    const waf = wafOf(ctx);
    if (!waf) {
      // Without the web ACL (unreadable or none associated) only CloudFront's own page speaks.
      if (fingerprinted.length === 0 || !ctx.ev.distribution.DistributionConfig.WebACLId) return null;
      return {
        id: 'WAF_BLOCKED',
        confidence: 0.6,
        summary: `CloudFront answers 'Request blocked.' for the failing requests: web ACL ${ctx.ev.distribution.DistributionConfig.WebACLId} blocks them (its rules could not be read)`,
        evidence: [
          `GetDistributionConfig: WebACLId = ${ctx.ev.distribution.DistributionConfig.WebACLId}`,
          ctx.ev.waf.ok ? 'GetWebACL: no web ACL returned' : `GetWebACL: unreadable (${ctx.ev.waf.code})`,
          ...fingerprinted.map(requestLine),
        ],
        subject: { webAcl: ctx.ev.distribution.DistributionConfig.WebACLId },
        requests: probedIndices(fingerprinted),
      };
    }
    const byRule = blockedByRule(waf, ctx.resolved);
    const [first] = [...byRule.entries()].sort((a, b) => b[1].length - a[1].length);
    if (!first && fingerprinted.length === 0) return null;
    if (!first) {
      return {
        id: 'WAF_BLOCKED',
        confidence: 0.6,
        summary: `CloudFront answers 'Request blocked.' but no rule of web ACL '${waf.webAcl.Name}' is shown to match the logged requests`,
        evidence: [
          `GetWebACL ${waf.webAcl.Name}: ${waf.webAcl.Rules.length} rule(s)`,
          ...fingerprinted.map(requestLine),
        ],
        subject: { webAcl: waf.webAcl.Name },
        requests: probedIndices(fingerprinted),
      };
    }
    const [ruleName, blocked] = first;
    const agrees = blocked.some((b) => probeIs(b.request, 'cf-waf-blocked'));
    const ips = unique(blocked.map((b) => b.request.request.clientIp ?? ''));
    return {
      id: 'WAF_BLOCKED',
      confidence: confidenceFor(agrees, true),
      summary: `WAF blocks the requests from ${ips.join(', ')}: ${ruleLabel(waf, ruleName)} matches them`,
      evidence: [
        `GetDistributionConfig: WebACLId = ${ctx.ev.distribution.DistributionConfig.WebACLId || waf.webAcl.ARN}`,
        ...unique(
          blocked.flatMap((b) =>
            b.verdict.reasons.map((why) => `GetWebACL ${waf.webAcl.Name} ${ruleName}: ${why}`),
          ),
        ),
        ...blocked.map((b) =>
          b.request.probe?.status === 403 ? requestLine(b.request) : logLine(b.request),
        ),
      ],
      subject: { webAcl: waf.webAcl.Name, webAclArn: waf.webAcl.ARN, rule: ruleName },
      // The probe's own WAF refusals only: a logged viewer's block does not stop the verification.
      requests: probedIndices(fingerprinted),
    };
  },
  plan(finding, ctx) {
    const waf = wafOf(ctx);
    if (!waf) {
      return [
        manualAction(
          `waf:${finding.subject?.webAcl ?? 'unknown'}`,
          'WAF_BLOCKED',
          `Web ACL ${finding.subject?.webAcl ?? ''} blocks the failing requests; read its rules and sampled requests (GetWebACL, GetSampledRequests) and allow these viewers if they should be served.`,
        ),
      ];
    }
    // One recommendation per blocking rule, the finding's rule first.
    const byRule = [...blockedByRule(waf, ctx.resolved).entries()].sort(
      (a, b) => Number(b[0] === finding.subject?.rule) - Number(a[0] === finding.subject?.rule),
    );
    return byRule.map(([name, blocked]) => {
      const fixes = unique(blocked.flatMap((b) => b.verdict.fixes));
      const ips = unique(blocked.map((b) => b.request.request.clientIp ?? ''));
      return manualAction(
        `waf-rule:${waf.webAcl.Name}:${name}`,
        'WAF_BLOCKED',
        `WAF rules are an intentional control, so they are not changed automatically. ${sentence(ruleLabel(waf, name))} blocks ${blocked.length} logged request(s) from ${ips.join(', ')}. If these viewers should be served: ${fixes.join('; or ')}.`,
      );
    });
  },
};

// Cause 6: a rule of the web ACL associated with the distribution blocks the failing requests.
import type { ResolvedRequest } from '../routing.ts';
import type { Finding, WafEvidence } from '../types.ts';
import type { WafRule, WafStatement } from '../waf-types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { allDeliberate, deliberateAdvice, deliberatePath } from './shared/intent.ts';
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
import { evaluateWebAcl, type UndeterminedRule, uriPathOf, type WafVerdict } from './shared/waf.ts';

const DEFAULT_ACTION = '(DefaultAction)';

interface Blocked {
  request: ResolvedRequest;
  verdict: WafVerdict;
}

function wafOf(ctx: DetectContext): WafEvidence | undefined {
  return ctx.ev.waf.ok && ctx.ev.waf.value ? ctx.ev.waf.value : undefined;
}

function verdictFor(waf: WafEvidence, r: ResolvedRequest): WafVerdict | undefined {
  if (r.request.clientIp === undefined) return undefined;
  return evaluateWebAcl(
    waf.webAcl,
    { clientIp: r.request.clientIp, country: r.request.country, uriPath: uriPathOf(r.request.url) },
    { webAclArn: waf.webAcl.ARN, ipSets: waf.ipSets, sampledRequests: waf.sampledRequests },
  );
}

/** The logged requests the web ACL blocks, by the name of the deciding rule. */
function blockedByRule(waf: WafEvidence, resolved: readonly ResolvedRequest[]): Map<string, Blocked[]> {
  const out = new Map<string, Blocked[]>();
  for (const r of resolved) {
    const verdict = verdictFor(waf, r);
    if (verdict?.action !== 'BLOCK') continue;
    const name = verdict.rule?.Name ?? DEFAULT_ACTION;
    out.set(name, [...(out.get(name) ?? []), { request: r, verdict }]);
  }
  return out;
}

/** Block rules the reasoning could not evaluate for these requests, each once, with its statements. */
function undeterminedBlocks(waf: WafEvidence, reqs: readonly ResolvedRequest[]): UndeterminedRule[] {
  const out = new Map<string, UndeterminedRule>();
  for (const r of reqs) {
    for (const u of verdictFor(waf, r)?.undetermined ?? []) {
      if (u.action === 'BLOCK' && !out.has(u.rule.Name)) out.set(u.rule.Name, u);
    }
  }
  return [...out.values()];
}

function undeterminedLine(waf: WafEvidence, u: UndeterminedRule): string {
  return `GetWebACL ${waf.webAcl.Name} ${u.rule.Name} (priority ${u.rule.Priority}, Block): could not be evaluated: ${u.statements.join('; ')}; it may or may not match these requests (unknown, not counted as a match)`;
}

/** URI byte matches of a statement tree that name a path sites close on purpose (`/wp-admin`, `/.env`). */
function guardedPaths(st: WafStatement): string[] {
  if (st.NotStatement) return [];
  const inner = [...(st.AndStatement?.Statements ?? []), ...(st.OrStatement?.Statements ?? [])];
  const here =
    st.ByteMatchStatement?.FieldToMatch.UriPath && deliberatePath(st.ByteMatchStatement.SearchString)
      ? [st.ByteMatchStatement.SearchString]
      : [];
  return [...here, ...inner.flatMap(guardedPaths)];
}

/** Why the rule's blocks look deliberate: it guards admin/scanner paths, or those are all it blocked. */
function intentOf(rule: WafRule | undefined, blocked: readonly Blocked[]): string | undefined {
  const guarded = rule ? guardedPaths(rule.Statement) : [];
  if (guarded.length > 0)
    return `the rule matches ${guarded.map((g) => `'${g}'`).join(', ')}, a path sites close on purpose`;
  return allDeliberate(blocked.map((b) => b.request.path));
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
      const open = undeterminedBlocks(waf, fingerprinted);
      const suspect = open[0];
      return {
        id: 'WAF_BLOCKED',
        confidence: suspect ? 0.55 : 0.6,
        summary: suspect
          ? `CloudFront answers 'Request blocked.'; rule '${suspect.rule.Name}' of web ACL '${waf.webAcl.Name}' may be the one, but its statement could not be evaluated (${suspect.statements.join('; ')})`
          : `CloudFront answers 'Request blocked.' but no rule of web ACL '${waf.webAcl.Name}' is shown to match the logged requests`,
        evidence: [
          `GetWebACL ${waf.webAcl.Name}: ${waf.webAcl.Rules.length} rule(s)`,
          ...open.map((u) => undeterminedLine(waf, u)),
          ...fingerprinted.map(requestLine),
        ],
        subject: { webAcl: waf.webAcl.Name, ...(suspect ? { undetermined: suspect.rule.Name } : {}) },
        requests: probedIndices(fingerprinted),
      };
    }
    const [ruleName, blocked] = first;
    const agrees = blocked.some((b) => probeIs(b.request, 'cf-waf-blocked'));
    const ips = unique(blocked.map((b) => b.request.request.clientIp ?? ''));
    // An earlier rule that could not be evaluated might have decided these requests first.
    const open = undeterminedBlocks(
      waf,
      blocked.map((b) => b.request),
    ).filter((u) => u.rule.Name !== ruleName);
    const intent = intentOf(
      waf.webAcl.Rules.find((r) => r.Name === ruleName),
      blocked,
    );
    return {
      id: 'WAF_BLOCKED',
      confidence: confidenceFor(agrees, true) - (open.length > 0 ? 0.1 : 0),
      summary: intent
        ? `Likely intentional: ${ruleLabel(waf, ruleName)} blocks the requests from ${ips.join(', ')} (${intent})`
        : `WAF blocks the requests from ${ips.join(', ')}: ${ruleLabel(waf, ruleName)} matches them`,
      evidence: [
        `GetDistributionConfig: WebACLId = ${ctx.ev.distribution.DistributionConfig.WebACLId || waf.webAcl.ARN}`,
        ...unique(
          blocked.flatMap((b) =>
            b.verdict.reasons.map((why) => `GetWebACL ${waf.webAcl.Name} ${ruleName}: ${why}`),
          ),
        ),
        ...open.map((u) => undeterminedLine(waf, u)),
        ...blocked.map((b) =>
          b.request.probe?.status === 403 ? requestLine(b.request) : logLine(b.request),
        ),
      ],
      subject: {
        webAcl: waf.webAcl.Name,
        webAclArn: waf.webAcl.ARN,
        rule: ruleName,
        ...(intent ? { intentional: intent } : {}),
      },
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
    const intent = finding.subject?.intentional;
    if (intent) {
      const rule = finding.subject?.rule ?? '';
      return [
        manualAction(
          `waf-rule:${waf.webAcl.Name}:${rule}`,
          'WAF_BLOCKED',
          deliberateAdvice(
            ruleLabel(waf, rule),
            intent,
            `narrow that rule so it no longer matches them (GetSampledRequests shows what it blocks)`,
          ),
        ),
      ];
    }
    const suspect = finding.subject?.undetermined;
    if (suspect) {
      const open = undeterminedBlocks(waf, ctx.failing).find((u) => u.rule.Name === suspect);
      return [
        manualAction(
          `waf-rule:${waf.webAcl.Name}:${suspect}`,
          'WAF_BLOCKED',
          `WAF rules are an intentional control, so they are not changed automatically. CloudFront's 'Request blocked.' page shows web ACL '${waf.webAcl.Name}' blocks these requests; rule '${suspect}' is the likely one, but cf403 could not evaluate ${open?.statements.join('; ') ?? 'its statement'}. Check it against these requests (GetSampledRequests of the rule, or its CloudWatch metric) before changing anything.`,
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

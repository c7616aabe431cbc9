// Scenario files may name WAF entities with short placeholder ids ("a1b2", as the contract's examples do), but
// AWS only ever issues UUIDs: the WAFV2 model's EntityId is `^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$`
// (botocore wafv2 2019-07-29). A world that kept "a1b2" would have to accept a GetWebACL that real WAF refuses,
// so placeholders become deterministic UUIDs everywhere they appear (ids, ARNs, references) when a world loads.
import { createHash } from 'node:crypto';
import type { Scenario } from './types.ts';

const WAF_ID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/;
const WAF_ARN =
  /^(arn:aws[\w-]*:wafv2:[^:]*:\d{12}:(?:global|regional)\/(?:webacl|ipset|regexpatternset|rulegroup)\/[^/]+\/)([^/]+)$/;

/** A UUID-shaped id derived from the placeholder, so the same placeholder always maps to the same id. */
export function canonicalWafId(id: string): string {
  if (WAF_ID.test(id)) return id;
  const h = createHash('sha256').update(`cf403-waf-id:${id}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

function canonicalArn(arn: string): string {
  const m = WAF_ARN.exec(arn);
  return m?.[1] && m[2] ? `${m[1]}${canonicalWafId(m[2])}` : arn;
}

function rewrite(value: unknown): unknown {
  if (typeof value === 'string') return canonicalArn(value);
  if (Array.isArray(value)) return value.map(rewrite);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = rewrite(v);
    return out;
  }
  return value;
}

/** The scenario with every WAF placeholder id replaced by its canonical UUID (a new object; input untouched). */
export function withCanonicalWafIds(scenario: Scenario): Scenario {
  if (!scenario.wafv2) return scenario;
  const out = rewrite(scenario) as Scenario;
  const waf = out.wafv2;
  if (waf) {
    for (const acl of waf.webAcls ?? []) acl.Id = canonicalWafId(acl.Id);
    for (const set of waf.ipSets ?? []) set.Id = canonicalWafId(set.Id);
  }
  return out;
}

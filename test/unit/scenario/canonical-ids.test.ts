import { describe, expect, it } from 'vitest';
import { canonicalWafId, withCanonicalWafIds } from '../../../sim/scenario/canonical-ids.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';

const UUID = /^[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}$/;
const scenarioFile = new URL('../../scenarios/waf-blocked.json', import.meta.url).pathname;

describe('WAF placeholder ids become the UUIDs AWS issues', () => {
  it('maps a placeholder to a stable UUID and leaves a real id alone', () => {
    expect(canonicalWafId('a1b2')).toMatch(UUID);
    expect(canonicalWafId('a1b2')).toBe(canonicalWafId('a1b2'));
    expect(canonicalWafId('a1b2')).not.toBe(canonicalWafId('c3d4'));
    const real = '4f1c2d3e-0a1b-4c2d-9e8f-0123456789ab';
    expect(canonicalWafId(real)).toBe(real);
  });

  it('rewrites ids and every ARN that names them, consistently, without touching the input', () => {
    const sc = loadScenario(scenarioFile);
    const before = JSON.stringify(sc);
    const out = withCanonicalWafIds(sc);
    expect(JSON.stringify(sc)).toBe(before);
    const acl = out.wafv2?.webAcls?.[0];
    expect(acl?.Id).toMatch(UUID);
    expect(acl?.ARN.endsWith(`/${acl.Id}`)).toBe(true);
    // the distribution still points at the same web ACL
    expect(out.cloudfront.distributions[0]?.DistributionConfig.WebACLId).toBe(acl?.ARN);
    for (const set of out.wafv2?.ipSets ?? []) expect(set.ARN.endsWith(`/${set.Id}`)).toBe(true);
  });
});

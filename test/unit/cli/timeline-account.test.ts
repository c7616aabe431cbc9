// The timeline names the distribution's account and the account of an action written elsewhere (issue 15).
import type { Report } from '@cf403/simulator';
import { describe, expect, it } from 'vitest';
import { timeline } from '../../../cli/timeline.ts';

function report(extra: Record<string, unknown>, action: Record<string, unknown> = {}): Report {
  return {
    scenario: 'hub-cross-account-bucket',
    outcome: 'REMEDIATED',
    causes: [],
    actions: [
      {
        id: 'grant',
        cause: 'ORIGIN_ACCESS_MISSING',
        risk: 'destructive',
        description: 'Grant the OAC read',
        applied: true,
        diff: [],
        ...action,
      },
    ],
    approval: { required: true, decision: 'approved' },
    probes: { before: [], after: [] },
    simulatedSeconds: 60,
    awsCalls: 10,
    states: [],
    ...extra,
  } as unknown as Report;
}

describe('the timeline of a hub', () => {
  it('names the accounts', () => {
    const text = timeline(report({ account: '222222222222' }, { account: '333333333333' }), 'demo');
    expect(text).toContain('alarm on the distribution in account 222222222222');
    expect(text).toContain('- [destructive] Grant the OAC read (account 333333333333)');
    expect(text).toContain('✓ Grant the OAC read (account 333333333333)');
  });

  it('reads as before for one account', () => {
    const text = timeline(report({}), 'demo');
    expect(text).toContain('4xxErrorRate alarm on the distribution → remediation workflow started');
    expect(text).not.toContain('(account');
  });
});

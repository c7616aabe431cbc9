// The hub's settings (functions/config.ts), a member's own scope (functions/domain/member-scope.ts), and the
// account named wherever people read about a remediation (notifications, approval text).
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/config.ts';
import { outOfScope } from '../../../functions/domain/guard.ts';
import { missingScope, parseMemberScope, withMemberScope } from '../../../functions/domain/member-scope.ts';
import {
  appliedMessage,
  approvalSummary,
  diagnosisMessage,
  outcomeMessage,
} from '../../../functions/domain/notification.ts';
import { ConfigError, MemberScopeError } from '../../../functions/errors.ts';

const base = { CF403_ARTIFACT_BUCKET: 'artifacts' };
const EXECUTION = 'arn:aws:states:us-east-1:111111111111:execution:cf403:run-1';

describe('the hub settings', () => {
  it('default to a single account', () => {
    expect(parseConfig(base)).toMatchObject({
      homeAccount: undefined,
      memberRoleName: 'cf403-member',
      memberAccounts: [],
      organizationId: undefined,
    });
  });

  it('parse the hub account, its members, the role name and the organization', () => {
    expect(
      parseConfig({
        ...base,
        CF403_ACCOUNT: '111111111111',
        CF403_MEMBER_ACCOUNTS: ' 222222222222, 333333333333 ',
        CF403_MEMBER_ROLE_NAME: 'remediation-spoke',
        CF403_ORGANIZATION_ID: 'o-abcdef1234',
      }),
    ).toMatchObject({
      homeAccount: '111111111111',
      memberAccounts: ['222222222222', '333333333333'],
      memberRoleName: 'remediation-spoke',
      organizationId: 'o-abcdef1234',
    });
  });

  it.each([
    [{ CF403_ACCOUNT: '1111' }, /CF403_ACCOUNT: '1111'/],
    [{ CF403_ACCOUNT: '111111111111', CF403_MEMBER_ACCOUNTS: '22222222222x' }, /CF403_MEMBER_ACCOUNTS/],
    [{ CF403_ACCOUNT: '111111111111', CF403_MEMBER_ACCOUNTS: '222222222222,222222222222' }, /listed twice/],
    [{ CF403_MEMBER_ACCOUNTS: '222222222222' }, /CF403_ACCOUNT \(the hub account\) is not/],
    [{ CF403_MEMBER_ROLE_NAME: 'bad role' }, /CF403_MEMBER_ROLE_NAME/],
    [{ CF403_ORGANIZATION_ID: 'org-1' }, /CF403_ORGANIZATION_ID/],
  ])('refuse %j', (env, message) => {
    expect(() => parseConfig({ ...base, ...env })).toThrow(ConfigError);
    expect(() => parseConfig({ ...base, ...env })).toThrow(message);
  });
});

describe('a member scope', () => {
  const config = parseConfig({ ...base, CF403_SCOPE: 'account' });

  it('replaces the hub scope: its distributions, or nothing to change for none', () => {
    const scope = parseMemberScope(
      JSON.stringify({ kind: 'distributions', distributionIds: ['E1'], originBucketNames: ['site'] }),
      '222222222222',
    );
    expect(scope).toMatchObject({
      kind: 'distributions',
      distributionIds: ['E1'],
      originBucketNames: ['site'],
    });
    expect(withMemberScope(config, scope)).toMatchObject({
      scope: 'distributions',
      distributionIds: ['E1'],
      planOnly: false,
    });
    const none = withMemberScope(config, parseMemberScope('{"kind":"none"}', '222222222222'));
    expect(none).toMatchObject({ scope: 'none', planOnly: true });
    expect(withMemberScope(config, missingScope('222222222222'))).toMatchObject({
      scope: 'none',
      planOnly: true,
    });
  });

  it('names the member account when it leaves an alarm out', () => {
    const scoped = { scope: 'distributions' as const, distributionIds: ['E1'] };
    expect(outOfScope(scoped, 'E2', '222222222222')).toMatch(
      /^distribution E2 is outside the member scope of account 222222222222 \(cf403:distributionIds: E1\)/,
    );
    expect(outOfScope(scoped, 'E2')).toMatch(/outside this stack's scope/);
    expect(outOfScope(scoped, 'E1', '222222222222')).toBeUndefined();
  });

  it.each([
    ['not json', /not JSON/],
    ['[]', /JSON object/],
    ['{"kind":"all"}', /kind must be/],
    ['{"kind":"distributions"}', /at least one distribution/],
    ['{"kind":"distributions","distributionIds":[1]}', /distributionIds must be a list/],
  ])('refuses %s', (text, message) => {
    expect(() => parseMemberScope(text, '222222222222')).toThrow(MemberScopeError);
    expect(() => parseMemberScope(text, '222222222222')).toThrow(message);
  });
});

describe('messages name the account', () => {
  const diagnosis = { reproduced: true, causes: [] };

  it('in the subject and the body of every message', () => {
    const d = diagnosisMessage({
      executionId: EXECUTION,
      distributionId: 'E1',
      account: '222222222222',
      diagnosis,
    });
    expect(d.subject).toContain('E1 (account 222222222222)');
    expect(d.body).toContain('distribution E1 (account 222222222222)');
    expect(d.body).toContain('"account":"222222222222"');
    const a = appliedMessage({
      executionId: EXECUTION,
      distributionId: 'E1',
      account: '222222222222',
      applied: [],
    });
    expect(a.subject).toContain('(account 222222222222)');
    const o = outcomeMessage(EXECUTION, {
      outcome: 'REMEDIATED',
      collect: { distributionId: 'E1', account: '222222222222' },
    });
    expect(o.subject).toBe('cf403: REMEDIATED for E1 (account 222222222222)');
    expect(o.body).toContain('finished for distribution E1 (account 222222222222)');
    expect(
      approvalSummary(
        'E1',
        diagnosis,
        { actions: [], hasChanges: false, requiresApproval: false },
        '222222222222',
      ),
    ).toContain('distribution E1 (account 222222222222)');
  });

  it('and read as before when no account is known', () => {
    const o = outcomeMessage(EXECUTION, { outcome: 'REMEDIATED', collect: { distributionId: 'E1' } });
    expect(o.subject).toBe('cf403: REMEDIATED for E1');
    expect(o.body).not.toContain('"account"');
  });
});

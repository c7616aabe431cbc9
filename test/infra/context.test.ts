// Context parsing and construct props: typed values, defaults, and a clear error naming the bad key.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../lib/app.ts';
import {
  type ApprovalRisk,
  CloudFront403Remediation,
  RemediationConfigError,
} from '../../lib/cloudfront-403-remediation.ts';
import { InvalidContextError, parseRemediationContext } from '../../lib/remediation-stack.ts';

const from = (context: Record<string, unknown>) => (key: string) => context[key];

describe('parseRemediationContext', () => {
  it('defaults: any alarm, 24 h approval of destructive changes by one approver, no email, no scope (nothing may change), no alarms', () => {
    const settings = parseRemediationContext(from({}));
    expect(settings).toEqual({
      approvalTimeout: expect.any(Duration),
      approverArns: [],
      minApprovals: 1,
      approvalRisks: ['destructive'],
      planOnly: false,
      distributionIds: [],
      scope: { kind: 'none' },
      paused: false,
      maxChangesPerHour: 10,
      applyToManagedResources: false,
      optOutTagKey: 'cf403:opt-out',
    });
    expect(settings.approvalTimeout.toSeconds()).toBe(86400);
  });

  it("treats cdk.json's empty prefix as no prefix and accepts JSON-typed values", () => {
    const settings = parseRemediationContext(
      from({ 'cf403:alarmNamePrefix': '', 'cf403:approvalTimeout': 7200, 'cf403:planOnly': true }),
    );
    expect(settings.alarmNamePrefix).toBeUndefined();
    expect(settings.approvalTimeout.toSeconds()).toBe(7200);
    expect(settings.planOnly).toBe(true);
  });

  it('splits comma lists, trims and de-duplicates them', () => {
    const settings = parseRemediationContext(
      from({
        'cf403:distributionIds': ' E2QWRUHEXAMPLE, E3OACEXAMPLE,,E2QWRUHEXAMPLE ',
        'cf403:approverArns':
          'arn:aws:iam::123456789012:role/A,arn:aws:sts::123456789012:assumed-role/B/alice',
      }),
    );
    expect(settings.distributionIds).toEqual(['E2QWRUHEXAMPLE', 'E3OACEXAMPLE']);
    expect(settings.approverArns).toEqual([
      'arn:aws:iam::123456789012:role/A',
      'arn:aws:sts::123456789012:assumed-role/B/alice',
    ]);
  });

  it('reads the approval policy: approvers, minimum approvals and which risks need approval', () => {
    const settings = parseRemediationContext(
      from({
        'cf403:approverArns':
          'arn:aws:iam::123456789012:user/alice,arn:aws:iam::123456789012:role/ops/Approver',
        'cf403:minApprovals': '2',
        'cf403:approvalRisks': 'safe, destructive',
      }),
    );
    expect(settings.minApprovals).toBe(2);
    expect(settings.approvalRisks).toEqual(['safe', 'destructive']);
    expect(parseRemediationContext(from({ 'cf403:minApprovals': 1 })).minApprovals).toBe(1);
  });

  it("turns approval off only with an explicit 'none'; an empty value keeps the default", () => {
    expect(parseRemediationContext(from({ 'cf403:approvalRisks': 'none' })).approvalRisks).toEqual([]);
    expect(parseRemediationContext(from({ 'cf403:approvalRisks': '' })).approvalRisks).toEqual([
      'destructive',
    ]);
  });

  it('accepts the longest approval aws:approve allows (30 days) and nothing longer', () => {
    expect(
      parseRemediationContext(from({ 'cf403:approvalTimeout': 2592000 })).approvalTimeout.toSeconds(),
    ).toBe(2592000);
    expect(() => parseRemediationContext(from({ 'cf403:approvalTimeout': 2592001 }))).toThrow(
      /cf403:approvalTimeout: .*30 days/,
    );
  });

  it('rejects more approvals than approvers, naming the key', () => {
    const twoApprovers = 'arn:aws:iam::123456789012:user/alice,arn:aws:iam::123456789012:user/bob';
    expect(() =>
      parseRemediationContext(from({ 'cf403:approverArns': twoApprovers, 'cf403:minApprovals': '3' })),
    ).toThrow(/context cf403:minApprovals: .*\(2\)/);
    // Without approvers the stack's approver role is the only one.
    expect(() => parseRemediationContext(from({ 'cf403:minApprovals': 2 }))).toThrow(
      /context cf403:minApprovals: .*approver role/,
    );
  });

  it('rejects more than 10 approvers (the aws:approve limit)', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:user/u${i}`).join(',');
    expect(() => parseRemediationContext(from({ 'cf403:approverArns': eleven }))).toThrow(
      /context cf403:approverArns: at most 10/,
    );
  });

  it.each([
    ['cf403:approvalTimeout', 'soon'],
    ['cf403:approvalTimeout', '1.5'],
    ['cf403:approvalTimeout', 10],
    ['cf403:planOnly', 'yes'],
    ['cf403:distributionIds', 'd111111abcdef8.cloudfront.net'],
    ['cf403:approverArns', 'alice'],
    // aws:approve takes users, roles and assumed-role sessions, not groups.
    ['cf403:approverArns', 'arn:aws:iam::123456789012:group/Ops'],
    ['cf403:approverArns', 'arn:aws:iam::123456789012:user/alice,arn:aws:iam::12345:user/bob'],
    ['cf403:minApprovals', '0'],
    ['cf403:minApprovals', 'two'],
    ['cf403:minApprovals', 1.5],
    ['cf403:approvalRisks', 'risky'],
    ['cf403:approvalRisks', 'safe,manual'],
    ['cf403:approvalRisks', 42],
    ['cf403:notificationEmail', 'not-an-email'],
    ['cf403:alarmNamePrefix', 42],
  ])('rejects %s = %j with an error naming the key', (key, value) => {
    const parse = () => parseRemediationContext(from({ [key]: value }));
    expect(parse).toThrow(InvalidContextError);
    expect(parse).toThrow(key);
  });

  it('fails the app build before synthesis on a bad context value', () => {
    expect(() => buildApp({ bundle: false, context: { 'cf403:planOnly': 'maybe' } })).toThrow(
      /context cf403:planOnly: expected true or false/,
    );
  });
});

describe('CloudFront403Remediation props', () => {
  const make = (props: ConstructorParameters<typeof CloudFront403Remediation>[2]) =>
    new CloudFront403Remediation(new Stack(new App(), 'S', { env: { region: 'us-east-1' } }), 'R', props);

  it('rejects an unknown approval risk', () => {
    const risks: string[] = ['destructive', 'risky'];
    expect(() => make({ approvalRisks: risks as ApprovalRisk[] })).toThrow(RemediationConfigError);
  });

  it('rejects an approval timeout beyond what aws:approve allows (30 days)', () => {
    expect(() => make({ approvalTimeout: Duration.days(31) })).toThrow(/approvalTimeout .*30 days/);
  });

  it('rejects an approver that is not an IAM user, role or assumed-role ARN', () => {
    expect(() => make({ approverArns: ['arn:aws:iam::123456789012:group/Ops'] })).toThrow(
      /approverArns: .*group\/Ops/,
    );
    expect(() => make({ approverArns: ['bob'] })).toThrow(RemediationConfigError);
  });

  it('rejects duplicate approvers and more than 10', () => {
    const alice = 'arn:aws:iam::123456789012:user/alice';
    expect(() => make({ approverArns: [alice, alice] })).toThrow(/duplicate/);
    const eleven = Array.from({ length: 11 }, (_, i) => `arn:aws:iam::123456789012:user/u${i}`);
    expect(() => make({ approverArns: eleven })).toThrow(/at most 10/);
  });

  it('rejects minApprovals outside 1..number of approvers', () => {
    const approverArns = ['arn:aws:iam::123456789012:user/alice', 'arn:aws:iam::123456789012:role/Ops'];
    expect(() => make({ approverArns, minApprovals: 3 })).toThrow(/minApprovals .*\(2\), got 3/);
    expect(() => make({ approverArns, minApprovals: 0 })).toThrow(/minApprovals/);
    expect(() => make({ minApprovals: 2 })).toThrow(/minApprovals .*\(1\), got 2/);
  });

  it('rejects a reserved or malformed approval document name', () => {
    expect(() => make({ approvalDocumentName: 'AWS-Approve' })).toThrow(/approvalDocumentName/);
    expect(() => make({ approvalDocumentName: 'has space' })).toThrow(/approvalDocumentName/);
  });

  it('rejects an empty alarm name prefix', () => {
    expect(() => make({ alarmNamePrefix: '' })).toThrow(/alarmNamePrefix/);
  });
});

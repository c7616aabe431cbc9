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
  it('defaults: any alarm, 24 h approval, no approvers, no email, changes allowed, no alarms', () => {
    const settings = parseRemediationContext(from({}));
    expect(settings).toEqual({
      approvalTimeout: expect.any(Duration),
      approverArns: [],
      planOnly: false,
      distributionIds: [],
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

  it.each([
    ['cf403:approvalTimeout', 'soon'],
    ['cf403:approvalTimeout', '1.5'],
    ['cf403:approvalTimeout', 10],
    ['cf403:planOnly', 'yes'],
    ['cf403:distributionIds', 'd111111abcdef8.cloudfront.net'],
    ['cf403:approverArns', 'alice'],
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

  it('rejects an approval timeout beyond what a STANDARD execution allows', () => {
    expect(() => make({ approvalTimeout: Duration.days(365) })).toThrow(/approvalTimeout/);
  });

  it('rejects an empty alarm name prefix', () => {
    expect(() => make({ alarmNamePrefix: '' })).toThrow(/alarmNamePrefix/);
  });
});

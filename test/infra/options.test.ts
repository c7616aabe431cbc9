// The stack configured through context: alarm name prefix, watched distributions, plan-only, approval policy.
import { beforeAll, describe, expect, it } from 'vitest';
import { STEPS } from '../../lib/workflow/steps.ts';
import { logicalId, resolveDefinition, type Synthesized, synthesize } from './support.ts';

const DISTRIBUTIONS = ['E2QWRUHEXAMPLE', 'E3OACEXAMPLE'];
const APPROVERS = ['arn:aws:iam::123456789012:role/Approver', 'arn:aws:iam::123456789012:user/alice'];

let synth: Synthesized;
beforeAll(() => {
  // Context values as the CLI passes them (`-c key=value` gives strings).
  synth = synthesize({
    'cf403:alarmNamePrefix': 'cf403-',
    'cf403:approvalTimeout': '3600',
    'cf403:planOnly': 'true',
    'cf403:distributionIds': DISTRIBUTIONS.join(','),
    'cf403:notificationEmail': 'ops@example.com',
    'cf403:approverArns': APPROVERS.join(','),
    'cf403:minApprovals': '2',
    'cf403:approvalRisks': 'safe,destructive',
  });
});

describe('configured stack', () => {
  it('parses the context once into typed settings', () => {
    expect(synth.stack.settings).toMatchObject({
      alarmNamePrefix: 'cf403-',
      planOnly: true,
      distributionIds: DISTRIBUTIONS,
      notificationEmail: 'ops@example.com',
      approverArns: APPROVERS,
      minApprovals: 2,
      approvalRisks: ['safe', 'destructive'],
    });
    expect(synth.stack.settings.approvalTimeout.toSeconds()).toBe(3600);
  });

  it('only reacts to alarms whose name has the prefix', () => {
    const [rule] = Object.values(synth.template.findResources('AWS::Events::Rule'));
    expect(rule?.Properties.EventPattern.detail).toEqual({
      alarmName: [{ prefix: 'cf403-' }],
      state: { value: ['ALARM'] },
      configuration: {
        metrics: {
          metricStat: {
            metric: {
              namespace: ['AWS/CloudFront'],
              name: ['4xxErrorRate', '403ErrorRate', 'TotalErrorRate'],
            },
          },
        },
      },
    });
  });

  it('creates a 4xxErrorRate alarm per distribution, named so the rule picks it up', () => {
    synth.template.resourceCountIs('AWS::CloudWatch::Alarm', DISTRIBUTIONS.length);
    for (const id of DISTRIBUTIONS) {
      synth.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        AlarmName: `cf403-${id}-4xxErrorRate`,
        Namespace: 'AWS/CloudFront',
        MetricName: '4xxErrorRate',
        Dimensions: [
          { Name: 'DistributionId', Value: id },
          { Name: 'Region', Value: 'Global' },
        ],
        Statistic: 'Average',
        Period: 60,
        Threshold: 5,
        EvaluationPeriods: 5,
        DatapointsToAlarm: 3,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      });
    }
  });

  it('passes plan-only to every step', () => {
    const functions = synth.template.findResources('AWS::Lambda::Function');
    for (const step of STEPS) {
      const fn = functions[logicalId(synth.stack.remediation.functions[step])];
      expect(fn?.Properties.Environment.Variables.CF403_PLAN_ONLY, step).toBe('true');
    }
  });

  it('uses the approval timeout for the approval task, the aws:approve step, the execution and the lock', () => {
    const { definition } = resolveDefinition(synth.template);
    expect(definition.States.RequestApproval?.TimeoutSeconds).toBe(3600);
    expect(definition.TimeoutSeconds).toBe(3600 + 7200);
    const [document] = Object.values(synth.template.findResources('AWS::SSM::Document'));
    expect(document?.Properties.Content.mainSteps[0].timeoutSeconds).toBe(3600);
    const lockFn =
      synth.template.findResources('AWS::Lambda::Function')[
        logicalId(synth.stack.remediation.functions.lock)
      ];
    expect(lockFn?.Properties.Environment.Variables.CF403_LOCK_SECONDS).toBe(String(3600 + 7200));
  });

  it('asks the configured approvers, with their minimum, and creates no approver role', () => {
    expect(synth.stack.remediation.approverRole).toBeUndefined();
    // Every role left is a service role: none is assumable by people of the account.
    const assumableByPrincipals = Object.values(synth.template.findResources('AWS::IAM::Role')).filter((r) =>
      JSON.stringify(r.Properties.AssumeRolePolicyDocument).includes('"AWS":'),
    );
    expect(assumableByPrincipals).toEqual([]);
    const [document] = Object.values(synth.template.findResources('AWS::SSM::Document'));
    expect(document?.Properties.Content.parameters.Approvers.default).toEqual(APPROVERS);
    expect(document?.Properties.Content.parameters.MinRequiredApprovals.default).toBe(2);
    const functions = synth.template.findResources('AWS::Lambda::Function');
    for (const step of STEPS) {
      const variables =
        functions[logicalId(synth.stack.remediation.functions[step])]?.Properties.Environment.Variables;
      expect(variables, step).toMatchObject({
        CF403_APPROVERS: APPROVERS.join(','),
        CF403_MIN_APPROVALS: '2',
        CF403_APPROVAL_RISKS: 'safe,destructive',
      });
    }
    // The policy approvers can attach is still there; the role output is not.
    synth.template.resourceCountIs('AWS::IAM::ManagedPolicy', 1);
    expect(Object.keys(synth.template.findOutputs('*'))).not.toContain('ApproverRoleArn');
  });

  it('subscribes the notification email to the topic', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(synth.stack.remediation.topic) },
    });
  });
});

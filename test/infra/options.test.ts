// The stack configured through context: alarm name prefix, watched distributions, plan-only, approval timeout.
import { beforeAll, describe, expect, it } from 'vitest';
import { STEPS } from '../../lib/workflow/steps.ts';
import { logicalId, resolveDefinition, type Synthesized, synthesize } from './support.ts';

const DISTRIBUTIONS = ['E2QWRUHEXAMPLE', 'E3OACEXAMPLE'];

let synth: Synthesized;
beforeAll(() => {
  // Context values as the CLI passes them (`-c key=value` gives strings).
  synth = synthesize({
    'cf403:alarmNamePrefix': 'cf403-',
    'cf403:approvalTimeout': '3600',
    'cf403:planOnly': 'true',
    'cf403:distributionIds': DISTRIBUTIONS.join(','),
    'cf403:notificationEmail': 'ops@example.com',
    'cf403:approverArns': 'arn:aws:iam::123456789012:role/Approver',
  });
});

describe('configured stack', () => {
  it('parses the context once into typed settings', () => {
    expect(synth.stack.settings).toMatchObject({
      alarmNamePrefix: 'cf403-',
      planOnly: true,
      distributionIds: DISTRIBUTIONS,
      notificationEmail: 'ops@example.com',
      approverArns: ['arn:aws:iam::123456789012:role/Approver'],
    });
    expect(synth.stack.settings.approvalTimeout.toSeconds()).toBe(3600);
  });

  it('only reacts to alarms whose name has the prefix', () => {
    const [rule] = Object.values(synth.template.findResources('AWS::Events::Rule'));
    expect(rule?.Properties.EventPattern.detail).toEqual({
      alarmName: [{ prefix: 'cf403-' }],
      state: { value: ['ALARM'] },
      configuration: {
        metrics: { metricStat: { metric: { namespace: ['AWS/CloudFront'], name: ['4xxErrorRate'] } } },
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

  it('uses the approval timeout for the approval task and the execution', () => {
    const { definition } = resolveDefinition(synth.template);
    expect(definition.States.RequestApproval?.TimeoutSeconds).toBe(3600);
    expect(definition.TimeoutSeconds).toBe(3600 + 7200);
  });

  it('subscribes the notification email to the topic', () => {
    synth.template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: logicalId(synth.stack.remediation.topic) },
    });
  });
});

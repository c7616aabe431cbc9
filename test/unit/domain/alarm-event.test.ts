import { describe, expect, it } from 'vitest';
import { cloudFront4xxAlarmEvent, parseAlarmEvent } from '../../../functions/domain/alarm-event.ts';
import { InvalidAlarmEventError } from '../../../functions/errors.ts';

describe('parseAlarmEvent', () => {
  it('reads the distribution id of a CloudFront 4xxErrorRate alarm in ALARM', () => {
    const t = parseAlarmEvent(
      cloudFront4xxAlarmEvent({ distributionId: 'E2QWRUHEXAMPLE', account: '111122223333' }),
    );
    expect(t).toMatchObject({ ignored: false, distributionId: 'E2QWRUHEXAMPLE', account: '111122223333' });
  });

  it('ignores an alarm going back to OK', () => {
    const t = parseAlarmEvent(
      cloudFront4xxAlarmEvent({ distributionId: 'E2QWRUHEXAMPLE', account: '111122223333', state: 'OK' }),
    );
    expect(t.ignored).toBe(true);
    expect(t.ignored && t.reason).toContain('OK');
  });

  it('rejects an alarm on another metric, naming it', () => {
    const ev = cloudFront4xxAlarmEvent({ distributionId: 'E2QWRUHEXAMPLE', account: '111122223333' }) as {
      detail: {
        configuration: { metrics: { metricStat: { metric: { namespace: string; name: string } } }[] };
      };
    };
    const metric = ev.detail.configuration.metrics[0]?.metricStat.metric;
    if (!metric) throw new Error('fixture');
    metric.namespace = 'AWS/EC2';
    metric.name = 'CPUUtilization';
    expect(() => parseAlarmEvent(ev)).toThrow(/AWS\/EC2\/CPUUtilization, not AWS\/CloudFront 4xxErrorRate/);
  });

  it.each([
    [null, /the event must be an object/],
    [{ source: 'aws.s3' }, /expected source aws.cloudwatch/],
    [
      { source: 'aws.cloudwatch', 'detail-type': 'CloudWatch Alarm State Change', detail: {} },
      /detail.alarmName/,
    ],
  ])('rejects malformed events with a clear error (%#)', (ev, msg) => {
    expect(() => parseAlarmEvent(ev)).toThrow(InvalidAlarmEventError);
    expect(() => parseAlarmEvent(ev)).toThrow(msg);
  });

  it('rejects a DistributionId that cannot be a distribution', () => {
    const ev = cloudFront4xxAlarmEvent({ distributionId: 'not an id', account: '111122223333' });
    expect(() => parseAlarmEvent(ev)).toThrow(/not a CloudFront distribution id/);
  });

  it('finds the CloudFront metric of a metric-math alarm whose expression comes first', () => {
    const ev = cloudFront4xxAlarmEvent({ distributionId: 'E2QWRUHEXAMPLE', account: '111122223333' }) as {
      detail: { configuration: { metrics: unknown[] } };
    };
    ev.detail.configuration.metrics.unshift({
      id: 'e1',
      expression: 'IF(m2 > 100, m1, 0)',
      label: 'x',
      returnData: true,
    });
    expect(parseAlarmEvent(ev)).toMatchObject({ ignored: false, distributionId: 'E2QWRUHEXAMPLE' });
  });
});

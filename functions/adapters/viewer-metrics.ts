// The viewers' side of a distribution in CloudWatch (us-east-1): its error-rate metrics and the alarm that
// started the workflow. Every list call pages to the end (GetMetricData and DescribeAlarms: NextToken).
import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricDataCommand,
  type MetricAlarm,
} from '@aws-sdk/client-cloudwatch';
import type { AlarmView, Datapoint, ViewerEvidence } from '../domain/verification.ts';
import { awsCall } from './aws-call.ts';

/** The alarm's threshold when the alarm cannot be read: the one the construct's alarms use (lib/...). */
export const DEFAULT_THRESHOLD = 5;

export class ViewerMetricsReader {
  constructor(private readonly cloudwatch: CloudWatchClient) {}

  /** One-minute averages of a CloudFront metric of the distribution, oldest first. */
  async datapoints(distributionId: string, metric: string, from: Date, to: Date): Promise<Datapoint[]> {
    const points: Datapoint[] = [];
    let token: string | undefined;
    do {
      const out = await awsCall(`GetMetricData ${metric} ${distributionId}`, () =>
        this.cloudwatch.send(
          new GetMetricDataCommand({
            StartTime: from,
            EndTime: to,
            ScanBy: 'TimestampAscending',
            NextToken: token,
            MetricDataQueries: [
              {
                Id: 'm',
                MetricStat: {
                  // CloudFront metrics: namespace AWS/CloudFront, dimensions DistributionId and Region=Global
                  Metric: {
                    Namespace: 'AWS/CloudFront',
                    MetricName: metric,
                    Dimensions: [
                      { Name: 'DistributionId', Value: distributionId },
                      { Name: 'Region', Value: 'Global' },
                    ],
                  },
                  Period: 60,
                  Stat: 'Average',
                },
              },
            ],
          }),
        ),
      );
      for (const r of out.MetricDataResults ?? []) {
        (r.Timestamps ?? []).forEach((t, i) => {
          const value = r.Values?.[i];
          if (value !== undefined) points.push({ at: t.toISOString(), value });
        });
      }
      token = out.NextToken;
    } while (token);
    return points.sort((a, b) => a.at.localeCompare(b.at));
  }

  async alarm(name: string): Promise<AlarmView | undefined> {
    let token: string | undefined;
    do {
      const out = await awsCall(`DescribeAlarms ${name}`, () =>
        this.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name], NextToken: token })),
      );
      const found = (out.MetricAlarms ?? []).find((a: MetricAlarm) => a.AlarmName === name);
      if (found) {
        return {
          name,
          metric: found.MetricName ?? '4xxErrorRate',
          threshold: found.Threshold ?? DEFAULT_THRESHOLD,
          comparison: found.ComparisonOperator ?? 'GreaterThanOrEqualToThreshold',
          state: found.StateValue ?? 'INSUFFICIENT_DATA',
          ...(found.StateUpdatedTimestamp ? { since: found.StateUpdatedTimestamp.toISOString() } : {}),
        };
      }
      token = out.NextToken;
    } while (token);
    return undefined;
  }

  /**
   * What the viewers see since `since`: 403ErrorRate when CloudFront's additional metrics publish it, else
   * 4xxErrorRate (a default metric), against the alarm's threshold.
   */
  async evidence(
    distributionId: string,
    alarmName: string | undefined,
    since: Date,
    now: Date,
  ): Promise<ViewerEvidence> {
    const from = new Date(since.getTime() - 10 * 60_000);
    const alarm = alarmName ? await this.alarm(alarmName).catch(() => undefined) : undefined;
    const rate403 = await this.datapoints(distributionId, '403ErrorRate', from, now);
    const metric = rate403.length > 0 ? '403ErrorRate' : '4xxErrorRate';
    const datapoints =
      rate403.length > 0 ? rate403 : await this.datapoints(distributionId, '4xxErrorRate', from, now);
    return {
      metric,
      threshold: alarm?.threshold ?? DEFAULT_THRESHOLD,
      datapoints,
      ...(alarm ? { alarm } : {}),
    };
  }
}

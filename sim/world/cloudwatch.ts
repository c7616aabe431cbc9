// CloudWatch as the viewers see the distribution (issue 10): its error-rate metrics and the alarm on them.
// The rates come from the viewers themselves: the scenario's `requests` sent through the edge model against
// the account as it is at each moment, scaled by `metrics.failingShare`. CloudFront publishes one-minute
// metrics in us-east-1; 4xxErrorRate is a default metric, 403ErrorRate needs additional metrics turned on
// (CloudFront Developer Guide, "Types of metrics for distributions"). A minute's datapoint is available once
// the minute has ended (a simulation assumption).
import type {
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  GetMetricDataCommandInput,
  GetMetricDataCommandOutput,
  MetricAlarm,
  MetricDataResult,
} from '@aws-sdk/client-cloudwatch';
import { respond } from '../edge/index.ts';
import type { Scenario } from '../scenario/types.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

const MINUTE = 60_000;

interface Sample {
  at: number;
  rate4xx: number;
  rate403: number;
}

/** The viewers' error rates over simulated time: a step function that changes when the account does. */
export class ViewerMetrics {
  private readonly samples: Sample[] = [];
  private observing = false;

  constructor(
    private readonly world: World,
    private readonly sc: Scenario,
  ) {}

  get requestsPerMinute(): number {
    return this.sc.metrics?.requestsPerMinute ?? 600;
  }

  get additionalMetrics(): boolean {
    return this.sc.metrics?.additionalMetrics === true;
  }

  /** The account changed: record what the viewers get from now on, once anyone reads the metrics. */
  changed(): void {
    if (this.observing) this.record();
  }

  /** Starts recording (the first read of a metric or an alarm). */
  observe(): void {
    if (this.observing) return;
    this.observing = true;
    this.record();
  }

  private record(): void {
    const share = this.sc.metrics?.failingShare ?? 1;
    const viewers = this.sc.requests;
    let e4xx = 0;
    let e403 = 0;
    for (const r of viewers) {
      const res = respond(this.world.edge, {
        url: r.url,
        method: r.method,
        headers: r.headers,
        country: r.country ?? 'US',
        clientIp: r.clientIp ?? '198.51.100.1',
      });
      if (res.status >= 400 && res.status < 500) e4xx++;
      if (res.status === 403) e403++;
    }
    const n = Math.max(1, viewers.length);
    const sample = {
      at: this.world.now(),
      rate4xx: (100 * share * e4xx) / n,
      rate403: (100 * share * e403) / n,
    };
    const last = this.samples[this.samples.length - 1];
    if (last && last.at === sample.at) this.samples[this.samples.length - 1] = sample;
    else this.samples.push(sample);
  }

  /**
   * The rate in effect at `t`. Before recording started, the scenario's `requests` are the failing traffic
   * that set the alarm off: every one of them fails.
   */
  private rateAt(t: number, metric: 'rate4xx' | 'rate403'): number {
    let value = 100 * (this.sc.metrics?.failingShare ?? 1);
    for (const s of this.samples) {
      if (s.at > t) break;
      value = s[metric];
    }
    return value;
  }

  /** Time-weighted average over [from, from + periodMs): what CloudWatch's Average of a rate shows. */
  average(metric: 'rate4xx' | 'rate403', from: number, periodMs: number): number {
    const to = from + periodMs;
    const cuts = [from, ...this.samples.map((s) => s.at).filter((at) => at > from && at < to), to];
    let sum = 0;
    for (let i = 0; i + 1 < cuts.length; i++) {
      const a = cuts[i] ?? from;
      const b = cuts[i + 1] ?? to;
      sum += this.rateAt(a, metric) * (b - a);
    }
    return sum / periodMs;
  }
}

const METRICS: Record<string, 'rate4xx' | 'rate403' | 'zero' | 'requests'> = {
  '4xxErrorRate': 'rate4xx',
  TotalErrorRate: 'rate4xx',
  '403ErrorRate': 'rate403',
  '5xxErrorRate': 'zero',
  Requests: 'requests',
};
const ADDITIONAL = new Set(['403ErrorRate']);

function distributionOf(dimensions: { Name?: string; Value?: string }[] | undefined): string | undefined {
  return dimensions?.find((d) => d.Name === 'DistributionId')?.Value;
}

/** The alarms of the scenario, and the one its alarm event names when the scenario lists none. */
export function alarmsOf(sc: Scenario): MetricAlarm[] {
  const listed = sc.cloudwatch?.alarms ?? [];
  const detail = (sc.alarmEvent?.detail ?? {}) as {
    alarmName?: string;
    configuration?: {
      metrics?: { metricStat?: { metric?: { name?: string; dimensions?: Record<string, string> } } }[];
    };
  };
  const first = sc.cloudfront.distributions[0]?.Id ?? '';
  const name = typeof detail.alarmName === 'string' ? detail.alarmName : `cf403-${first}-4xx`;
  if (listed.some((a) => a.AlarmName === name)) return listed;
  const metric = detail.configuration?.metrics?.find((m) => m.metricStat?.metric)?.metricStat?.metric;
  const dims = metric?.dimensions ?? { DistributionId: first, Region: 'Global' };
  // as lib/cloudfront-403-remediation.ts creates it: 5 %, 3 of 5 one-minute periods
  return [
    ...listed,
    {
      AlarmName: name,
      Namespace: 'AWS/CloudFront',
      MetricName: metric?.name ?? '4xxErrorRate',
      Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })),
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 5,
      DatapointsToAlarm: 3,
      Threshold: 5,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    },
  ];
}

function breaches(value: number, alarm: MetricAlarm): boolean {
  const t = alarm.Threshold ?? 0;
  switch (alarm.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return value > t;
    case 'LessThanThreshold':
      return value < t;
    case 'LessThanOrEqualToThreshold':
      return value <= t;
    default:
      return value >= t;
  }
}

export function cloudWatchHandlers(world: World): Handlers {
  const metrics = () => world.viewerMetrics;

  /** Complete periods in [start, end), newest first, with their value; none without traffic. */
  const series = (
    metricName: string,
    distributionId: string | undefined,
    periodS: number,
    start: number,
    end: number,
  ) => {
    const m = metrics();
    const kind = METRICS[metricName];
    const known = world.distributionIds().includes(distributionId ?? '');
    if (!m || kind === undefined || !known || m.requestsPerMinute <= 0) return [];
    if (ADDITIONAL.has(metricName) && !m.additionalMetrics) return [];
    m.observe();
    const period = Math.max(60, periodS) * 1000;
    const out: { at: number; value: number }[] = [];
    const last = Math.min(end, world.now());
    for (let at = Math.floor(start / period) * period; at + period <= last; at += period) {
      if (at < start) continue;
      const value =
        kind === 'zero'
          ? 0
          : kind === 'requests'
            ? (m.requestsPerMinute * period) / MINUTE
            : m.average(kind, at, period);
      out.push({ at, value });
    }
    return out.reverse();
  };

  const stateOf = (alarm: MetricAlarm): { value: 'OK' | 'ALARM'; since: number } => {
    const period = (alarm.Period ?? 60) * 1000;
    const evaluation = alarm.EvaluationPeriods ?? 1;
    const needed = alarm.DatapointsToAlarm ?? evaluation;
    const dist = distributionOf(alarm.Dimensions);
    const at = (now: number) => {
      const points = series(alarm.MetricName ?? '', dist, alarm.Period ?? 60, now - evaluation * period, now);
      return points.filter((p) => breaches(p.value, alarm)).length >= needed ? 'ALARM' : 'OK';
    };
    const now = world.now();
    const value = at(now);
    let since = now;
    for (let t = now - period; t > now - 60 * period && at(t) === value; t -= period) since = t;
    return { value, since };
  };

  return {
    GetMetricData: handler<GetMetricDataCommandInput, Out<GetMetricDataCommandOutput>>((input) => {
      const start = input.StartTime?.getTime() ?? world.now() - 3 * 3_600_000;
      const end = input.EndTime?.getTime() ?? world.now();
      const ascending = input.ScanBy === 'TimestampAscending';
      const results: MetricDataResult[] = (input.MetricDataQueries ?? [])
        .filter((q) => q.ReturnData !== false)
        .map((q) => {
          const stat = q.MetricStat;
          const points = stat?.Metric
            ? series(
                stat.Metric.MetricName ?? '',
                distributionOf(stat.Metric.Dimensions),
                stat.Period ?? 60,
                start,
                end,
              )
            : [];
          const ordered = ascending ? [...points].reverse() : points;
          return {
            Id: q.Id,
            Label: q.Label ?? stat?.Metric?.MetricName,
            Timestamps: ordered.map((p) => new Date(p.at)),
            Values: ordered.map((p) => p.value),
            StatusCode: 'Complete',
          };
        });
      return { MetricDataResults: results, Messages: [] };
    }),

    DescribeAlarms: handler<DescribeAlarmsCommandInput, Out<DescribeAlarmsCommandOutput>>((input) => {
      const all = alarmsOf(world.initialScenario());
      const names = input.AlarmNames;
      const prefix = input.AlarmNamePrefix;
      const picked = all.filter(
        (a) =>
          (names === undefined || names.length === 0 || names.includes(a.AlarmName ?? '')) &&
          (prefix === undefined || (a.AlarmName ?? '').startsWith(prefix)),
      );
      return {
        MetricAlarms: picked.map((a) => {
          const state = stateOf(a);
          return {
            ...structuredClone(a),
            AlarmArn: `arn:aws:cloudwatch:us-east-1:${world.account}:alarm:${a.AlarmName}`,
            StateValue: state.value,
            StateReason:
              state.value === 'ALARM'
                ? 'Threshold Crossed'
                : 'Threshold Crossed: no datapoints were breaching',
            StateUpdatedTimestamp: new Date(state.since),
          };
        }),
        CompositeAlarms: [],
      };
    }),
  };
}

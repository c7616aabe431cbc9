// The EventBridge event a CloudWatch alarm sends when it changes state.
import { InvalidAlarmEventError } from '../errors.ts';

/**
 * CloudFront metrics whose alarms start the workflow. `4xxErrorRate` and `TotalErrorRate` are default
 * metrics, `403ErrorRate` an additional one (CloudFront Developer Guide, "Types of metrics for
 * CloudFront"); a metric-math alarm over any of them lists them beside its expression.
 */
export const ERROR_RATE_METRICS: readonly string[] = ['4xxErrorRate', '403ErrorRate', 'TotalErrorRate'];

export type AlarmTrigger =
  | { ignored: true; reason: string; alarmName?: string }
  | {
      ignored: false;
      distributionId: string;
      alarmName: string;
      account: string;
      region: string;
      time: string;
    };

function obj(v: unknown, path: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new InvalidAlarmEventError(`alarm event: ${path} must be an object`);
  }
  return v as Record<string, unknown>;
}

function str(v: unknown, path: string): string {
  if (typeof v !== 'string' || v.length === 0)
    throw new InvalidAlarmEventError(`alarm event: ${path} must be a non-empty string`);
  return v;
}

export function parseAlarmEvent(input: unknown): AlarmTrigger {
  const ev = obj(input, 'the event');
  if (ev.source !== 'aws.cloudwatch' || ev['detail-type'] !== 'CloudWatch Alarm State Change') {
    throw new InvalidAlarmEventError(
      `alarm event: expected source aws.cloudwatch and detail-type 'CloudWatch Alarm State Change', got ${JSON.stringify(ev.source)} / ${JSON.stringify(ev['detail-type'])}`,
    );
  }
  const detail = obj(ev.detail, 'detail');
  const alarmName = str(detail.alarmName, 'detail.alarmName');
  const state = str(obj(detail.state, 'detail.state').value, 'detail.state.value');
  if (state !== 'ALARM')
    return { ignored: true, reason: `alarm ${alarmName} is in state ${state}, not ALARM`, alarmName };
  const metrics = obj(detail.configuration, 'detail.configuration').metrics;
  if (!Array.isArray(metrics) || metrics.length === 0) {
    throw new InvalidAlarmEventError('alarm event: detail.configuration.metrics must be a non-empty array');
  }
  for (const [i, m] of metrics.entries()) {
    const entry = obj(m, `metrics[${i}]`);
    // A metric-math alarm lists its expressions ({ id, expression, label }) beside the metrics they read.
    if (entry.metricStat === undefined && typeof entry.expression === 'string') continue;
    const metric = obj(
      obj(entry.metricStat, `metrics[${i}].metricStat`).metric,
      `metrics[${i}].metricStat.metric`,
    );
    if (metric.namespace !== 'AWS/CloudFront' || !ERROR_RATE_METRICS.includes(String(metric.name))) continue;
    const dims = obj(metric.dimensions, `metrics[${i}].metricStat.metric.dimensions`);
    const distributionId = str(
      dims.DistributionId,
      `metrics[${i}].metricStat.metric.dimensions.DistributionId`,
    );
    if (!/^[A-Z0-9]{6,20}$/.test(distributionId)) {
      throw new InvalidAlarmEventError(
        `alarm event: DistributionId '${distributionId}' is not a CloudFront distribution id`,
      );
    }
    return {
      ignored: false,
      distributionId,
      alarmName,
      account: str(ev.account, 'account'),
      region: typeof ev.region === 'string' ? ev.region : 'us-east-1',
      time: typeof ev.time === 'string' ? ev.time : new Date(0).toISOString(),
    };
  }
  const seen = metrics
    .map((m) => {
      const metric = (m as { metricStat?: { metric?: { namespace?: unknown; name?: unknown } } }).metricStat
        ?.metric;
      return `${String(metric?.namespace)}/${String(metric?.name)}`;
    })
    .join(', ');
  throw new InvalidAlarmEventError(
    `alarm event: the alarm watches ${seen}, not AWS/CloudFront ${ERROR_RATE_METRICS.join(' / ')}`,
  );
}

/** The event CloudWatch sends for an error-rate alarm on a distribution (used by the simulator and tests). */
export function cloudFront4xxAlarmEvent(opts: {
  distributionId: string;
  account: string;
  region?: string;
  state?: string;
  alarmName?: string;
  /** one of ERROR_RATE_METRICS; 4xxErrorRate by default */
  metricName?: string;
}): Record<string, unknown> {
  const region = opts.region ?? 'us-east-1';
  const alarmName = opts.alarmName ?? `cf403-${opts.distributionId}-4xx`;
  return {
    version: '0',
    id: '7bd8b1e1-0000-4000-8000-000000000001',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: opts.account,
    time: '2026-11-28T00:00:00Z',
    region,
    resources: [`arn:aws:cloudwatch:${region}:${opts.account}:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: {
        value: opts.state ?? 'ALARM',
        reason: 'Threshold Crossed',
        timestamp: '2026-11-28T00:00:00.000+0000',
      },
      previousState: {
        value: 'OK',
        reason: 'Threshold not crossed',
        timestamp: '2026-11-27T23:50:00.000+0000',
      },
      configuration: {
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: 'AWS/CloudFront',
                name: opts.metricName ?? '4xxErrorRate',
                dimensions: { DistributionId: opts.distributionId, Region: 'Global' },
              },
              period: 60,
              stat: 'Average',
            },
            returnData: true,
          },
        ],
      },
    },
  };
}

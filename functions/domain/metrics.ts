// What the workflow measures about itself (issue 14, operational visibility), as plain data: the adapter
// (functions/adapters/metrics.ts) turns these into CloudWatch EMF lines, the simulator records them.

/** CloudWatch metric namespace and the `service` dimension every metric carries. */
export const METRICS_NAMESPACE = 'cf403';
export const METRICS_SERVICE = 'cf403';

/** The metric names, shared with the dashboard (lib/constructs/dashboard.ts). */
export const METRIC = {
  /** one per finished execution, dimension `outcome` */
  remediations: 'Remediations',
  /** one per diagnosed cause of a finished execution, dimension `cause` */
  remediationsByCause: 'RemediationsByCause',
  /** alarm state change to a REMEDIATED (verified) notify, in seconds */
  timeToVerified: 'TimeToVerified',
  /** an approval was requested (request-approval) */
  approvalsRequested: 'ApprovalsRequested',
  /** an approval was closed: its decision relayed, or cancelled by the sweep */
  approvalsClosed: 'ApprovalsClosed',
  /** approvals still waiting for people, as the sweep counts them on each run (a gauge) */
  approvalsWaiting: 'ApprovalsWaiting',
} as const;

export type MetricName = (typeof METRIC)[keyof typeof METRIC];
export type MetricUnitName = 'Count' | 'Seconds';

export interface MetricPoint {
  readonly name: MetricName;
  readonly unit: MetricUnitName;
  readonly value: number;
  /** dimensions besides `service` (which every point carries) */
  readonly dimensions?: Readonly<Record<string, string>>;
}

export interface OutcomeFacts {
  readonly outcome: string;
  /** cause ids of the diagnosis (none when the execution ended before classifying) */
  readonly causes: readonly string[];
  /** the alarm event's `time` (ISO 8601), when known */
  readonly alarmTime?: string | undefined;
  readonly endedAt: Date;
}

/** The points one finished execution emits; the duration only for a REMEDIATED outcome with a valid alarm time. */
export function outcomeMetrics(facts: OutcomeFacts): MetricPoint[] {
  const points: MetricPoint[] = [
    { name: METRIC.remediations, unit: 'Count', value: 1, dimensions: { outcome: facts.outcome } },
    ...[...new Set(facts.causes)].map(
      (cause): MetricPoint => ({
        name: METRIC.remediationsByCause,
        unit: 'Count',
        value: 1,
        dimensions: { cause },
      }),
    ),
  ];
  const alarmAt = facts.alarmTime === undefined ? Number.NaN : Date.parse(facts.alarmTime);
  if (facts.outcome === 'REMEDIATED' && Number.isFinite(alarmAt) && alarmAt > 0) {
    const seconds = Math.max(0, (facts.endedAt.getTime() - alarmAt) / 1000);
    points.push({ name: METRIC.timeToVerified, unit: 'Seconds', value: seconds });
  }
  return points;
}

/** The cause ids of a diagnosis as it sits in the workflow's state (`$.diagnosis.causes[].id`). */
export function causeIds(diagnosis: unknown): string[] {
  const causes = (diagnosis as { causes?: unknown } | undefined)?.causes;
  if (!Array.isArray(causes)) return [];
  return causes
    .map((c) => (c as { id?: unknown } | null)?.id)
    .filter((id): id is string => typeof id === 'string' && id.length > 0);
}

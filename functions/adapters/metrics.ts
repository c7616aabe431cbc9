// The metrics port: steps record MetricPoints; in Lambda they leave as CloudWatch Embedded Metric Format on
// stdout (Powertools Metrics), which CloudWatch Logs turns into metrics without any IAM grant
// (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format.html).
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { METRICS_NAMESPACE, METRICS_SERVICE, type MetricPoint } from '../domain/metrics.ts';

export interface MetricsPort {
  record(point: MetricPoint): void;
  /** writes what is buffered; called once at the end of every invocation */
  flush(): void;
}

const UNITS = { Count: MetricUnit.Count, Seconds: MetricUnit.Seconds } as const;

/** Powertools Metrics: namespace `cf403`, dimension `service` on every point (its serviceName). */
export class PowertoolsMetrics implements MetricsPort {
  private readonly metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });
  private buffered = false;

  record(point: MetricPoint): void {
    const dimensions = Object.entries(point.dimensions ?? {});
    if (dimensions.length === 0) {
      this.metrics.addMetric(point.name, UNITS[point.unit], point.value);
      this.buffered = true;
      return;
    }
    // One EMF line per dimensioned point: a buffer shares one dimension set, and `cause` differs per point.
    const single = this.metrics.singleMetric();
    for (const [name, value] of dimensions) single.addDimension(name, value);
    single.addMetric(point.name, UNITS[point.unit], point.value);
  }

  flush(): void {
    // Powertools warns on an empty flush; most steps record nothing.
    if (!this.buffered) return;
    this.metrics.publishStoredMetrics();
    this.buffered = false;
  }
}

/** Keeps every point in memory (the simulator and tests): nothing is printed. */
export class RecordingMetrics implements MetricsPort {
  readonly points: MetricPoint[] = [];
  flushes = 0;

  record(point: MetricPoint): void {
    this.points.push(point);
  }

  flush(): void {
    this.flushes++;
  }
}

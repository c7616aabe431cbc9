// The operator's view (issue 14): what the workflow did (outcomes, causes, time from alarm to verified,
// approvals waiting) from the EMF metrics the steps emit (functions/domain/metrics.ts), and how it ran (the
// state machine's executions, the step functions' errors). Added to the given scope, like the other parts.
import { Duration } from 'aws-cdk-lib';
import {
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  Stats,
  TextWidget,
} from 'aws-cdk-lib/aws-cloudwatch';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { METRIC, METRICS_NAMESPACE, METRICS_SERVICE } from '../../functions/domain/metrics.ts';
import { STEPS, type StepName } from '../workflow/steps.ts';

const PERIOD = Duration.hours(1);
const SERVICE = { service: METRICS_SERVICE };

function workflowMetric(metricName: string, statistic: string, label: string): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: SERVICE,
    statistic,
    period: PERIOD,
    label,
  });
}

/**
 * One line per value of `dimension` (an outcome, a cause): a SEARCH expression, since the values are only known
 * as the workflow meets them (CloudWatch User Guide, "CloudWatch search expression syntax").
 */
function perDimension(metricName: string, dimension: string, label: string): IMetric {
  return new MathExpression({
    expression: `SEARCH('{${METRICS_NAMESPACE},service,${dimension}} MetricName="${metricName}" service="${METRICS_SERVICE}"', 'Sum', ${PERIOD.toSeconds()})`,
    label,
    period: PERIOD,
    usingMetrics: {},
  });
}

export function createDashboard(
  scope: Construct,
  stateMachine: IStateMachine,
  functions: Readonly<Record<StepName, IFunction>>,
): Dashboard {
  const dashboard = new Dashboard(scope, 'Dashboard', { defaultInterval: Duration.days(7) });
  dashboard.addWidgets(
    new TextWidget({
      markdown: `# cf403: CloudFront 403 remediation\nMetrics in namespace \`${METRICS_NAMESPACE}\` (EMF from the steps' logs), hourly.`,
      width: 24,
      height: 2,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Remediations by outcome',
      left: [perDimension(METRIC.remediations, 'outcome', 'outcome')],
      stacked: true,
      width: 12,
    }),
    new GraphWidget({
      title: 'Remediations by cause',
      left: [perDimension(METRIC.remediationsByCause, 'cause', 'cause')],
      stacked: true,
      width: 12,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Time from alarm to verified (seconds)',
      left: [
        workflowMetric(METRIC.timeToVerified, Stats.percentile(50), 'p50'),
        workflowMetric(METRIC.timeToVerified, Stats.percentile(90), 'p90'),
        workflowMetric(METRIC.timeToVerified, Stats.MAXIMUM, 'max'),
      ],
      width: 12,
    }),
    new GraphWidget({
      title: 'Approvals',
      left: [
        workflowMetric(METRIC.approvalsRequested, Stats.SUM, 'requested'),
        workflowMetric(METRIC.approvalsClosed, Stats.SUM, 'closed'),
      ],
      // the sweep counts the approvals still waiting on each run
      right: [workflowMetric(METRIC.approvalsWaiting, Stats.MAXIMUM, 'waiting (sweep)')],
      width: 8,
    }),
    new SingleValueWidget({
      title: 'Approvals waiting',
      metrics: [workflowMetric(METRIC.approvalsWaiting, Stats.MAXIMUM, 'waiting')],
      width: 4,
    }),
  );
  dashboard.addWidgets(
    new GraphWidget({
      title: 'Executions',
      left: [
        stateMachine.metricSucceeded({ period: PERIOD, label: 'succeeded' }),
        stateMachine.metricFailed({ period: PERIOD, label: 'failed' }),
        stateMachine.metricTimedOut({ period: PERIOD, label: 'timed out' }),
      ],
      width: 12,
    }),
    new GraphWidget({
      title: 'Step function errors',
      left: STEPS.map((step) => functions[step].metricErrors({ period: PERIOD, label: step })),
      stacked: true,
      width: 12,
    }),
  );
  return dashboard;
}

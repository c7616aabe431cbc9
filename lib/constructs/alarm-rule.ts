// What starts the work: the EventBridge rule on CloudFront error-rate alarms (with its dead-letter queue), the
// alarms created for the listed distributions, and the sweep's schedule. Resources are added to the given scope
// (the remediation construct itself), so their logical ids stay the same.
import { Duration, Token } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import {
  Alarm,
  ComparisonOperator,
  type IAlarm,
  Metric,
  Stats,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { type EventPattern, type IRule, Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SfnStateMachine } from 'aws-cdk-lib/aws-events-targets';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { type IQueue, Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { IStateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';
import { SWEEP_INTERVAL } from './props.ts';

/**
 * The rule that starts the state machine when a CloudFront error-rate alarm enters ALARM (only alarms named
 * with `prefix` when given), and the queue for events it could not deliver. The pattern follows CloudWatch's
 * sample alarm state change event (CloudWatch User Guide, "Alarm events and EventBridge").
 */
export function createAlarmRule(
  scope: Construct,
  stateMachine: IStateMachine,
  prefix: string | undefined,
): { rule: IRule; deadLetterQueue: IQueue } {
  const deadLetterQueue = new Queue(scope, 'RuleDeadLetterQueue', {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  acknowledge(
    deadLetterQueue,
    'AwsSolutions-SQS3',
    'This queue is the dead-letter queue of the EventBridge rule target; it needs no DLQ of its own.',
  );

  const rule = new Rule(scope, 'AlarmRule', {
    description:
      'Starts the CloudFront 403 remediation when a CloudFront 4xxErrorRate, 403ErrorRate or TotalErrorRate alarm enters ALARM',
    eventPattern: alarmEventPattern(prefix),
    targets: [
      new SfnStateMachine(stateMachine, {
        deadLetterQueue,
        retryAttempts: 4,
        maxEventAge: Duration.hours(2),
      }),
    ],
  });
  return { rule, deadLetterQueue };
}

/**
 * CloudFront error-rate alarms entering ALARM (named with `prefix` when given). It does not name the event's
 * `account`, so a hub's rule also matches the alarm events its members forward (issue 15).
 */
export function alarmEventPattern(prefix: string | undefined): EventPattern {
  // The error-rate metrics the collect step accepts (functions/domain/alarm-event.ts ERROR_RATE_METRICS).
  const metric = {
    namespace: ['AWS/CloudFront'],
    name: ['4xxErrorRate', '403ErrorRate', 'TotalErrorRate'],
  };
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: {
      ...(prefix ? { alarmName: Match.prefix(prefix) } : {}),
      state: { value: ['ALARM'] },
      // EventBridge matches each element of `metrics`, so this is "any metric of the alarm".
      configuration: { metrics: { metricStat: { metric } } },
    },
  };
}

/** Runs the sweep every SWEEP_INTERVAL. */
export function createSweepRule(scope: Construct, sweep: IFunction): IRule {
  return new Rule(scope, 'SweepSchedule', {
    description:
      'Reconciles pending cf403 approvals with Systems Manager and Step Functions (lost events, orphans)',
    schedule: Schedule.rate(SWEEP_INTERVAL),
    // The next run comes soon: a failed one is not retried.
    targets: [new LambdaFunction(sweep, { retryAttempts: 0 })],
  });
}

/** A `4xxErrorRate` alarm on one distribution: 5 %, 3 of 5 one-minute periods (CloudFront metrics: us-east-1). */
export function createAlarm(
  scope: Construct,
  distribution: IDistribution,
  index: number,
  prefix: string | undefined,
): IAlarm {
  const id = distribution.distributionId;
  return new Alarm(scope, Token.isUnresolved(id) ? `Alarm${index}` : `Alarm${id}`, {
    alarmName: `${prefix ?? 'cf403-'}${id}-4xxErrorRate`,
    alarmDescription: `CloudFront 4xx error rate of ${id}; entering ALARM starts the 403 remediation`,
    metric: new Metric({
      namespace: 'AWS/CloudFront',
      metricName: '4xxErrorRate',
      dimensionsMap: { DistributionId: id, Region: 'Global' },
      statistic: Stats.AVERAGE,
      period: Duration.minutes(1),
      region: 'us-east-1',
    }),
    threshold: 5,
    comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
    evaluationPeriods: 5,
    datapointsToAlarm: 3,
    treatMissingData: TreatMissingData.NOT_BREACHING,
  });
}

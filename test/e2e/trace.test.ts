// The report's `trace`: every AWS call, in order, by the step that made it, and never a secret.
import { describe, expect, it } from 'vitest';
import { simulate } from '../../sim/runner/simulate.ts';
import { REDACTED, traceOf } from '../../sim/runner/trace.ts';
import { scenario } from './helpers.ts';

describe('the trace of AWS calls', () => {
  it('lists every call the workflow made, in order, named by step, service and operation', async () => {
    const report = await simulate(scenario('origin-access-missing'), { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.trace).toHaveLength(report.awsCalls);
    const steps = [...new Set(report.trace.map((t) => t.step))];
    // the order the workflow runs its steps in, the operator's signal before the relay that hears it
    expect(steps.slice(0, 5)).toEqual(['collect', 'lock', 'classify', 'plan', 'request-approval']);
    expect(steps).toEqual(expect.arrayContaining(['operator', 'relay', 'apply', 'invalidate', 'notify']));
    expect(steps.indexOf('operator')).toBeLessThan(steps.indexOf('relay'));
    const update = report.trace.find((t) => t.operation === 'UpdateDistribution');
    expect(update).toMatchObject({
      step: 'apply',
      region: 'us-east-1',
      service: 'CloudFront',
      input: { Id: 'E2QWRUHEXAMPLE', IfMatch: expect.any(String) },
    });
    const put = report.trace.find((t) => t.operation === 'PutBucketPolicy');
    expect(put?.service).toBe('S3');
    expect(typeof (put?.input as { Policy?: unknown } | undefined)?.Policy).toBe('string');
    // artifacts are bodies, shown by size
    const artifact = report.trace.find((t) => t.operation === 'PutObject');
    expect((artifact?.input as { Body?: unknown } | undefined)?.Body).toEqual({ bytes: expect.any(Number) });
    // a failed call keeps its error name
    expect(report.trace.find((t) => t.operation === 'GetBucketWebsite')?.error).toBe(
      'NoSuchWebsiteConfiguration',
    );
  });

  it('never shows a task token: not in SendTaskSuccess, the approval record, or anywhere in the report', async () => {
    const report = await simulate(scenario('origin-access-missing'), { decision: 'approve' });
    const text = JSON.stringify(report);
    expect(text).not.toMatch(/sim-task-token/);
    const send = report.trace.find((t) => t.operation === 'SendTaskSuccess');
    // the token by name, and the task's output because the SFN model marks it sensitive
    expect(send?.input).toMatchObject({ taskToken: REDACTED, output: REDACTED });
    const record = report.trace.find(
      (t) => t.operation === 'PutItem' && JSON.stringify(t.input).includes('APPROVAL#'),
    );
    expect((record?.input as { Item?: { taskToken?: unknown } } | undefined)?.Item?.taskToken).toBe(REDACTED);
  });

  it('redacts a known secret wherever it hides, and leaves other values alone', () => {
    const base = { ok: true, at: 0, region: 'us-east-1', sdkService: 'SNS', service: 'sns', api: 'Publish' };
    const trace = traceOf(
      [
        { ...base, step: 'notify', input: { Message: 'token=abc123 leaked', TopicArn: 'arn:t' } },
        { ...base, step: 'notify', input: { Nested: [{ TaskToken: 'x' }] } },
      ],
      ['abc123'],
    );
    expect(trace[0]?.input).toEqual({ Message: REDACTED, TopicArn: 'arn:t' });
    expect(trace[1]?.input).toEqual({ Nested: [{ TaskToken: REDACTED }] });
  });
});

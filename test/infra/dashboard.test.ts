// The CloudWatch dashboard (issue 14): it exists and shows the workflow's EMF metrics, the executions and
// every step's errors.
import { beforeAll, describe, expect, it } from 'vitest';
import { METRIC, METRICS_NAMESPACE } from '../../functions/domain/metrics.ts';
import { STEPS } from '../../lib/workflow/steps.ts';
import { logicalId, type Synthesized, synthesize } from './support.ts';

let synth: Synthesized;
let body: string;

/** The dashboard body with each token shown as `<Ref:id>` / `<GetAtt:id>`. */
function bodyText(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as { 'Fn::Join'?: [string, unknown[]]; Ref?: string; 'Fn::GetAtt'?: [string, string] };
  if (v['Fn::Join']) return v['Fn::Join'][1].map(bodyText).join(v['Fn::Join'][0]);
  if (v.Ref) return `<Ref:${v.Ref}>`;
  if (v['Fn::GetAtt']) return `<GetAtt:${v['Fn::GetAtt'][0]}>`;
  throw new Error(`unexpected token in the dashboard body: ${JSON.stringify(value)}`);
}

beforeAll(() => {
  synth = synthesize();
  const dashboards = Object.values(synth.template.findResources('AWS::CloudWatch::Dashboard'));
  expect(dashboards).toHaveLength(1);
  body = bodyText((dashboards[0] as { Properties: { DashboardBody: unknown } }).Properties.DashboardBody);
});

describe('dashboard', () => {
  it('is one dashboard whose body is valid JSON once its references are filled in', () => {
    const widgets = (JSON.parse(body) as { widgets: { type: string }[] }).widgets;
    expect(widgets.filter((w) => w.type === 'metric').length).toBeGreaterThanOrEqual(6);
  });

  it('names every workflow metric in the cf403 namespace', () => {
    for (const name of Object.values(METRIC)) expect(body).toContain(name);
    expect(body).toContain(`"${METRICS_NAMESPACE}"`);
    // outcomes and causes are searched per dimension value
    expect(body).toContain(`SEARCH('{${METRICS_NAMESPACE},service,outcome} MetricName=\\"Remediations\\"`);
    expect(body).toContain(`{${METRICS_NAMESPACE},service,cause} MetricName=\\"RemediationsByCause\\"`);
  });

  it("shows the state machine's succeeded and failed executions", () => {
    const machine = logicalId(synth.stack.remediation.stateMachine);
    expect(body).toMatch(/"AWS\/States","ExecutionsSucceeded","StateMachineArn","<Ref:[^>]+>"/);
    expect(body).toContain('"ExecutionsFailed"');
    expect(body).toContain(`<Ref:${machine}>`);
  });

  it("shows every step function's errors", () => {
    for (const step of STEPS) {
      const fn = logicalId(synth.stack.remediation.functions[step]);
      expect(body).toContain(`"AWS/Lambda","Errors","FunctionName","<Ref:${fn}>"`);
    }
  });
});

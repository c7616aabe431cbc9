// The scenario fields issue 11 added (docs/scenario-format.md): each refused with the JSON path named.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/validate.ts';

const dir = new URL('../../scenarios/', import.meta.url).pathname;

function raw(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(`${dir}${name}.json`, 'utf-8')) as Record<string, unknown>;
}

function refusal(doc: unknown): string {
  try {
    parseScenario(doc);
  } catch (err) {
    return (err as Error).message;
  }
  return 'accepted';
}

describe('issue 11 scenario fields', () => {
  it('accepts the library scenarios that use them', () => {
    for (const name of ['lambda-url-permission-missing', 'error-response-cached', 'lambda-edge-denied'])
      expect(refusal(raw(name))).toBe('accepted');
  });

  it('names a wrong function URL, auth type or policy', () => {
    const doc = raw('lambda-url-permission-missing') as { lambda: { functions: Record<string, unknown>[] } };
    const fn = doc.lambda.functions[0] as Record<string, unknown>;
    fn.FunctionUrlConfigs = [{ FunctionUrl: 'https://example.com/', AuthType: 'AWS_IAM' }];
    expect(refusal(doc)).toContain('lambda.functions[0].FunctionUrlConfigs[0].FunctionUrl');
    fn.FunctionUrlConfigs = [{ FunctionUrl: 'https://abc123.lambda-url.us-east-1.on.aws/', AuthType: 'IAM' }];
    expect(refusal(doc)).toContain('FunctionUrlConfigs[0].AuthType');
    fn.FunctionUrlConfigs = [];
    fn.Policy = '{not json';
    expect(refusal(doc)).toContain('lambda.functions[0].Policy');
  });

  it('wants cached errors to be errors with an age, and Lambda@Edge answers keyed by function ARN', () => {
    const cached = raw('error-response-cached') as { simulation: { errorCache: Record<string, unknown>[] } };
    (cached.simulation.errorCache[0] as Record<string, unknown>).status = 200;
    expect(refusal(cached)).toContain('simulation.errorCache[0].status: expected an error status');
    const edge = raw('lambda-edge-denied') as { simulation: { lambdaEdge: Record<string, unknown> } };
    edge.simulation.lambdaEdge = { 'not-an-arn': { status: 403 } };
    expect(refusal(edge)).toContain('simulation.lambdaEdge.not-an-arn');
  });
});

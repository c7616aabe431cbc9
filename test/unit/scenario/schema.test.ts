import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CAUSE_IDS } from '../../../functions/domain/types.ts';
import { SCENARIO_SCHEMA_URL, schemaViolation } from '../../../sim/scenario/schema.ts';
import { parseScenario, ScenarioError } from '../../../sim/scenario/validate.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SCHEMA_FILE = fileURLToPath(SCENARIO_SCHEMA_URL);
const schema = JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')) as {
  properties: { expect: { properties: { causes: { items: { enum: string[] } } } } };
};

const repoScenarios = ['test/scenarios', 'sim/demo'].flatMap((dir) =>
  readdirSync(join(ROOT, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => join(dir, f)),
);

type Doc = Record<string, unknown>;
const read = (file: string): Doc => JSON.parse(readFileSync(join(ROOT, file), 'utf8')) as Doc;

function refusal(doc: unknown): ScenarioError {
  try {
    parseScenario(doc);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('the scenario schema', () => {
  it('lists the causes the domain knows, in its order', () => {
    expect(schema.properties.expect.properties.causes.items.enum).toEqual([...CAUSE_IDS]);
  });

  it.each(repoScenarios)('%s names the schema by a relative $schema, first, and conforms', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const doc = JSON.parse(text) as Doc;
    expect(Object.keys(doc)[0]).toBe('$schema');
    expect(resolve(dirname(join(ROOT, file)), String(doc.$schema))).toBe(SCHEMA_FILE);
    expect(schemaViolation(doc)).toBeUndefined();
  });

  it('still loads a scenario without $schema', () => {
    const doc = read('sim/demo/origin-access-missing.json');
    delete doc.$schema;
    expect(parseScenario(doc).name).toBe('origin-access-missing');
  });
});

describe('messages from the schema name the path and what was expected', () => {
  const base = () => read('test/scenarios/healthy-lambda-url-oac.json');
  const cases: [string, (d: Doc) => void, string, RegExp][] = [
    [
      'a nested required field',
      (d) => delete (d.lambda as { functions: Doc[] }).functions[0]?.FunctionArn,
      'lambda.functions[0].FunctionArn',
      /: expected a function ARN, got nothing \(the field is missing\)$/,
    ],
    [
      'an unknown nested field',
      (d) => (((d.lambda as { functions: Doc[] }).functions[0] as Doc).Runtime = 'nodejs22.x'),
      'lambda.functions[0].Runtime',
      /unknown lambda\.functions\[0\]: field\(s\) "Runtime"; expected only FunctionName, FunctionArn/,
    ],
    [
      'a map key that is not an ARN',
      (d) => (d.simulation = { lambdaEdge: { 'not-an-arn': { status: 403 } } }),
      'simulation.lambdaEdge.not-an-arn',
      /expected keys that are Lambda function version ARNs, got "not-an-arn"$/,
    ],
    [
      'a number out of range',
      (d) => (d.metrics = { failingShare: 2 }),
      'metrics.failingShare',
      /expected a number from 0 to 1, got 2$/,
    ],
    [
      'a nullable setting of the wrong type',
      (d) => (d.s3 = { accountPublicAccessBlock: 'none', buckets: [] }),
      's3.accountPublicAccessBlock',
      /expected an object or null, got "none"$/,
    ],
  ];

  it.each(cases)('%s', (_label, edit, path, message) => {
    const doc = base();
    edit(doc);
    const error = refusal(doc);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    expect(error.message).toMatch(message);
  });

  it('asks a WAF rule for an action, and a statement for exactly one type', () => {
    const doc = base();
    const statement = { GeoMatchStatement: { CountryCodes: ['FR'] } };
    doc.wafv2 = {
      webAcls: [
        {
          ARN: 'arn:aws:wafv2:us-east-1:111122223333:global/webacl/site/1',
          Id: '1',
          Name: 'site',
          DefaultAction: { Allow: {} },
          Rules: [{ Name: 'geo', Priority: 0, Statement: statement }],
        },
      ],
    };
    expect(refusal(doc).message).toMatch(
      /^wafv2\.webAcls\[0\]\.Rules\[0\]: expected an Action or OverrideAction/,
    );
    const rule = (doc.wafv2 as { webAcls: { Rules: Doc[] }[] }).webAcls[0]?.Rules[0] as Doc;
    rule.Action = { Block: {} };
    expect(() => parseScenario(doc)).not.toThrow();
    rule.Statement = {
      ...statement,
      ByteMatchStatement: { SearchString: 'x', PositionalConstraint: 'EXACTLY' },
    };
    expect(refusal(doc).message).toMatch(
      /^wafv2\.webAcls\[0\]\.Rules\[0\]\.Statement: expected an object with exactly one statement type/,
    );
  });
});

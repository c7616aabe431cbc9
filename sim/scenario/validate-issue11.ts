// What the scenario schema (schema/scenario.schema.json) cannot say about the fields issue 11 added
// (docs/scenario-format.md, "Issue 11"): a Lambda function's resource policy is JSON text.
import { ScenarioError } from './validate.ts';

type Json = Record<string, unknown>;

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `lambda`: each function's `Policy` (GetPolicy's JSON text, or null) must parse. */
export function lambdaSection(value: unknown, path: string): void {
  const functions = isRecord(value) && Array.isArray(value.functions) ? value.functions : [];
  functions.forEach((item, i) => {
    const p = at(at(at(path, 'functions'), i), 'Policy');
    const policy = isRecord(item) ? item.Policy : null;
    if (typeof policy !== 'string') return;
    try {
      JSON.parse(policy);
    } catch (cause) {
      throw new ScenarioError(
        `${p}: expected a policy JSON string or null, got ${JSON.stringify(policy.slice(0, 60))}`,
        p,
        {
          cause,
        },
      );
    }
  });
}

// Structural checks of a scenario through its JSON Schema (schema/scenario.schema.json, draft-07), so editors
// and the validator read the same rules. Each schema node may carry `x-expected`: what to tell the author.
import { readFileSync } from 'node:fs';
import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';

export const SCENARIO_SCHEMA_URL = new URL('../../schema/scenario.schema.json', import.meta.url);

/** The first violation: the JSON path (as in `cloudfront.distributions[0].ETag`), what was expected, the value. */
export interface SchemaViolation {
  path: string;
  expected: string;
  got: unknown;
  /** set for a field the schema does not know: every unknown key of that object, and the known ones */
  unknownKeys?: { parent: string; keys: string[]; allowed: string[] };
}

type Node = AnySchemaObject & { 'x-expected'?: string };

let compiled: { validate: ValidateFunction; root: Node } | undefined;

function compile(): { validate: ValidateFunction; root: Node } {
  if (compiled) return compiled;
  const root = JSON.parse(readFileSync(SCENARIO_SCHEMA_URL, 'utf8')) as Node;
  // allErrors off: the first violation is reported, as the hand-written checks did; verbose gives parentSchema.
  // optimize off: compiles in about 0.38 s instead of 0.53 s here; a validation takes under 1 ms either way.
  const ajv = new Ajv({ allErrors: false, verbose: true, strict: true, code: { optimize: false } });
  ajv.addKeyword({ keyword: 'x-expected', schemaType: 'string' });
  compiled = { validate: ajv.compile(root), root };
  return compiled;
}

export function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

/** `/cloudfront/distributions/0/Id` → `cloudfront.distributions[0].Id` (JSON Pointer, RFC 6901). */
function pathOf(pointer: string): string {
  if (pointer === '') return '';
  return pointer
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<string>((p, t) => at(p, /^\d+$/.test(t) ? Number(t) : t), '');
}

/** Follows a local `$ref` (`#/definitions/x`, or `#/properties/cloudfront` for a member account's sections). */
function resolve(node: Node | undefined, root: Node): Node | undefined {
  const ref = node?.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return node;
  let at: unknown = root;
  for (const token of ref.slice(2).split('/'))
    at = (at as Record<string, unknown> | undefined)?.[token.replaceAll('~1', '/').replaceAll('~0', '~')];
  return resolve(at as Node | undefined, root);
}

const TYPE_WORDS: Record<string, string> = {
  object: 'an object',
  array: 'an array',
  string: 'a string',
  boolean: 'true or false',
  null: 'null',
  number: 'a number',
  integer: 'an integer',
};

/** What a schema node asks for, in words: its `x-expected`, or said from its keywords. */
function expectedOf(node: Node | undefined, root: Node): string {
  const n = resolve(node, root);
  if (!n) return 'nothing here';
  if (typeof n['x-expected'] === 'string') return n['x-expected'];
  if (Array.isArray(n.enum))
    return `one of ${n.enum.map((v) => (v === null ? 'null' : String(v))).join(' | ')}`;
  const types: string[] = Array.isArray(n.type) ? n.type : typeof n.type === 'string' ? [n.type] : [];
  if (types.length === 1 && (types[0] === 'number' || types[0] === 'integer')) {
    const word = TYPE_WORDS[types[0]] ?? 'a number';
    const { minimum: min, maximum: max } = n as { minimum?: number; maximum?: number };
    if (min !== undefined && max !== undefined) return `${word} from ${min} to ${max}`;
    if (min !== undefined) return `${word} >= ${min}`;
    if (max !== undefined) return `${word} <= ${max}`;
    return word;
  }
  if (types.length === 1 && types[0] === 'string' && n.minLength === 1) return 'a non-empty string';
  if (types.length === 1 && types[0] === 'string' && typeof n.pattern === 'string')
    return `a string matching ${n.pattern}`;
  if (types.length === 1 && types[0] === 'array' && n.minItems === 1) return 'a non-empty array';
  if (types.length > 0) return types.map((t) => TYPE_WORDS[t] ?? t).join(' or ');
  return 'a valid value';
}

function violationOf(error: ErrorObject, root: Node): SchemaViolation {
  const path = pathOf(error.instancePath);
  const parent = error.parentSchema as Node | undefined;
  const params = error.params as Record<string, unknown>;
  if (error.keyword === 'required') {
    const key = String(params.missingProperty);
    const props = parent?.properties as Record<string, Node> | undefined;
    return { path: at(path, key), expected: expectedOf(props?.[key], root), got: undefined };
  }
  if (error.keyword === 'additionalProperties') {
    const data = error.data as Record<string, unknown>;
    const allowed = Object.keys((parent?.properties as Record<string, Node> | undefined) ?? {});
    const keys = Object.keys(data).filter((k) => !allowed.includes(k));
    const first = String(params.additionalProperty);
    return {
      path: at(path, first),
      expected: `only ${allowed.join(', ')}`,
      got: first,
      unknownKeys: { parent: path, keys, allowed },
    };
  }
  if (error.keyword === 'propertyNames') {
    const key = String(params.propertyName);
    return { path: at(path, key), expected: expectedOf(parent?.propertyNames as Node, root), got: key };
  }
  if (error.keyword === 'minProperties' || error.keyword === 'maxProperties') {
    const expected = parent?.['x-expected'] ?? `exactly one field`;
    return { path, expected, got: error.data };
  }
  return { path, expected: expectedOf(parent, root), got: error.data };
}

/** The first structural violation of the scenario schema, or undefined when the document conforms. */
export function schemaViolation(input: unknown): SchemaViolation | undefined {
  const { validate, root } = compile();
  if (validate(input)) return undefined;
  const errors = validate.errors ?? [];
  // With allErrors off the failing keyword is last: an anyOf or propertyNames error follows its branches' errors.
  const error = errors[errors.length - 1];
  return error ? violationOf(error, root) : { path: '', expected: 'a valid scenario', got: input };
}

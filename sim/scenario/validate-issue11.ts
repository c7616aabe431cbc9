// Checks of the scenario fields issue 11 added (docs/scenario-format.md, "Issue 11"): the Lambda functions
// behind function URL origins, cached error responses, and what Lambda@Edge functions answer.
import { ScenarioError } from './validate.ts';

type Json = Record<string, unknown>;

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function fail(path: string, expected: string, got: unknown): never {
  const shown = got === undefined ? 'nothing (the field is missing)' : JSON.stringify(got);
  throw new ScenarioError(`${path}: expected ${expected}, got ${shown}`, path);
}

function obj(value: unknown, path: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'an object', value);
  return value as Json;
}

function arr(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) fail(path, 'an array', value);
  return value;
}

function str(value: unknown, path: string, pattern?: RegExp, what = 'a string'): string {
  if (typeof value !== 'string' || (pattern && !pattern.test(value))) fail(path, what, value);
  return value;
}

function known(o: Json, path: string, keys: readonly string[]): void {
  const unknown = Object.keys(o).filter((k) => !keys.includes(k));
  if (unknown.length > 0)
    throw new ScenarioError(
      `${at(path, unknown[0] ?? '')}: unknown field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected only ${keys.join(', ')}`,
      at(path, unknown[0] ?? ''),
    );
}

function status(value: unknown, path: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 100 || value > 599)
    fail(path, 'an HTTP status 100..599', value);
}

function headers(value: unknown, path: string): void {
  for (const [k, v] of Object.entries(obj(value, path))) str(v, at(path, k));
}

function response(o: Json, path: string): void {
  if (o.headers !== undefined) headers(o.headers, at(path, 'headers'));
  if (o.body !== undefined) str(o.body, at(path, 'body'));
}

const FUNCTION_ARN = /^arn:aws[a-z-]*:lambda:[a-z0-9-]+:\d{12}:function:[A-Za-z0-9-_]+(:[A-Za-z0-9$_-]+)?$/;

/** `lambda`: `{ functions: [...] }`, the shapes of GetFunction, GetPolicy and ListFunctionUrlConfigs. */
export function lambdaSection(value: unknown, path: string): void {
  const section = obj(value, path);
  known(section, path, ['functions']);
  arr(section.functions, at(path, 'functions')).forEach((item, i) => {
    const p = at(at(path, 'functions'), i);
    const f = obj(item, p);
    known(f, p, ['FunctionName', 'FunctionArn', 'Policy', 'FunctionUrlConfigs', 'Response']);
    str(f.FunctionName, at(p, 'FunctionName'), /^[A-Za-z0-9-_]{1,64}$/, 'a function name');
    str(f.FunctionArn, at(p, 'FunctionArn'), FUNCTION_ARN, 'a function ARN');
    if (f.Policy !== null) {
      const text = str(f.Policy, at(p, 'Policy'), undefined, 'a policy JSON string or null');
      try {
        JSON.parse(text);
      } catch {
        fail(at(p, 'Policy'), 'a policy JSON string or null', text.slice(0, 60));
      }
    }
    if (f.FunctionUrlConfigs !== undefined)
      arr(f.FunctionUrlConfigs, at(p, 'FunctionUrlConfigs')).forEach((u, j) => {
        const up = at(at(p, 'FunctionUrlConfigs'), j);
        const url = obj(u, up);
        known(url, up, ['FunctionUrl', 'AuthType', 'FunctionArn']);
        str(
          url.FunctionUrl,
          at(up, 'FunctionUrl'),
          /^https:\/\/[a-z0-9]+\.lambda-url\.[a-z0-9-]+\.on\.aws\/$/,
          'a function URL',
        );
        if (url.AuthType !== 'AWS_IAM' && url.AuthType !== 'NONE')
          fail(at(up, 'AuthType'), 'AWS_IAM | NONE', url.AuthType);
        if (url.FunctionArn !== undefined)
          str(url.FunctionArn, at(up, 'FunctionArn'), FUNCTION_ARN, 'a function ARN');
      });
    if (f.Response !== undefined) {
      const r = obj(f.Response, at(p, 'Response'));
      known(r, at(p, 'Response'), ['status', 'headers', 'body']);
      status(r.status, at(at(p, 'Response'), 'status'));
      response(r, at(p, 'Response'));
    }
  });
}

/** `simulation.errorCache`: error responses in CloudFront's cache when the simulation starts. */
export function errorCache(value: unknown, path: string): void {
  arr(value, path).forEach((item, i) => {
    const p = at(path, i);
    const e = obj(item, p);
    known(e, p, ['distributionId', 'path', 'status', 'headers', 'body', 'ageSeconds']);
    if (e.distributionId !== undefined)
      str(e.distributionId, at(p, 'distributionId'), /^[A-Z0-9]+$/, 'a distribution id');
    str(e.path, at(p, 'path'), /^\//, 'a URI path starting with /');
    status(e.status, at(p, 'status'));
    if (typeof e.status === 'number' && e.status < 400)
      fail(at(p, 'status'), 'an error status (4xx or 5xx)', e.status);
    if (typeof e.ageSeconds !== 'number' || !Number.isFinite(e.ageSeconds) || e.ageSeconds < 0)
      fail(at(p, 'ageSeconds'), 'a number of seconds >= 0', e.ageSeconds);
    response(e, p);
  });
}

/** `simulation.lambdaEdge`: by function version ARN, the response it generates. */
export function lambdaEdge(value: unknown, path: string): void {
  for (const [arn, answer] of Object.entries(obj(value, path))) {
    const p = at(path, arn);
    if (!FUNCTION_ARN.test(arn)) fail(p, 'keys that are Lambda function version ARNs', arn);
    const a = obj(answer, p);
    known(a, p, ['status', 'headers', 'body', 'paths']);
    status(a.status, at(p, 'status'));
    response(a, p);
    if (a.paths !== undefined)
      arr(a.paths, at(p, 'paths')).forEach((x, i) => {
        str(x, at(at(p, 'paths'), i));
      });
  }
}

// Input validation against AWS's published service models, the way AWS's request validation refuses input
// before a service looks at it: required members, lengths, numeric ranges, enums, patterns, and value types.
// The rules come from botocore's models (sim/world/model/constraints.json), never typed by hand.
import type { ServiceName } from '../errors.ts';
import {
  inputShapeName,
  type MemberLocation,
  MODEL_TABLE,
  type ServiceModel,
  type ShapeEntry,
  serviceModel,
} from './table.ts';

export type ConstraintKind = 'required' | 'length' | 'range' | 'enum' | 'pattern' | 'type' | 'quota';

/** A scalar inside a list or map: AWS reports it against the whole collection ("Member must satisfy constraint"). */
export interface CollectionContext {
  /** the collection's path as AWS's validation messages spell it */
  awsPath: string;
  value: unknown;
  /** how AWS's messages introduce the element's constraints */
  kind: 'Member' | 'Map value' | 'Map keys';
  /** every constraint of the element shape, as AWS lists them inside the brackets */
  constraints: string[];
}

export interface ModelViolation {
  /** AWS-style path: `DistributionConfig.Origins.Items[0].Id` */
  path: string;
  /** the constraint in AWS's words: "Member must have length less than or equal to 512" */
  message: string;
  constraint: ConstraintKind;
  /** the path as AWS's validation messages spell it: `distributionConfig.origins.items.1.member.id` */
  awsPath: string;
  /** the offending value (undefined for a missing member) */
  value?: unknown;
  /** the value sits in a shape the model marks sensitive: AWS leaves it out of messages */
  sensitive?: boolean;
  /** where the top-level member travels in the request */
  location?: MemberLocation;
  collection?: CollectionContext;
  /** quota violations: which row of sim/world/model/quotas.ts */
  quota?: string;
}

type Segment = string | number | { key: string };

interface Ctx {
  segs: Segment[];
  out: ModelViolation[];
  location: MemberLocation | undefined;
  sensitive: number;
  collection: CollectionContext | undefined;
}

type Check = (value: unknown, ctx: Ctx) => void;

interface CompiledService {
  shapes: Record<string, ShapeEntry>;
  /**
   * rest-xml and query services carry scalars as text, so a number where the model says string (or the reverse)
   * reaches AWS as the same characters: botocore models CloudFront's MaxItems as a string, the SDK as a number.
   */
  text: boolean;
  checks: Map<string, Check>;
  constraintTexts: Map<string, string[]>;
}

const compiled = new Map<ServiceName, CompiledService>();

function compiledService(service: ServiceName): CompiledService {
  let svc = compiled.get(service);
  if (!svc) {
    const model = serviceModel(service);
    const text = model.protocol !== 'json' && model.protocol !== 'rest-json';
    svc = { shapes: model.shapes, text, checks: new Map(), constraintTexts: new Map() };
    compiled.set(service, svc);
  }
  return svc;
}

function shapeOf(svc: CompiledService, name: string): ShapeEntry {
  const shape = svc.shapes[name];
  if (!shape) throw new Error(`constraints.json: missing shape ${name}`);
  return shape;
}

// ---- paths ----

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

function awsStylePath(segs: readonly Segment[]): string {
  let out = '';
  for (const s of segs) {
    if (typeof s === 'number') out += `[${s}]`;
    else if (typeof s === 'string') out += out === '' ? s : `.${s}`;
    else out += PLAIN_KEY.test(s.key) ? `.${s.key}` : `[${JSON.stringify(s.key)}]`;
  }
  return out;
}

/** AWS's validation messages: member names start lower case, list elements are `.<1-based index>.member`. */
function validationPath(segs: readonly Segment[]): string {
  const parts: string[] = [];
  for (const s of segs) {
    if (typeof s === 'number') parts.push(String(s + 1), 'member');
    else if (typeof s === 'string') parts.push(s.charAt(0).toLowerCase() + s.slice(1));
    else parts.push(s.key);
  }
  return parts.join('.');
}

function report(ctx: Ctx, constraint: ConstraintKind, message: string, value: unknown): void {
  const v: ModelViolation = {
    path: awsStylePath(ctx.segs),
    message,
    constraint,
    awsPath: validationPath(ctx.segs),
  };
  if (value !== undefined) v.value = value;
  if (ctx.sensitive > 0) v.sensitive = true;
  if (ctx.location) v.location = ctx.location;
  if (ctx.collection) v.collection = ctx.collection;
  ctx.out.push(v);
}

// ---- constraint texts (AWS's validation wording) ----

const maxLength = (n: number) => `Member must have length less than or equal to ${n}`;
const minLength = (n: number) => `Member must have length greater than or equal to ${n}`;
const maxValue = (n: number) => `Member must have value less than or equal to ${n}`;
const minValue = (n: number) => `Member must have value greater than or equal to ${n}`;
const patternText = (p: string) => `Member must satisfy regular expression pattern: ${p}`;
const enumText = (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(', ')}]`;

const NUMERIC = new Set(['integer', 'long', 'float', 'double', 'biginteger', 'bigdecimal']);

/** Every constraint of a scalar shape, in the order AWS lists them inside "Member must satisfy constraint: [...]". */
function constraintTexts(svc: CompiledService, name: string): string[] {
  const cached = svc.constraintTexts.get(name);
  if (cached) return cached;
  const s = shapeOf(svc, name);
  const texts: string[] = [];
  const numeric = NUMERIC.has(s.type);
  if (s.max !== undefined) texts.push(numeric ? maxValue(s.max) : maxLength(s.max));
  if (s.min !== undefined) texts.push(numeric ? minValue(s.min) : minLength(s.min));
  if (s.pattern !== undefined) texts.push(patternText(s.pattern));
  if (s.enum) texts.push(enumText(s.enum));
  svc.constraintTexts.set(name, texts);
  return texts;
}

// ---- type sanity ----

// JSON-protocol services answer a wrong JSON type with a SerializationException worded by their JSON parser
// (e.g. "NUMBER_VALUE can not be converted to a String", "Expected list or null", seen from Coral services in
// https://github.com/floci-io/floci/pull/2686); the same words serve as the violation message everywhere.
function tokenOf(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint') return 'NUMBER_VALUE';
  if (value === true) return 'TRUE_VALUE';
  if (value === false) return 'FALSE_VALUE';
  if (typeof value === 'string') return 'STRING_VALUE';
  return 'VALUE';
}

function typeMessage(expected: string, value: unknown): string {
  if (Array.isArray(value) && expected !== 'list') return 'Start of list found where not expected.';
  if (expected === 'list') return 'Expected list or null';
  if (isPlainObject(value) && expected !== 'structure' && expected !== 'map')
    return 'Start of structure or map found where not expected.';
  if (expected === 'structure' || expected === 'map') return 'Expected map or null';
  if (expected === 'timestamp') return 'Timestamp members take a Date (the SDK drops any other value)';
  if (expected === 'blob') return 'Blob members take a Uint8Array, a string or a stream';
  const article = /^[aeiou]/i.test(expected) ? 'an' : 'a';
  return `${tokenOf(value)} can not be converted to ${article} ${expected}`;
}

const TYPE_NAMES: Record<string, string> = {
  string: 'String',
  integer: 'Integer',
  long: 'Long',
  float: 'Float',
  double: 'Double',
  biginteger: 'BigInteger',
  bigdecimal: 'BigDecimal',
  boolean: 'Boolean',
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isStream(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { pipe?: unknown; getReader?: unknown; arrayBuffer?: unknown };
  return (
    typeof v.pipe === 'function' || typeof v.getReader === 'function' || typeof v.arrayBuffer === 'function'
  );
}

// ---- lengths ----

/** Length in Unicode code points, as AWS counts string length (surrogate pairs count once). */
function codePointLength(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** UTF-8 byte length without allocating. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

function checkLength(ctx: Ctx, s: ShapeEntry, length: number, value: unknown): void {
  if (s.max !== undefined && length > s.max) report(ctx, 'length', maxLength(s.max), value);
  if (s.min !== undefined && length < s.min) report(ctx, 'length', minLength(s.min), value);
}

// ---- compiled checks, one per shape, built on first use ----

function checkerFor(svc: CompiledService, name: string): Check {
  const cached = svc.checks.get(name);
  if (cached) return cached;
  const check = compile(svc, name);
  svc.checks.set(name, check);
  return check;
}

function isScalar(s: ShapeEntry): boolean {
  return s.type !== 'structure' && s.type !== 'list' && s.type !== 'map';
}

/** Runs `check` with the sensitive flag raised when the shape is sensitive. */
function guarded(s: ShapeEntry, check: Check): Check {
  if (!s.sensitive) return check;
  return (value, ctx) => {
    ctx.sensitive++;
    try {
      check(value, ctx);
    } finally {
      ctx.sensitive--;
    }
  };
}

function compile(svc: CompiledService, name: string): Check {
  const s = shapeOf(svc, name);
  switch (s.type) {
    case 'structure':
      return guarded(s, compileStructure(svc, s));
    case 'list':
      return guarded(s, compileList(svc, s));
    case 'map':
      return guarded(s, compileMap(svc, s));
    case 'string':
      return guarded(s, compileString(s, svc.text));
    case 'boolean':
      return guarded(s, (value, ctx) => {
        const asText = svc.text && (value === 'true' || value === 'false');
        if (typeof value !== 'boolean' && !asText) report(ctx, 'type', typeMessage('Boolean', value), value);
      });
    case 'timestamp':
      return guarded(s, (value, ctx) => {
        if (!(value instanceof Date) || Number.isNaN(value.getTime()))
          report(ctx, 'type', typeMessage('timestamp', value), value);
      });
    case 'blob':
      return guarded(s, compileBlob(s));
    default:
      return guarded(s, compileNumber(s, svc.text));
  }
}

function compileStructure(svc: CompiledService, s: ShapeEntry): Check {
  const members = s.members ?? {};
  const required = s.required ?? [];
  const locations = s.locations ?? {};
  const payload = s.payload;
  let memberChecks: Map<string, Check> | undefined;
  return (value, ctx) => {
    if (!isPlainObject(value)) {
      report(ctx, 'type', typeMessage('structure', value), value);
      return;
    }
    memberChecks ??= new Map(Object.entries(members).map(([m, shape]) => [m, checkerFor(svc, shape)]));
    const top = ctx.segs.length === 0;
    for (const m of required) {
      const v = value[m];
      if (v === undefined || v === null) {
        ctx.segs.push(m);
        const saved = ctx.location;
        if (top) ctx.location = locations[m] ?? (m === payload ? 'payload' : 'body');
        report(ctx, 'required', 'Member must not be null', undefined);
        ctx.location = saved;
        ctx.segs.pop();
      }
    }
    for (const m in value) {
      const v = value[m];
      if (v === undefined || v === null) continue;
      const check = memberChecks.get(m);
      if (!check) continue; // the SDK drops members its model does not know
      ctx.segs.push(m);
      const saved = ctx.location;
      if (top) ctx.location = locations[m] ?? (m === payload ? 'payload' : 'body');
      check(v, ctx);
      ctx.location = saved;
      ctx.segs.pop();
    }
  };
}

/** Runs an element check; a scalar element reports against its collection, as AWS does. */
function elementRunner(
  svc: CompiledService,
  elementShape: string,
  kind: CollectionContext['kind'],
): (check: Check, element: unknown, collection: unknown, ctx: Ctx, collectionPath: string) => void {
  const scalar = isScalar(shapeOf(svc, elementShape));
  return (check, element, collection, ctx, collectionPath) => {
    if (!scalar) {
      check(element, ctx);
      return;
    }
    const saved = ctx.collection;
    ctx.collection = {
      awsPath: collectionPath,
      value: collection,
      kind,
      constraints: constraintTexts(svc, elementShape),
    };
    check(element, ctx);
    ctx.collection = saved;
  };
}

function compileList(svc: CompiledService, s: ShapeEntry): Check {
  const memberShape = s.member ?? '';
  let memberCheck: Check | undefined;
  const run = elementRunner(svc, memberShape, 'Member');
  return (value, ctx) => {
    if (!Array.isArray(value)) {
      report(ctx, 'type', typeMessage('list', value), value);
      return;
    }
    checkLength(ctx, s, value.length, value);
    memberCheck ??= checkerFor(svc, memberShape);
    const before = ctx.out.length;
    let collectionPath: string | undefined;
    for (let i = 0; i < value.length; i++) {
      const element: unknown = value[i];
      if (element === undefined || element === null) continue;
      collectionPath ??= validationPath(ctx.segs);
      ctx.segs.push(i);
      run(memberCheck, element, value, ctx, collectionPath);
      ctx.segs.pop();
    }
    dedupeCollection(ctx.out, before);
  };
}

function compileMap(svc: CompiledService, s: ShapeEntry): Check {
  const keyShape = s.key ?? '';
  const valueShape = s.value ?? '';
  let keyCheck: Check | undefined;
  let valueCheck: Check | undefined;
  const runKey = elementRunner(svc, keyShape, 'Map keys');
  const runValue = elementRunner(svc, valueShape, 'Map value');
  return (value, ctx) => {
    if (!isPlainObject(value)) {
      report(ctx, 'type', typeMessage('map', value), value);
      return;
    }
    const keys = Object.keys(value);
    checkLength(ctx, s, keys.length, value);
    keyCheck ??= checkerFor(svc, keyShape);
    valueCheck ??= checkerFor(svc, valueShape);
    const before = ctx.out.length;
    const collectionPath = validationPath(ctx.segs);
    for (const k of keys) {
      ctx.segs.push({ key: k });
      runKey(keyCheck, k, value, ctx, collectionPath);
      const v = value[k];
      if (v !== undefined && v !== null) runValue(valueCheck, v, value, ctx, collectionPath);
      ctx.segs.pop();
    }
    dedupeCollection(ctx.out, before);
  };
}

/** AWS reports a collection's failing scalar elements once, against the collection. */
function dedupeCollection(out: ModelViolation[], from: number): void {
  const seen = new Set<string>();
  let write = from;
  for (let read = from; read < out.length; read++) {
    const v = out[read];
    if (!v) continue;
    if (v.collection) {
      const key = `${v.collection.awsPath}\u0000${v.collection.kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
    }
    out[write++] = v;
  }
  out.length = write;
}

function compileString(s: ShapeEntry, text: boolean): Check {
  const enumSet = s.enum ? new Set(s.enum) : undefined;
  const enumMessage = s.enum ? enumText(s.enum) : '';
  const regex = s.regex !== undefined ? new RegExp(s.regex, 'u') : undefined;
  const patternMessage = s.pattern !== undefined ? patternText(s.pattern) : '';
  const min = s.min ?? 0;
  const max = s.max ?? Number.POSITIVE_INFINITY;
  const bounded = s.min !== undefined || s.max !== undefined;
  return (raw, ctx) => {
    const textual = text && ((typeof raw === 'number' && Number.isFinite(raw)) || typeof raw === 'boolean');
    if (typeof raw !== 'string' && !textual) {
      report(ctx, 'type', typeMessage('String', raw), raw);
      return;
    }
    const value = String(raw);
    if (bounded) {
      // UTF-16 length bounds the code point count from both sides: count only when it could matter
      const n = value.length;
      if (n > max || Math.ceil(n / 2) < min) checkLength(ctx, s, codePointLength(value), value);
    }
    if (regex && !regex.test(value)) report(ctx, 'pattern', patternMessage, value);
    if (enumSet && !enumSet.has(value)) report(ctx, 'enum', enumMessage, value);
  };
}

const INTEGER_TEXT = /^-?\d+$/;
const NUMBER_TEXT = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;

function compileNumber(s: ShapeEntry, text: boolean): Check {
  const integral = s.type === 'integer' || s.type === 'long' || s.type === 'biginteger';
  const typeName = TYPE_NAMES[s.type] ?? 'Number';
  const numericText = integral ? INTEGER_TEXT : NUMBER_TEXT;
  return (raw, ctx) => {
    const value = text && typeof raw === 'string' && numericText.test(raw) ? Number(raw) : raw;
    const ok =
      (typeof value === 'number' && Number.isFinite(value) && (!integral || Number.isInteger(value))) ||
      (integral && typeof value === 'bigint');
    if (!ok) {
      report(ctx, 'type', typeMessage(typeName, value), value);
      return;
    }
    const n = Number(value);
    if (s.max !== undefined && n > s.max) report(ctx, 'range', maxValue(s.max), value);
    if (s.min !== undefined && n < s.min) report(ctx, 'range', minValue(s.min), value);
  };
}

function compileBlob(s: ShapeEntry): Check {
  return (value, ctx) => {
    let length: number | undefined;
    if (value instanceof Uint8Array) length = value.byteLength;
    else if (typeof value === 'string') length = utf8Length(value);
    else if (!isStream(value)) {
      report(ctx, 'type', typeMessage('blob', value), value);
      return;
    }
    if (length !== undefined) checkLength(ctx, s, length, value);
  };
}

// ---- public API ----

/**
 * Every way `input` breaks the published model of `service`'s `operation` ([] when none): per structure, missing
 * required members first, then the members present in input order.
 * Members the model does not know are ignored (the SDK drops them). Throws ModelLookupError for an operation
 * the table does not cover.
 */
export function modelViolations(service: ServiceName, operation: string, input: unknown): ModelViolation[] {
  const shape = inputShapeName(service, operation);
  if (shape === null) return [];
  const svc = compiledService(service);
  const ctx: Ctx = { segs: [], out: [], location: undefined, sensitive: 0, collection: undefined };
  checkerFor(svc, shape)(input ?? {}, ctx);
  return ctx.out;
}

// ---- redaction ----

export const REDACTED = '<redacted>';

const sensitiveCache = new Map<ServiceName, Map<string, boolean>>();

/** Whether a shape or anything under it is sensitive (recursive shapes terminate through the in-progress mark). */
function containsSensitive(service: ServiceName, svc: CompiledService, name: string): boolean {
  let cache = sensitiveCache.get(service);
  if (!cache) {
    cache = new Map();
    sensitiveCache.set(service, cache);
  }
  const known = cache.get(name);
  if (known !== undefined) return known;
  cache.set(name, false); // in progress: a cycle adds nothing new
  const s = shapeOf(svc, name);
  const children = [
    ...Object.values(s.members ?? {}),
    ...(s.member ? [s.member] : []),
    ...(s.key ? [s.key] : []),
    ...(s.value ? [s.value] : []),
  ];
  const result = s.sensitive === true || children.some((c) => containsSensitive(service, svc, c));
  cache.set(name, result);
  return result;
}

function deepCopy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(deepCopy);
  if (value instanceof Date) return new Date(value.getTime());
  if (value instanceof Uint8Array) return value.slice();
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = deepCopy(v);
    return out;
  }
  return value; // primitives; streams and other objects cannot be copied and are kept as they are
}

function redactShape(service: ServiceName, svc: CompiledService, name: string, value: unknown): unknown {
  if (value === undefined || value === null) return value;
  const s = shapeOf(svc, name);
  if (s.sensitive) return REDACTED;
  if (!containsSensitive(service, svc, name)) return deepCopy(value);
  if (s.type === 'structure' && isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const memberShape = s.members?.[k];
      out[k] = memberShape ? redactShape(service, svc, memberShape, v) : deepCopy(v);
    }
    return out;
  }
  if (s.type === 'list' && Array.isArray(value) && s.member) {
    const member = s.member;
    return value.map((v: unknown) => redactShape(service, svc, member, v));
  }
  if (s.type === 'map' && isPlainObject(value) && s.value) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = redactShape(service, svc, s.value, v);
    return out;
  }
  return deepCopy(value);
}

/**
 * A deep copy of `input` with every member whose shape the model marks sensitive replaced by "<redacted>"
 * (for traces: AWS keeps these values out of its own messages and logs).
 */
export function redactSensitive(service: ServiceName, operation: string, input: unknown): unknown {
  const shape = inputShapeName(service, operation);
  if (shape === null) return deepCopy(input);
  return redactShape(service, compiledService(service), shape, input);
}

/** The AWS-style paths of the sensitive members present in `input` (what redactSensitive replaces). */
export function sensitivePaths(service: ServiceName, operation: string, input: unknown): string[] {
  const shape = inputShapeName(service, operation);
  if (shape === null) return [];
  const svc = compiledService(service);
  const out: string[] = [];
  const walk = (name: string, value: unknown, segs: Segment[]): void => {
    if (value === undefined || value === null) return;
    const s = shapeOf(svc, name);
    if (s.sensitive) {
      out.push(awsStylePath(segs));
      return;
    }
    if (!containsSensitive(service, svc, name)) return;
    if (s.type === 'structure' && isPlainObject(value)) {
      for (const [k, v] of Object.entries(value)) {
        const m = s.members?.[k];
        if (m) walk(m, v, [...segs, k]);
      }
    } else if (s.type === 'list' && Array.isArray(value) && s.member) {
      const member = s.member;
      value.forEach((v: unknown, i) => {
        walk(member, v, [...segs, i]);
      });
    } else if (s.type === 'map' && isPlainObject(value) && s.value) {
      const valueShape = s.value;
      for (const [k, v] of Object.entries(value)) walk(valueShape, v, [...segs, { key: k }]);
    }
  };
  walk(shape, input, []);
  return out;
}

/**
 * redactSensitive for call records whose service and operation are plain strings (the trace's InputRedactor):
 * a call the table has no model for comes back as a deep copy, unredacted.
 */
export function redactCallInput(service: string, operation: string, input: unknown): unknown {
  const model = (MODEL_TABLE.services as Partial<Record<string, ServiceModel>>)[service];
  if (!model || model.operations[operation] === undefined) return deepCopy(input);
  return redactSensitive(service as ServiceName, operation, input);
}

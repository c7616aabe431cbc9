// DynamoDB expressions (condition, key condition, filter, update, projection): a tokenizer and a
// recursive-descent parser, and an evaluator over raw AttributeValue maps. Placeholders (#name, :value) are
// resolved while parsing, so the AST carries attribute values and unused placeholders can be reported the way
// DynamoDB reports them.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isReservedWord } from './dynamodb-reserved.ts';

/** A DynamoDB item as the wire carries it. */
export type DynamoItem = Record<string, AttributeValue>;

/** A malformed expression or request; the handlers answer it as ValidationException with this message. */
export class ExpressionError extends Error {
  override name = 'ExpressionError';
}

// ---- attribute values ----

export type AttributeType = 'S' | 'N' | 'B' | 'BOOL' | 'NULL' | 'SS' | 'NS' | 'BS' | 'L' | 'M';
const TYPES: readonly AttributeType[] = ['S', 'N', 'B', 'BOOL', 'NULL', 'SS', 'NS', 'BS', 'L', 'M'];

export function typeOf(value: AttributeValue): AttributeType | undefined {
  const present = Object.entries(value).filter(([, v]) => v !== undefined);
  const [only, ...rest] = present;
  return only && rest.length === 0 ? TYPES.find((t) => t === only[0]) : undefined;
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Checks one attribute value as DynamoDB does on input; returns a problem or undefined. */
export function attributeProblem(value: AttributeValue): string | undefined {
  const type = typeOf(value);
  if (!type) return 'Supplied AttributeValue has more than one datatypes set, or is empty';
  switch (type) {
    case 'N':
      return NUMBER.test(value.N ?? '') ? undefined : 'The parameter cannot be converted to a numeric value';
    case 'NS':
    case 'SS':
    case 'BS': {
      const members = (value[type] ?? []) as unknown[];
      if (members.length === 0) return 'An string set  may not be empty';
      if (type === 'NS' && !members.every((m) => typeof m === 'string' && NUMBER.test(m)))
        return 'The parameter cannot be converted to a numeric value';
      const keys = members.map((m) => (m instanceof Uint8Array ? Buffer.from(m).toString('hex') : String(m)));
      return new Set(keys).size === keys.length ? undefined : 'Input collection contains duplicates';
    }
    case 'L':
      for (const v of value.L ?? []) {
        const p = attributeProblem(v);
        if (p) return p;
      }
      return undefined;
    case 'M':
      for (const v of Object.values(value.M ?? {})) {
        const p = attributeProblem(v);
        if (p) return p;
      }
      return undefined;
    default:
      return undefined;
  }
}

function utf8(text: string): Buffer {
  return Buffer.from(text, 'utf8');
}

/** Order of two values of the same scalar type (N numerically, S by UTF-8 bytes, B by bytes), else undefined. */
export function compareValues(a: AttributeValue, b: AttributeValue): number | undefined {
  if (a.N !== undefined && b.N !== undefined) return Math.sign(Number(a.N) - Number(b.N));
  if (a.S !== undefined && b.S !== undefined) return Buffer.compare(utf8(a.S), utf8(b.S));
  if (a.B !== undefined && b.B !== undefined) return Buffer.compare(Buffer.from(a.B), Buffer.from(b.B));
  return undefined;
}

function sameMembers(a: readonly unknown[], b: readonly unknown[], type: 'SS' | 'NS' | 'BS'): boolean {
  if (a.length !== b.length) return false;
  const wrap = (m: unknown): AttributeValue =>
    type === 'SS' ? { S: String(m) } : type === 'NS' ? { N: String(m) } : { B: m as Uint8Array };
  return a.every((x) => b.some((y) => compareValues(wrap(x), wrap(y)) === 0));
}

export function equalValues(a: AttributeValue, b: AttributeValue): boolean {
  const type = typeOf(a);
  if (!type || type !== typeOf(b)) return false;
  switch (type) {
    case 'S':
    case 'N':
    case 'B':
      return compareValues(a, b) === 0;
    case 'BOOL':
      return a.BOOL === b.BOOL;
    case 'NULL':
      return true;
    case 'SS':
    case 'NS':
    case 'BS':
      return sameMembers(a[type] ?? [], b[type] ?? [], type);
    case 'L': {
      const x = a.L ?? [];
      const y = b.L ?? [];
      return x.length === y.length && x.every((v, i) => y[i] !== undefined && equalValues(v, y[i]));
    }
    case 'M': {
      const x = a.M ?? {};
      const y = b.M ?? {};
      const keys = Object.keys(x);
      if (keys.length !== Object.keys(y).length) return false;
      return keys.every((k) => {
        const xv = x[k];
        const yv = y[k];
        return xv !== undefined && yv !== undefined && equalValues(xv, yv);
      });
    }
  }
}

// ---- placeholders ----

/** The request's ExpressionAttributeNames/Values, and which of them the expressions used. */
export class ExpressionContext {
  private readonly usedNames = new Set<string>();
  private readonly usedValues = new Set<string>();

  constructor(
    private readonly names: Record<string, string> | undefined,
    private readonly values: Record<string, AttributeValue> | undefined,
  ) {
    if (names !== undefined && Object.keys(names).length === 0)
      throw new ExpressionError('ExpressionAttributeNames must not be empty');
    if (values !== undefined && Object.keys(values).length === 0)
      throw new ExpressionError('ExpressionAttributeValues must not be empty');
    for (const [key, value] of Object.entries(values ?? {})) {
      const problem = attributeProblem(value);
      if (problem)
        throw new ExpressionError(
          `ExpressionAttributeValues contains invalid value: ${problem} for key ${key}`,
        );
    }
  }

  name(alias: string, label: string): string {
    const name = this.names?.[alias];
    if (name === undefined) {
      throw new ExpressionError(
        `Invalid ${label}: An expression attribute name used in the document path is not defined; attribute name: ${alias}`,
      );
    }
    this.usedNames.add(alias);
    return name;
  }

  value(ref: string, label: string): AttributeValue {
    const value = this.values?.[ref];
    if (value === undefined) {
      throw new ExpressionError(
        `Invalid ${label}: An expression attribute value used in expression is not defined; attribute value: ${ref}`,
      );
    }
    this.usedValues.add(ref);
    return value;
  }

  /** DynamoDB refuses placeholders that no expression of the request uses; call after parsing them all. */
  checkUnused(): void {
    const unusedNames = Object.keys(this.names ?? {}).filter((k) => !this.usedNames.has(k));
    if (unusedNames.length > 0) {
      throw new ExpressionError(
        `Value provided in ExpressionAttributeNames unused in expressions: keys: {${unusedNames.join(', ')}}`,
      );
    }
    const unusedValues = Object.keys(this.values ?? {}).filter((k) => !this.usedValues.has(k));
    if (unusedValues.length > 0) {
      throw new ExpressionError(
        `Value provided in ExpressionAttributeValues unused in expressions: keys: {${unusedValues.join(', ')}}`,
      );
    }
  }
}

// ---- tokens ----

type TokenKind = 'name' | 'alias' | 'value' | 'number' | 'op' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
}

const OPERATORS = ['<>', '<=', '>=', '=', '<', '>', '(', ')', ',', '.', '[', ']', '+', '-'];

function tokenize(source: string, label: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const word = (from: number): number => {
    let j = from;
    while (j < source.length && /[A-Za-z0-9_]/.test(source.charAt(j))) j++;
    return j;
  };
  while (i < source.length) {
    const c = source.charAt(i);
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#' || c === ':') {
      const end = word(i + 1);
      if (end === i + 1) throw syntaxError(label, c, source.slice(Math.max(0, i - 10), i + 10));
      tokens.push({ kind: c === '#' ? 'alias' : 'value', text: source.slice(i, end) });
      i = end;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const end = word(i);
      tokens.push({ kind: 'name', text: source.slice(i, end) });
      i = end;
      continue;
    }
    if (/\d/.test(c)) {
      let end = i;
      while (end < source.length && /\d/.test(source.charAt(end))) end++;
      tokens.push({ kind: 'number', text: source.slice(i, end) });
      i = end;
      continue;
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i));
    if (!op) throw syntaxError(label, c, source.slice(Math.max(0, i - 10), i + 10));
    tokens.push({ kind: 'op', text: op });
    i += op.length;
  }
  tokens.push({ kind: 'eof', text: '<EOF>' });
  return tokens;
}

function syntaxError(label: string, token: string, near: string): ExpressionError {
  const shown = token === '<EOF>' ? token : `"${token}"`;
  return new ExpressionError(`Invalid ${label}: Syntax error; token: ${shown}, near: "${near}"`);
}

// ---- AST ----

export type PathPart = string | number;

export interface Path {
  parts: PathPart[];
  /** as written, for messages */
  text: string;
}

export type Operand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; ref: string; value: AttributeValue }
  | { kind: 'size'; path: Path };

export type Comparator = '=' | '<>' | '<' | '<=' | '>' | '>=';

export type ConditionFunction =
  | 'attribute_exists'
  | 'attribute_not_exists'
  | 'attribute_type'
  | 'begins_with'
  | 'contains';

export type Condition =
  | { kind: 'compare'; op: Comparator; left: Operand; right: Operand }
  | { kind: 'between'; subject: Operand; low: Operand; high: Operand }
  | { kind: 'in'; subject: Operand; options: Operand[] }
  | { kind: 'function'; name: ConditionFunction; path: Path; arg?: Operand }
  | { kind: 'and' | 'or'; left: Condition; right: Condition }
  | { kind: 'not'; operand: Condition };

export type UpdateOperand =
  | { kind: 'path'; path: Path }
  | { kind: 'value'; value: AttributeValue }
  | { kind: 'if_not_exists'; path: Path; fallback: UpdateOperand }
  | { kind: 'list_append'; first: UpdateOperand; second: UpdateOperand };

export type SetValue =
  | UpdateOperand
  | { kind: 'arith'; op: '+' | '-'; left: UpdateOperand; right: UpdateOperand };

export interface UpdatePlan {
  set: Array<{ path: Path; value: SetValue }>;
  remove: Path[];
}

const COMPARATORS: readonly string[] = ['=', '<>', '<', '<=', '>', '>='];
const CONDITION_FUNCTIONS: readonly string[] = [
  'attribute_exists',
  'attribute_not_exists',
  'attribute_type',
  'begins_with',
  'contains',
];
const ORDERABLE: readonly (AttributeType | undefined)[] = ['N', 'S', 'B'];

// ---- parser ----

class Parser {
  private readonly tokens: Token[];
  private i = 0;

  constructor(
    private readonly label: string,
    source: string,
    private readonly ctx: ExpressionContext,
  ) {
    if (source.trim() === '') throw new ExpressionError(`Invalid ${label}: The expression can not be empty;`);
    this.tokens = tokenize(source, label);
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.i + offset, this.tokens.length - 1)] ?? { kind: 'eof', text: '<EOF>' };
  }

  private next(): Token {
    const t = this.peek();
    if (this.i < this.tokens.length - 1) this.i++;
    return t;
  }

  private fail(token = this.peek()): ExpressionError {
    const at = this.tokens.indexOf(token);
    const near = this.tokens
      .slice(Math.max(0, at - 1), at + 2)
      .filter((t) => t.kind !== 'eof')
      .map((t) => t.text)
      .join(' ');
    return syntaxError(this.label, token.text, near);
  }

  private isOp(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t.kind === 'op' && t.text === text;
  }

  private isKeyword(word: string): boolean {
    const t = this.peek();
    return t.kind === 'name' && t.text.toUpperCase() === word;
  }

  private expectOp(text: string): void {
    if (!this.isOp(text)) throw this.fail();
    this.next();
  }

  private expectKeyword(word: string): void {
    if (!this.isKeyword(word)) throw this.fail();
    this.next();
  }

  expectEnd(): void {
    if (this.peek().kind !== 'eof') throw this.fail();
  }

  private problem(text: string): ExpressionError {
    return new ExpressionError(`Invalid ${this.label}: ${text}`);
  }

  // path := (name | #alias) ( '.' (name | #alias) | '[' number ']' )*
  path(): Path {
    const parts: PathPart[] = [];
    let text = '';
    const element = (): void => {
      const t = this.next();
      if (t.kind === 'alias') parts.push(this.ctx.name(t.text, this.label));
      else if (t.kind === 'name') {
        if (isReservedWord(t.text))
          throw this.problem(`Attribute name is a reserved keyword; reserved keyword: ${t.text}`);
        parts.push(t.text);
      } else throw this.fail(t);
      text += t.text;
    };
    element();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        text += '.';
        element();
      } else if (this.isOp('[')) {
        this.next();
        const n = this.next();
        if (n.kind !== 'number') throw this.fail(n);
        this.expectOp(']');
        parts.push(Number(n.text));
        text += `[${n.text}]`;
      } else return { parts, text };
    }
  }

  private valueRef(): Operand & { kind: 'value' } {
    const t = this.next();
    if (t.kind !== 'value') throw this.fail(t);
    return { kind: 'value', ref: t.text, value: this.ctx.value(t.text, this.label) };
  }

  // operand := :value | size '(' path ')' | path
  operand(): Operand {
    const t = this.peek();
    if (t.kind === 'value') return this.valueRef();
    if (t.kind === 'name' && this.isOp('(', 1)) {
      if (t.text !== 'size') {
        throw CONDITION_FUNCTIONS.includes(t.text)
          ? this.problem(
              `The function is not allowed to be used this way in an expression; function: ${t.text}`,
            )
          : this.problem(`Invalid function name; function: ${t.text}`);
      }
      this.next();
      this.expectOp('(');
      const path = this.path();
      this.expectOp(')');
      return { kind: 'size', path };
    }
    return { kind: 'path', path: this.path() };
  }

  // condition := or ; or := and (OR and)* ; and := not (AND not)* ; not := NOT not | primary
  condition(): Condition {
    let left = this.and();
    while (this.isKeyword('OR')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): Condition {
    let left = this.not();
    while (this.isKeyword('AND')) {
      this.next();
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): Condition {
    if (this.isKeyword('NOT')) {
      this.next();
      return { kind: 'not', operand: this.not() };
    }
    return this.primary();
  }

  // primary := '(' condition ')' | function | operand (comparator operand | BETWEEN operand AND operand | IN (...))
  private primary(): Condition {
    if (this.isOp('(')) {
      this.next();
      const inner = this.condition();
      this.expectOp(')');
      return inner;
    }
    const t = this.peek();
    if (t.kind === 'name' && this.isOp('(', 1) && CONDITION_FUNCTIONS.includes(t.text)) return this.func();
    const subject = this.operand();
    const op = this.peek();
    if (op.kind === 'op' && COMPARATORS.includes(op.text)) {
      this.next();
      const right = this.operand();
      const cmp = op.text as Comparator;
      if (cmp !== '=' && cmp !== '<>') {
        this.requireOrderable(cmp, subject);
        this.requireOrderable(cmp, right);
      }
      return { kind: 'compare', op: cmp, left: subject, right };
    }
    if (this.isKeyword('BETWEEN')) {
      this.next();
      const low = this.operand();
      this.expectKeyword('AND');
      const high = this.operand();
      for (const o of [subject, low, high]) this.requireOrderable('BETWEEN', o);
      if (low.kind === 'value' && high.kind === 'value') {
        const order = compareValues(low.value, high.value);
        if (order === undefined || order > 0) {
          throw this.problem(
            `The BETWEEN operator requires upper bound to be greater than or equal to lower bound; lower operand: ${low.ref}, upper operand: ${high.ref}`,
          );
        }
      }
      return { kind: 'between', subject, low, high };
    }
    if (this.isKeyword('IN')) {
      this.next();
      this.expectOp('(');
      const options = [this.operand()];
      while (this.isOp(',')) {
        this.next();
        options.push(this.operand());
      }
      this.expectOp(')');
      if (options.length > 100)
        throw this.problem(
          `The IN operator is provided with too many operands; number of operands: ${options.length}`,
        );
      return { kind: 'in', subject, options };
    }
    throw this.fail();
  }

  private requireOrderable(operator: string, operand: Operand): void {
    if (operand.kind === 'value' && !ORDERABLE.includes(typeOf(operand.value))) {
      throw this.problem(
        `Incorrect operand type for operator or function; operator or function: ${operator}, operand type: ${typeOf(operand.value) ?? 'unknown'}`,
      );
    }
  }

  private func(): Condition {
    const name = this.next().text as ConditionFunction;
    this.expectOp('(');
    const path = this.path();
    let arg: Operand | undefined;
    const takesArg = name === 'attribute_type' || name === 'begins_with' || name === 'contains';
    if (takesArg) {
      if (!this.isOp(','))
        throw this.problem(
          `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: 1`,
        );
      this.next();
      arg = this.operand();
    }
    if (this.isOp(',')) {
      throw this.problem(
        `Incorrect number of operands for operator or function; operator or function: ${name}, number of operands: ${takesArg ? 3 : 2}`,
      );
    }
    this.expectOp(')');
    if (arg?.kind === 'value') {
      const type = typeOf(arg.value);
      if (name === 'begins_with' && type !== 'S' && type !== 'B') {
        throw this.problem(
          `Incorrect operand type for operator or function; operator or function: begins_with, operand type: ${type ?? 'unknown'}`,
        );
      }
      if (name === 'attribute_type' && (type !== 'S' || !TYPES.includes(arg.value.S as AttributeType))) {
        throw this.problem(
          `Invalid attribute type name found; type: ${arg.value.S ?? type ?? 'unknown'}, valid types: {${TYPES.join(',')}}`,
        );
      }
    }
    return arg ? { kind: 'function', name, path, arg } : { kind: 'function', name, path };
  }

  // update := (SET action (',' action)* | REMOVE path (',' path)*)+
  update(): UpdatePlan {
    const plan: UpdatePlan = { set: [], remove: [] };
    const seen = new Set<string>();
    while (this.peek().kind !== 'eof') {
      const t = this.next();
      const clause = t.kind === 'name' ? t.text.toUpperCase() : '';
      if (clause === 'ADD' || clause === 'DELETE')
        throw new Error(`World: ${clause} in an UpdateExpression is not simulated`);
      if (clause !== 'SET' && clause !== 'REMOVE') throw this.fail(t);
      if (seen.has(clause))
        throw this.problem(`The "${clause}" section can only be used once in an update expression;`);
      seen.add(clause);
      for (;;) {
        if (clause === 'SET') {
          const path = this.path();
          this.expectOp('=');
          plan.set.push({ path, value: this.setValue() });
        } else plan.remove.push(this.path());
        if (!this.isOp(',')) break;
        this.next();
      }
    }
    const paths = [...plan.set.map((s) => s.path), ...plan.remove];
    for (let a = 0; a < paths.length; a++) {
      for (let b = a + 1; b < paths.length; b++) {
        const x = paths[a];
        const y = paths[b];
        if (x && y && overlaps(x, y)) {
          throw this.problem(
            `Two document paths overlap with each other; must remove or rewrite one of these paths; path one: [${x.text}], path two: [${y.text}]`,
          );
        }
      }
    }
    return plan;
  }

  private setValue(): SetValue {
    const left = this.updateOperand();
    if (this.isOp('+') || this.isOp('-')) {
      const op = this.next().text as '+' | '-';
      return { kind: 'arith', op, left, right: this.updateOperand() };
    }
    return left;
  }

  private updateOperand(): UpdateOperand {
    const t = this.peek();
    if (t.kind === 'value') return { kind: 'value', value: this.valueRef().value };
    if (t.kind === 'name' && this.isOp('(', 1)) {
      this.next();
      this.expectOp('(');
      if (t.text === 'if_not_exists') {
        const path = this.path();
        this.expectOp(',');
        const fallback = this.updateOperand();
        this.expectOp(')');
        return { kind: 'if_not_exists', path, fallback };
      }
      if (t.text === 'list_append') {
        const first = this.updateOperand();
        this.expectOp(',');
        const second = this.updateOperand();
        this.expectOp(')');
        return { kind: 'list_append', first, second };
      }
      throw this.problem(`Invalid function name; function: ${t.text}`);
    }
    return { kind: 'path', path: this.path() };
  }

  // projection := path (',' path)*
  projection(): Path[] {
    const paths = [this.path()];
    while (this.isOp(',')) {
      this.next();
      paths.push(this.path());
    }
    return paths;
  }
}

function overlaps(a: Path, b: Path): boolean {
  const n = Math.min(a.parts.length, b.parts.length);
  for (let i = 0; i < n; i++) if (a.parts[i] !== b.parts[i]) return false;
  return true;
}

export function parseCondition(label: string, source: string, ctx: ExpressionContext): Condition {
  const parser = new Parser(label, source, ctx);
  const condition = parser.condition();
  parser.expectEnd();
  return condition;
}

export function parseUpdate(source: string, ctx: ExpressionContext): UpdatePlan {
  return new Parser('UpdateExpression', source, ctx).update();
}

/** Top-level attribute names of a projection; nested paths are not simulated. */
export function parseProjection(source: string, ctx: ExpressionContext): string[] {
  const parser = new Parser('ProjectionExpression', source, ctx);
  const paths = parser.projection();
  parser.expectEnd();
  return paths.map((p) => {
    const [name, ...rest] = p.parts;
    if (typeof name !== 'string' || rest.length > 0)
      throw new Error(`World: nested ProjectionExpression paths are not simulated (${p.text})`);
    return name;
  });
}

// ---- evaluation ----

export function resolvePath(item: DynamoItem | undefined, path: Path): AttributeValue | undefined {
  let current: AttributeValue | undefined;
  for (const [i, part] of path.parts.entries()) {
    if (i === 0) current = typeof part === 'string' ? item?.[part] : undefined;
    else if (typeof part === 'string') current = current?.M?.[part];
    else current = current?.L?.[part];
    if (current === undefined) return undefined;
  }
  return current;
}

function sizeOf(value: AttributeValue | undefined): AttributeValue | undefined {
  if (value === undefined) return undefined;
  let size: number | undefined;
  if (value.S !== undefined) size = utf8(value.S).length;
  else if (value.B !== undefined) size = value.B.length;
  else if (value.L !== undefined) size = value.L.length;
  else if (value.M !== undefined) size = Object.keys(value.M).length;
  else if (value.SS !== undefined) size = value.SS.length;
  else if (value.NS !== undefined) size = value.NS.length;
  else if (value.BS !== undefined) size = value.BS.length;
  return size === undefined ? undefined : { N: String(size) };
}

function operandValue(operand: Operand, item: DynamoItem | undefined): AttributeValue | undefined {
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path':
      return resolvePath(item, operand.path);
    case 'size':
      return sizeOf(resolvePath(item, operand.path));
  }
}

function contains(haystack: AttributeValue, needle: AttributeValue): boolean {
  if (haystack.S !== undefined) return needle.S !== undefined && haystack.S.includes(needle.S);
  if (haystack.SS !== undefined) return needle.S !== undefined && haystack.SS.includes(needle.S);
  if (haystack.NS !== undefined)
    return needle.N !== undefined && haystack.NS.some((n) => compareValues({ N: n }, needle) === 0);
  if (haystack.BS !== undefined)
    return needle.B !== undefined && haystack.BS.some((b) => compareValues({ B: b }, needle) === 0);
  if (haystack.L !== undefined) return haystack.L.some((v) => equalValues(v, needle));
  return false;
}

/**
 * Evaluates a condition against an item (undefined: no such item). A missing attribute makes a comparison
 * false, except `<>`, which is true when exactly one side is missing (as DynamoDB answers).
 */
export function evaluate(condition: Condition, item: DynamoItem | undefined): boolean {
  switch (condition.kind) {
    case 'and':
      return evaluate(condition.left, item) && evaluate(condition.right, item);
    case 'or':
      return evaluate(condition.left, item) || evaluate(condition.right, item);
    case 'not':
      return !evaluate(condition.operand, item);
    case 'compare': {
      const a = operandValue(condition.left, item);
      const b = operandValue(condition.right, item);
      if (condition.op === '<>') return a === undefined || b === undefined ? a !== b : !equalValues(a, b);
      if (a === undefined || b === undefined) return false;
      if (condition.op === '=') return equalValues(a, b);
      const order = compareValues(a, b);
      if (order === undefined) return false;
      switch (condition.op) {
        case '<':
          return order < 0;
        case '<=':
          return order <= 0;
        case '>':
          return order > 0;
        case '>=':
          return order >= 0;
      }
      return false;
    }
    case 'between': {
      const v = operandValue(condition.subject, item);
      const lo = operandValue(condition.low, item);
      const hi = operandValue(condition.high, item);
      if (!v || !lo || !hi) return false;
      const low = compareValues(lo, v);
      const high = compareValues(v, hi);
      return low !== undefined && high !== undefined && low <= 0 && high <= 0;
    }
    case 'in': {
      const v = operandValue(condition.subject, item);
      return (
        v !== undefined &&
        condition.options.some((o) => {
          const option = operandValue(o, item);
          return option !== undefined && equalValues(v, option);
        })
      );
    }
    case 'function': {
      const v = resolvePath(item, condition.path);
      const arg = condition.arg ? operandValue(condition.arg, item) : undefined;
      switch (condition.name) {
        case 'attribute_exists':
          return v !== undefined;
        case 'attribute_not_exists':
          return v === undefined;
        case 'attribute_type':
          return v !== undefined && arg?.S !== undefined && typeOf(v) === arg.S;
        case 'begins_with':
          if (v?.S !== undefined && arg?.S !== undefined) return v.S.startsWith(arg.S);
          if (v?.B !== undefined && arg?.B !== undefined)
            return Buffer.from(v.B).subarray(0, arg.B.length).equals(Buffer.from(arg.B));
          return false;
        case 'contains':
          return v !== undefined && arg !== undefined && contains(v, arg);
      }
    }
  }
}

// ---- updates ----

function updateValue(
  operand: SetValue,
  old: DynamoItem | undefined,
  label = 'UpdateExpression',
): AttributeValue {
  const fail = (text: string) => new ExpressionError(`Invalid ${label}: ${text}`);
  switch (operand.kind) {
    case 'value':
      return operand.value;
    case 'path': {
      const v = resolvePath(old, operand.path);
      if (v === undefined)
        throw fail(`The provided expression refers to an attribute that does not exist in the item`);
      return v;
    }
    case 'if_not_exists':
      return resolvePath(old, operand.path) ?? updateValue(operand.fallback, old, label);
    case 'list_append': {
      const a = updateValue(operand.first, old, label);
      const b = updateValue(operand.second, old, label);
      if (a.L === undefined || b.L === undefined)
        throw fail('Incorrect operand type for operator or function; operator or function: list_append');
      return { L: [...a.L, ...b.L] };
    }
    case 'arith': {
      const a = updateValue(operand.left, old, label);
      const b = updateValue(operand.right, old, label);
      if (a.N === undefined || b.N === undefined)
        throw fail(`Incorrect operand type for operator or function; operator: ${operand.op}`);
      const n = operand.op === '+' ? Number(a.N) + Number(b.N) : Number(a.N) - Number(b.N);
      return { N: String(n) };
    }
  }
}

function setAt(item: DynamoItem, path: Path, value: AttributeValue): void {
  const invalid = () =>
    new ExpressionError('The document path provided in the update expression is invalid for update');
  const [first, ...rest] = path.parts;
  if (typeof first !== 'string') throw invalid();
  if (rest.length === 0) {
    item[first] = value;
    return;
  }
  let container = item[first];
  for (const [i, part] of rest.entries()) {
    const last = i === rest.length - 1;
    if (typeof part === 'string') {
      const map = container?.M;
      if (!map) throw invalid();
      if (last) map[part] = value;
      else container = map[part];
    } else {
      const list = container?.L;
      if (!list) throw invalid();
      if (last) {
        if (part >= list.length) list.push(value);
        else list[part] = value;
      } else container = list[part];
    }
  }
}

function removeAt(item: DynamoItem, path: Path): void {
  const [first, ...rest] = path.parts;
  if (typeof first !== 'string') return;
  if (rest.length === 0) {
    delete item[first];
    return;
  }
  let container = item[first];
  for (const [i, part] of rest.entries()) {
    const last = i === rest.length - 1;
    if (typeof part === 'string') {
      const map = container?.M;
      if (!map) return;
      if (last) delete map[part];
      else container = map[part];
    } else {
      const list = container?.L;
      if (!list) return;
      if (last) list.splice(part, 1);
      else container = list[part];
    }
  }
}

/** Applies SET then REMOVE; every SET value is computed from the item as it was before the update. */
export function applyUpdate(plan: UpdatePlan, old: DynamoItem | undefined, base: DynamoItem): DynamoItem {
  const values = plan.set.map((s) => ({ path: s.path, value: structuredClone(updateValue(s.value, old)) }));
  const next = structuredClone(base);
  for (const { path, value } of values) setAt(next, path, value);
  for (const path of plan.remove) removeAt(next, path);
  return next;
}

/** Keeps only the projected top-level attributes. */
export function project(item: DynamoItem, names: string[]): DynamoItem {
  const out: DynamoItem = {};
  for (const name of names) {
    const value = item[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

// Policy edits that never lose data: the new statement's JSON is spliced into the original text, so
// every existing statement (and all other bytes: order, spacing, escapes, unknown members) stays as it was.
import {
  type NormalizedStatement,
  normalizePolicy,
  normalizeStatement,
  PolicyParseError,
  type PrincipalEntry,
  parseJsonText,
  type Statement,
} from './document.ts';
import { findStatementSpans, type JsonSpan } from './json-spans.ts';
import { CLOUDFRONT_SERVICE_PRINCIPAL } from './questions.ts';

export interface MergeResult {
  policy: string;
  changed: boolean;
}

export interface MergeOptions {
  /** indentation of a policy created from nothing; '' writes it on one line (default: 2 spaces) */
  indent?: string;
}

/** The edit could not be made safely (no such statement, or the result would not round-trip). */
export class PolicyMergeError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PolicyMergeError';
  }
}

type StatementInput = Statement | Readonly<Record<string, unknown>>;

/** `assets`, `/assets/` → `assets/`; '' and undefined → '' (the whole bucket). */
function keyPrefix(prefix: string | undefined): string {
  const p = (prefix ?? '').replace(/^\/+/, '');
  return p === '' || p.endsWith('/') ? p : `${p}/`;
}

/** The bucket-policy statement AWS documents for an origin access control. */
export function cloudFrontGrantStatement(opts: {
  bucket: string;
  distributionArn: string;
  prefix?: string;
}): Statement {
  return {
    Sid: 'AllowCloudFrontServicePrincipal',
    Effect: 'Allow',
    Principal: { Service: CLOUDFRONT_SERVICE_PRINCIPAL },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${opts.bucket}/${keyPrefix(opts.prefix)}*`,
    Condition: { StringEquals: { 'AWS:SourceArn': opts.distributionArn } },
  };
}

/** The key-policy statement AWS documents for SSE-KMS objects served through an OAC. */
export function kmsGrantStatement(opts: { distributionArn: string }): Statement {
  return {
    Sid: 'AllowCloudFrontServicePrincipalSSE-KMS',
    Effect: 'Allow',
    Principal: { Service: CLOUDFRONT_SERVICE_PRINCIPAL },
    Action: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey*'],
    Resource: '*',
    Condition: { StringEquals: { 'AWS:SourceArn': opts.distributionArn } },
  };
}

function uniqSorted(xs: readonly string[]): string[] {
  return [...new Set(xs)].sort();
}

function principalKey(e: PrincipalEntry): string {
  if (e.type !== 'AWS') return `${e.type}\u0000${e.id}`;
  if (/^\*+$/.test(e.id)) return 'AWS\u0000*';
  // AWS stores a bare account id as its :root ARN; both name the same account.
  return `AWS\u0000${/^\d{12}$/.test(e.id) ? `arn:aws:iam::${e.id}:root` : e.id}`;
}

/** Order-insensitive identity of a statement's meaning (Sid excluded). */
function meaning(s: NormalizedStatement): string {
  const principals = (es?: PrincipalEntry[]) => es && uniqSorted(es.map(principalKey));
  const lower = (xs?: string[]) => xs && uniqSorted(xs.map((x) => x.toLowerCase()));
  const same = (xs?: string[]) => xs && uniqSorted(xs);
  return JSON.stringify({
    effect: s.effect,
    principal: principals(s.principal),
    notPrincipal: principals(s.notPrincipal),
    action: lower(s.action),
    notAction: lower(s.notAction),
    resource: same(s.resource),
    notResource: same(s.notResource),
    condition: uniqSorted(
      s.conditions.map((c) =>
        JSON.stringify([c.operator.toLowerCase(), c.key.toLowerCase(), uniqSorted(c.values)]),
      ),
    ),
  });
}

export function statementsEquivalent(a: unknown, b: unknown): boolean {
  return meaning(normalizeStatement(a, 0)) === meaning(normalizeStatement(b, 0));
}

function freeSid(sid: string, used: ReadonlySet<string>): string {
  if (!used.has(sid)) return sid;
  for (let n = 2; ; n++) if (!used.has(`${sid}${n}`)) return `${sid}${n}`;
}

/** The statement to write, with its Sid renamed when another statement already uses it (S3 wants them unique). */
function withFreeSid(
  statement: StatementInput,
  others: readonly NormalizedStatement[],
): Record<string, unknown> {
  // A JSON round trip drops `undefined` members, so what we verify is exactly what gets written.
  const copy = JSON.parse(JSON.stringify(statement)) as Record<string, unknown>;
  if (typeof copy.Sid === 'string') {
    copy.Sid = freeSid(copy.Sid, new Set(others.flatMap((s) => (s.sid === undefined ? [] : [s.sid]))));
  }
  return copy;
}

interface Style {
  multiline: boolean;
  baseIndent: string;
  unit: string;
  /** the document's line ending, so a CRLF policy stays CRLF */
  eol: string;
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

function lineIndentAt(text: string, pos: number): string {
  const lineStart = text.lastIndexOf('\n', pos - 1) + 1;
  return /^[ \t]*/.exec(text.slice(lineStart))?.[0] ?? '';
}

/** The indentation step inside an element: its second line's indent minus the indent of its first line. */
function indentUnit(text: string, span: JsonSpan, base: string): string {
  const inner = text.slice(span.start, span.end);
  const nl = inner.indexOf('\n');
  if (nl < 0) return '  ';
  const w = /^[ \t]*/.exec(inner.slice(nl + 1))?.[0] ?? '';
  return w.startsWith(base) && w.length > base.length ? w.slice(base.length, base.length + 10) : '  ';
}

/** The document's own indentation step: the indent of its first indented line (default 2 spaces). */
function documentIndentUnit(text: string): string {
  const m = /\n([ \t]+)\S/.exec(text);
  return m?.[1]?.slice(0, 10) ?? '  ';
}

function styleOf(text: string, span: JsonSpan, baseIndent = lineIndentAt(text, span.start)): Style {
  return {
    multiline: text.slice(span.start, span.end).includes('\n'),
    baseIndent,
    unit: indentUnit(text, span, lineIndentAt(text, span.start)),
    eol: eolOf(text),
  };
}

function serialize(statement: Record<string, unknown>, style: Style): string {
  if (!style.multiline) return JSON.stringify(statement);
  return JSON.stringify(statement, null, style.unit).split('\n').join(`${style.eol}${style.baseIndent}`);
}

/** Key-order-insensitive JSON identity, for "is this already exactly that statement". */
function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

function statementsOf(text: string): unknown[] {
  const doc = parseJsonText(text) as { Statement?: unknown };
  return Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
}

/** Guard: the edited text must parse, and hold exactly the expected statements. */
function verify(text: string, expected: readonly unknown[]): void {
  let actual: unknown[];
  try {
    actual = statementsOf(text);
  } catch (cause) {
    throw new PolicyMergeError('edited policy does not parse', { cause });
  }
  if (
    actual.length !== expected.length ||
    actual.some((s, i) => canonicalJson(s) !== canonicalJson(expected[i]))
  ) {
    throw new PolicyMergeError('edited policy does not hold the expected statements');
  }
}

/**
 * Add `statement` to the policy text unless an equivalent statement is already there.
 * Existing statements keep their exact bytes; a null/blank policy becomes a new 2012-10-17 document.
 */
export function mergeStatement(
  policyText: string | null,
  statement: StatementInput,
  opts: MergeOptions = {},
): MergeResult {
  const wanted = normalizeStatement(statement, 0); // validates the new statement
  if (policyText === null || policyText.trim() === '') {
    const doc = { Version: '2012-10-17', Statement: [statement] };
    return { policy: JSON.stringify(doc, null, opts.indent ?? 2), changed: true };
  }
  const policy = normalizePolicy(policyText);
  const existing = policy?.statements ?? [];
  const key = meaning(wanted);
  if (existing.some((s) => meaning(s) === key)) return { policy: policyText, changed: false };

  const spans = findStatementSpans(policyText);
  const toWrite = withFreeSid(statement, existing);
  const before = statementsOf(policyText);
  let out: string;
  const node = spans.statement;
  if (node.kind === 'array') {
    const last = node.elements.at(-1);
    if (!last) {
      // Empty array: its inner whitespace is replaced, nothing else is touched.
      const pretty = policyText.includes('\n');
      const outer = lineIndentAt(policyText, node.start);
      const unit = documentIndentUnit(policyText);
      const inner = `${outer}${unit}`;
      const eol = eolOf(policyText);
      const body = serialize(toWrite, { multiline: pretty, baseIndent: inner, unit, eol });
      const insertion = pretty ? `${eol}${inner}${body}${eol}${outer}` : body;
      out = policyText.slice(0, node.start + 1) + insertion + policyText.slice(node.end - 1);
    } else {
      const prev = node.elements.at(-2);
      // Reuse the separator the array already has between elements (minus its comma).
      const gap = policyText.slice(prev ? prev.end : node.start + 1, last.start).replace(',', '');
      const nl = gap.lastIndexOf('\n');
      const base = nl >= 0 ? gap.slice(nl + 1) : lineIndentAt(policyText, last.end);
      const body = serialize(toWrite, styleOf(policyText, last, base));
      out = `${policyText.slice(0, last.end)},${gap}${body}${policyText.slice(last.end)}`;
    }
  } else {
    // A single statement object becomes an array holding the object's original bytes, then the new one.
    const style = styleOf(policyText, node);
    const sep = style.multiline ? `${style.eol}${style.baseIndent}` : '';
    const original = policyText.slice(node.start, node.end);
    out = `${policyText.slice(0, node.start)}[${original},${sep}${serialize(toWrite, style)}]${policyText.slice(node.end)}`;
  }
  verify(out, [...before, toWrite]);
  return { policy: out, changed: true };
}

/** Replace statement `index` (its byte span only); unchanged when it already is exactly that statement. */
export function replaceStatement(policyText: string, index: number, statement: StatementInput): MergeResult {
  normalizeStatement(statement, index);
  const policy = normalizePolicy(policyText);
  if (!policy) throw new PolicyParseError('policy is empty');
  const spans = findStatementSpans(policyText);
  const target = spans.elements[index];
  if (!target) {
    throw new PolicyMergeError(`policy has no statement at index ${index} (it has ${spans.elements.length})`);
  }
  const others = policy.statements.filter((s) => s.index !== index);
  const toWrite = withFreeSid(statement, others);
  const before = statementsOf(policyText);
  if (canonicalJson(before[index]) === canonicalJson(toWrite)) return { policy: policyText, changed: false };
  const out =
    policyText.slice(0, target.start) +
    serialize(toWrite, styleOf(policyText, target)) +
    policyText.slice(target.end);
  verify(
    out,
    before.map((s, i) => (i === index ? toWrite : s)),
  );
  return { policy: out, changed: true };
}

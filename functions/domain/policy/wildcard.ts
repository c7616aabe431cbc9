// IAM string patterns: `*` and `?` wildcards and `${...}` policy variables, compiled to tokens and
// matched without regular expressions (no escaping pitfalls, no catastrophic backtracking).

export type Token = { kind: 'lit'; ch: string } | { kind: 'star' } | { kind: 'one' };

/** Request context as the evaluator sees it: lower-cased keys, booleans already turned into 'true'/'false'. */
export type ContextMap = ReadonlyMap<string, string | readonly string[]>;

export interface CompileOptions {
  /** `*` and `?` are wildcards (StringLike, ArnLike, Resource) rather than literal characters */
  wildcards: boolean;
  /** substitute `${...}` policy variables from the context (2012-10-17 policies only) */
  variables: boolean;
}

function literals(s: string, out: Token[]): void {
  for (const ch of s) out.push({ kind: 'lit', ch });
}

/** `aws:username` or `aws:username, 'default'` → the variable's value, or undefined when it cannot be resolved. */
function resolveVariable(inner: string, ctx: ContextMap): string | undefined {
  const m = /^\s*([^,]+?)\s*(?:,\s*'([^']*)'\s*)?$/.exec(inner);
  if (!m?.[1]) return undefined;
  const value = ctx.get(m[1].toLowerCase());
  // A multi-valued key cannot stand in for a single string; the default (if any) applies instead.
  if (typeof value === 'string') return value;
  return m[2];
}

/**
 * Compile an IAM pattern. Returns undefined when a policy variable has no value and no default:
 * AWS then treats that pattern as matching nothing.
 */
export function compilePattern(pattern: string, ctx: ContextMap, opts: CompileOptions): Token[] | undefined {
  const out: Token[] = [];
  let i = 0;
  let literalStart = 0;
  const flush = (end: number) => literals(pattern.slice(literalStart, end), out);
  while (i < pattern.length) {
    const ch = pattern[i];
    if (opts.variables && ch === '$' && pattern[i + 1] === '{') {
      const close = pattern.indexOf('}', i + 2);
      if (close >= 0) {
        flush(i);
        const inner = pattern.slice(i + 2, close);
        // ${*}, ${?} and ${$} are how a policy writes those characters literally.
        if (inner === '*' || inner === '?' || inner === '$') out.push({ kind: 'lit', ch: inner });
        else {
          const value = resolveVariable(inner, ctx);
          if (value === undefined) return undefined;
          literals(value, out);
        }
        i = close + 1;
        literalStart = i;
        continue;
      }
    }
    if (opts.wildcards && (ch === '*' || ch === '?')) {
      flush(i);
      out.push(ch === '*' ? { kind: 'star' } : { kind: 'one' });
      literalStart = i + 1;
    }
    i++;
  }
  flush(pattern.length);
  return out;
}

function same(a: string, b: string, ignoreCase: boolean): boolean {
  return ignoreCase ? a.toLowerCase() === b.toLowerCase() : a === b;
}

/** Whole-string match of tokens against `input` (compared per code point). */
export function matchTokens(tokens: readonly Token[], input: string, ignoreCase = false): boolean {
  const chars = Array.from(input);
  let t = 0;
  let c = 0;
  let starT = -1;
  let starC = 0;
  while (c < chars.length) {
    const tok = tokens[t];
    const ch = chars[c] as string;
    if (tok && (tok.kind === 'one' || (tok.kind === 'lit' && same(tok.ch, ch, ignoreCase)))) {
      t++;
      c++;
    } else if (tok?.kind === 'star') {
      starT = t++;
      starC = c;
    } else if (starT >= 0) {
      // Let the last star swallow one more character and retry.
      t = starT + 1;
      c = ++starC;
    } else return false;
  }
  while (tokens[t]?.kind === 'star') t++;
  return t === tokens.length;
}

/** Convenience: compile and match; false when a variable cannot be resolved. */
export function globMatch(
  pattern: string,
  input: string,
  ctx: ContextMap,
  opts: CompileOptions & { ignoreCase?: boolean },
): boolean {
  const tokens = compilePattern(pattern, ctx, opts);
  return tokens !== undefined && matchTokens(tokens, input, opts.ignoreCase ?? false);
}

function starClosure(tokens: readonly Token[], states: Set<number>): Set<number> {
  for (const s of [...states]) {
    let i = s;
    while (tokens[i]?.kind === 'star') states.add(++i);
  }
  return states;
}

/** Positions in `tokens` the pattern can be at after consuming exactly `prefix` (an NFA simulation). */
export function statesAfterPrefix(tokens: readonly Token[], prefix: string): Set<number> {
  let states = starClosure(tokens, new Set([0]));
  for (const ch of prefix) {
    const next = new Set<number>();
    for (const s of states) {
      const tok = tokens[s];
      if (!tok) continue;
      if (tok.kind === 'star') next.add(s);
      else if (tok.kind === 'one' || tok.ch === ch) next.add(s + 1);
    }
    states = starClosure(tokens, next);
    if (states.size === 0) break;
  }
  return states;
}

/**
 * How much of "every string that starts with `prefix` and has at least one more character" the pattern covers:
 * `all` when some state after the prefix has only stars left, `partial` when some continuation can match.
 */
export function prefixCoverage(tokens: readonly Token[], prefix: string): 'all' | 'partial' | 'none' {
  const states = statesAfterPrefix(tokens, prefix);
  let partial = false;
  for (const s of states) {
    if (s >= tokens.length) continue;
    if (tokens.slice(s).every((t) => t.kind === 'star')) return 'all';
    partial = true;
  }
  return partial ? 'partial' : 'none';
}

export function hasWildcard(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** An ARN's six colon-separated parts (the resource part may itself hold colons), or undefined. */
export function splitArn(arn: string): string[] | undefined {
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < 5; i++) {
    const colon = arn.indexOf(':', start);
    if (colon < 0) return undefined;
    parts.push(arn.slice(start, colon));
    start = colon + 1;
  }
  parts.push(arn.slice(start));
  return parts;
}

import { describe, expect, it } from 'vitest';
import { PolicyParseError } from '../../../functions/domain/policy/evaluate.ts';
import { findStatementSpans, type JsonNode, scanJson } from '../../../functions/domain/policy/json-spans.ts';

/** Rebuild a value from the scanner's spans alone, to compare with JSON.parse. */
function rebuilt(text: string, node: JsonNode): unknown {
  switch (node.kind) {
    case 'object':
      return Object.fromEntries(node.members.map((m) => [m.key, rebuilt(text, m.value)]));
    case 'array':
      return node.elements.map((e) => rebuilt(text, e));
    case 'string':
      return node.value;
    default:
      return JSON.parse(text.slice(node.start, node.end));
  }
}

describe('scanJson', () => {
  it('finds each statement span in spite of brackets, quotes and escapes inside strings', () => {
    const a = '{"Sid":"a]\\"}{[","Condition":{"StringLike":{"k":["x}","y\\\\"]}}}';
    const b = '{ "Sid" : "b\\u005d" }';
    const text = `\n{ "Version":"2012-10-17" ,"Statement" : [ ${a} ,\n\t${b}\n] }\n`;
    const { elements } = findStatementSpans(text);
    expect(elements.map((e) => text.slice(e.start, e.end))).toEqual([a, b]);
  });

  it('reads keys with escapes the way JSON.parse does', () => {
    const text = '{"Statem\\u0065nt":{"Effect":"Allow"}}';
    const { statement } = findStatementSpans(text);
    expect(text.slice(statement.start, statement.end)).toBe('{"Effect":"Allow"}');
  });

  it('skips a leading byte-order mark', () => {
    const text = '\uFEFF{"Statement":[]}';
    expect(findStatementSpans(text).statement).toMatchObject({ kind: 'array', start: 14, end: 16 });
  });

  it.each([
    ['trailing comma in an array', '{"Statement":[{},]}'],
    ['trailing comma in an object', '{"a":1,}'],
    ['single quotes', "{'a':1}"],
    ['a raw newline inside a string', '{"a":"x\ny"}'],
    ['a bad escape', '{"a":"\\x"}'],
    ['a short unicode escape', '{"a":"\\u12"}'],
    ['a leading zero', '{"a":01}'],
    ['trailing text', '{} {}'],
    ['an unterminated string', '{"a":"b'],
    ['comments', '{"a":1 /* no */}'],
    ['nothing', ''],
  ])('rejects %s, as JSON.parse does', (_name, text) => {
    expect(() => JSON.parse(text)).toThrow();
    expect(() => scanJson(text)).toThrow(PolicyParseError);
  });

  it('rejects a policy that is not an object or has no Statement', () => {
    expect(() => findStatementSpans('[]')).toThrow(PolicyParseError);
    expect(() => findStatementSpans('{"Statement":"x"}')).toThrow(PolicyParseError);
    expect(() => findStatementSpans('{"Version":"2012-10-17"}')).toThrow(PolicyParseError);
  });

  it('agrees with JSON.parse on random documents', () => {
    let seed = 42;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    const chars = [
      'a',
      'Z',
      ' ',
      '"',
      '\\',
      '/',
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      'é',
      '\u2028',
      '\n',
      '\t',
      '😀',
    ];
    const str = () =>
      Array.from({ length: Math.floor(rnd() * 6) }, () => chars[Math.floor(rnd() * chars.length)]).join('');
    const gen = (depth: number): unknown => {
      const r = rnd();
      if (depth > 3 || r < 0.3)
        return [str(), Math.floor(rnd() * 2000) - 1000, rnd() * 1e6, true, false, null][
          Math.floor(rnd() * 6)
        ];
      if (r < 0.65) return Array.from({ length: Math.floor(rnd() * 4) }, () => gen(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(rnd() * 4) }, () => [str(), gen(depth + 1)]));
    };
    for (let i = 0; i < 300; i++) {
      const v = gen(0);
      const text = JSON.stringify(v, null, i % 3 === 0 ? undefined : i % 3);
      expect(rebuilt(text, scanJson(text))).toEqual(JSON.parse(text));
    }
  });
});

// A small JSON scanner that keeps the [start, end) offset of every value in the original text, so a
// policy can be edited without re-serialising (and so without touching) the statements already there.
import { PolicyParseError } from './document.ts';

export interface JsonSpan {
  start: number;
  end: number;
}

export type JsonNode =
  | (JsonSpan & { kind: 'object'; members: JsonMember[] })
  | (JsonSpan & { kind: 'array'; elements: JsonNode[] })
  | (JsonSpan & { kind: 'string'; value: string })
  | (JsonSpan & { kind: 'number' | 'true' | 'false' | 'null' });

export interface JsonMember {
  key: string;
  keySpan: JsonSpan;
  value: JsonNode;
}

const MAX_DEPTH = 256;
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  pos = 0;
  constructor(readonly text: string) {
    // A leading byte-order mark is not part of the document.
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  fail(message: string): never {
    throw new PolicyParseError(`policy is not valid JSON: ${message} at offset ${this.pos}`);
  }

  ws(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else return;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail('nesting too deep');
    this.ws();
    const start = this.pos;
    const ch = this.text[this.pos];
    if (ch === '{') return this.object(depth);
    if (ch === '[') return this.array(depth);
    if (ch === '"') return { kind: 'string', start, value: this.string(), end: this.pos };
    for (const lit of ['true', 'false', 'null'] as const) {
      if (this.text.startsWith(lit, this.pos)) {
        this.pos += lit.length;
        return { kind: lit, start, end: this.pos };
      }
    }
    NUMBER.lastIndex = this.pos;
    const m = NUMBER.exec(this.text);
    if (m && m[0].length > 0) {
      this.pos += m[0].length;
      return { kind: 'number', start, end: this.pos };
    }
    return this.fail(ch === undefined ? 'unexpected end' : `unexpected character ${JSON.stringify(ch)}`);
  }

  string(): string {
    const start = this.pos;
    this.pos++; // opening quote
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c === 0x22) break;
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x5c) {
        const e = this.text[this.pos + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(this.text.slice(this.pos + 2, this.pos + 6)))
            this.fail('bad \\u escape');
          this.pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) this.pos += 2;
        else this.fail('bad escape');
      } else this.pos++;
    }
    this.pos++; // closing quote
    // The token is valid JSON now, so JSON.parse decodes its escapes exactly as a JSON reader would.
    return JSON.parse(this.text.slice(start, this.pos)) as string;
  }

  object(depth: number): JsonNode {
    const start = this.pos;
    this.pos++;
    const members: JsonMember[] = [];
    this.ws();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', start, end: this.pos, members };
    }
    for (;;) {
      this.ws();
      if (this.text[this.pos] !== '"') this.fail('expected a member name');
      const keyStart = this.pos;
      const key = this.string();
      const keySpan = { start: keyStart, end: this.pos };
      this.ws();
      if (this.text[this.pos] !== ':') this.fail('expected ":"');
      this.pos++;
      members.push({ key, keySpan, value: this.value(depth + 1) });
      this.ws();
      const c = this.text[this.pos];
      this.pos++;
      if (c === '}') return { kind: 'object', start, end: this.pos, members };
      if (c !== ',') {
        this.pos--;
        this.fail('expected "," or "}"');
      }
    }
  }

  array(depth: number): JsonNode {
    const start = this.pos;
    this.pos++;
    const elements: JsonNode[] = [];
    this.ws();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', start, end: this.pos, elements };
    }
    for (;;) {
      elements.push(this.value(depth + 1));
      this.ws();
      const c = this.text[this.pos];
      this.pos++;
      if (c === ']') return { kind: 'array', start, end: this.pos, elements };
      if (c !== ',') {
        this.pos--;
        this.fail('expected "," or "]"');
      }
    }
  }
}

/** Scan a whole JSON text; throws PolicyParseError on anything JSON.parse would reject. */
export function scanJson(text: string): JsonNode {
  const s = new Scanner(text);
  const root = s.value(0);
  s.ws();
  if (s.pos !== text.length) s.fail('trailing characters');
  return root;
}

export interface StatementSpans {
  root: Extract<JsonNode, { kind: 'object' }>;
  /** the value of the (last, as JSON.parse keeps the last) top-level "Statement" member */
  statement: JsonNode;
  /** each statement's span: the array's elements, or the single object itself */
  elements: JsonNode[];
}

export function findStatementSpans(text: string): StatementSpans {
  const root = scanJson(text);
  if (root.kind !== 'object') throw new PolicyParseError('policy must be a JSON object');
  const member = root.members.findLast((m) => m.key === 'Statement');
  if (!member) throw new PolicyParseError('policy has no Statement');
  const statement = member.value;
  if (statement.kind === 'array') return { root, statement, elements: statement.elements };
  if (statement.kind === 'object') return { root, statement, elements: [statement] };
  throw new PolicyParseError('Statement must be an object or an array');
}

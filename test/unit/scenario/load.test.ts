import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { jsonErrorOffset, loadScenario } from '../../../sim/scenario/load.ts';

/** Deterministic pseudo-random numbers, so a failure can be replayed. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
}

describe('jsonErrorOffset', () => {
  it('agrees with JSON.parse on what is JSON, over thousands of mutated documents', () => {
    const base = '{"a": [1, -2.5e3, true, false, null, "x\\\\y\\u00e9"], "b": {"c": {}}, "d": []}';
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '1', '-', '.', 'e', 't', 'n', 'x', '\n'];
    const random = lcg(7);
    let invalid = 0;
    for (let n = 0; n < 5000; n++) {
      let text = base;
      for (let k = 1 + Math.floor(random() * 3); k > 0; k--) {
        const at = Math.floor(random() * (text.length + 1));
        const op = random();
        const ch = alphabet[Math.floor(random() * alphabet.length)] ?? '';
        text =
          op < 0.4
            ? text.slice(0, at) + text.slice(at + 1)
            : op < 0.7
              ? text.slice(0, at) + ch + text.slice(at)
              : text.slice(0, at) + ch + text.slice(at + 1);
      }
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
        invalid++;
      }
      const offset = jsonErrorOffset(text);
      expect(offset === undefined, text).toBe(parses);
      if (offset !== undefined) expect(offset).toBeLessThanOrEqual(text.length);
    }
    expect(invalid).toBeGreaterThan(1000);
  });

  it('points at the offending character', () => {
    expect(jsonErrorOffset('{"a": }')).toBe(6);
    expect(jsonErrorOffset('[1, 2,]')).toBe(6);
    expect(jsonErrorOffset('{"a": 1} x')).toBe(9);
    expect(jsonErrorOffset('')).toBe(0);
    expect(jsonErrorOffset('{"a": "\u0001"}')).toBe(7);
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf403-load-'));
  it('names the line and column where a file stops being JSON', () => {
    const path = join(dir, 'broken.json');
    writeFileSync(path, '{\n  "name": "x",\n  "account": }\n');
    expect(() => loadScenario(path)).toThrow(
      /broken\.json: not valid JSON at position 30 \(line 3, column 14\)/,
    );
  });

  it('reads a file that starts with a byte order mark', () => {
    const path = join(dir, 'bom.json');
    writeFileSync(path, '\ufeff[]');
    // past the JSON stage: the error is about the document, not its encoding
    expect(() => loadScenario(path)).toThrow(/\(top level\): expected a scenario object/);
  });
});

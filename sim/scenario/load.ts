// Reads a scenario file; every failure is a ScenarioError that names the file.
import { readFileSync } from 'node:fs';
import type { Scenario } from './types.ts';
import { parseScenario, ScenarioError } from './validate.ts';

/** Line and column (1-based) of a character offset, for JSON parse errors. */
function lineColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ScenarioError(`${path}: cannot read the scenario file: ${reason}`, '', { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const match = /position (\d+)/.exec(reason);
    const where =
      match?.[1] === undefined
        ? ''
        : (() => {
            const { line, column } = lineColumn(text, Number(match[1]));
            return ` at position ${match[1]} (line ${line}, column ${column})`;
          })();
    throw new ScenarioError(`${path}: not valid JSON${where}: ${reason}`, '', { cause });
  }
  try {
    return parseScenario(json);
  } catch (cause) {
    if (cause instanceof ScenarioError)
      throw new ScenarioError(`${path}: ${cause.message}`, cause.path, { cause });
    throw cause;
  }
}

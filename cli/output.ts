// Output for people and pipelines: a table by default, JSON for machines, Markdown for an incident ticket;
// to stdout or to a file.
import { writeFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import type { Finding } from '../functions/domain/types.ts';
import { UsageError } from './exit.ts';

export const FORMATS = ['table', 'json', 'markdown'] as const;
export type OutputFormat = (typeof FORMATS)[number];

export interface OutputFlags {
  output?: string;
  json?: boolean;
  out?: string;
}

export function outputOptions(command: Command): Command {
  return command
    .addOption(new Option('--output <format>', 'report format (default: table)').choices(FORMATS))
    .option('--json', 'short for --output json')
    .option('--out <file>', 'write the report to this file instead of stdout');
}

export function outputFormat(flags: OutputFlags): OutputFormat {
  if (flags.json && flags.output !== undefined && flags.output !== 'json')
    throw new UsageError(`--json and --output ${flags.output} cannot be used together: choose one format`);
  if (flags.json) return 'json';
  return (flags.output as OutputFormat | undefined) ?? 'table';
}

interface Streams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
}

/** Writes the report (a trailing newline added) to `--out` or stdout. */
export function writeReport(text: string, flags: OutputFlags, io: Streams): void {
  const body = text.endsWith('\n') ? text : `${text}\n`;
  if (flags.out === undefined) {
    io.stdout.write(body);
    return;
  }
  try {
    writeFileSync(flags.out, body);
  } catch (err) {
    throw new UsageError(
      `--out ${flags.out}: cannot write the report: ${(err as NodeJS.ErrnoException).code ?? err}`,
      {
        cause: err,
      },
    );
  }
  io.stderr.write(`cf403: report written to ${flags.out}\n`);
}

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

/** A Markdown table cell: pipes escaped, line breaks as <br>. */
export function cell(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

export function markdownTable(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (r: readonly string[]) => `| ${r.map(cell).join(' | ')} |`;
  return [line(head), `| ${head.map(() => '---').join(' | ')} |`, ...rows.map(line)].join('\n');
}

// ---- --fail-on: the findings that make a run exit 4 ----

export type FailOn = { kind: 'any' } | { kind: 'confidence'; min: number };

/** `any`, or a confidence between 0 and 1 (a cause at or above it fails the run). */
export function parseFailOn(value: string): FailOn {
  if (value === 'any') return { kind: 'any' };
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1)
    throw new UsageError(`--fail-on ${value}: expected 'any' or a confidence between 0 and 1, such as 0.7`);
  return { kind: 'confidence', min: n };
}

export function failing(causes: readonly Finding[], failOn: FailOn | undefined): Finding[] {
  if (failOn === undefined) return [];
  return failOn.kind === 'any' ? [...causes] : causes.filter((c) => c.confidence >= failOn.min);
}

// A run that completed with some reads refused says so on stderr, whatever the output format.
import { policyFile } from './failure.ts';
import { describeRefusal, type Refusal } from './refusals.ts';

export function partialNotice(command: string, refused: readonly Refusal[]): string {
  const run = command === 'diagnose' ? 'diagnosis' : command;
  const lines = [
    `cf403: partial: AWS refused ${refused.length} read${refused.length === 1 ? '' : 's'}; the ${run} went on without ${refused.length === 1 ? 'it' : 'them'}:`,
    ...refused.map((r) => `  ${describeRefusal(r)}`),
    `Next: grant the permissions in docs/policies/${policyFile(command)} for a complete report.`,
  ];
  return `${lines.join('\n')}\n`;
}

export function reportPartial(
  command: string,
  refused: readonly Refusal[],
  stderr: { write(text: string): unknown },
): void {
  if (refused.length > 0) stderr.write(partialNotice(command, refused));
}

// `cf403 pending | approve | reject`: the same Systems Manager approval the console shows, from a terminal.
// The caller's own credentials sign the signal, so SSM records who decided, exactly as in the console.
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Command } from 'commander';
import {
  type PendingApproval,
  PendingApprovals,
  pendingApprovals,
  reconciledPendingApprovals,
  signalApproval,
} from '../functions/adapters/approvals.ts';
import type { AwsClients } from '../functions/adapters/clients.ts';
import type { PendingRow } from '../functions/domain/approval.ts';
import { type AwsFlags, resolveTarget } from './aws.ts';
import { awsOptions, type CliDeps, type Run } from './context.ts';
import { json, markdownTable, type OutputFlags, outputFormat, outputOptions, writeReport } from './output.ts';
import { recordingClients } from './recorder.ts';

export const DEFAULT_APPROVAL_DOCUMENT = 'Cf403Remediation-Approval';

interface CommonFlags extends AwsFlags, OutputFlags {
  document: string;
}

function shortName(executionId: string): string {
  return executionId.split(':').pop() ?? executionId;
}

export function renderPending(pending: readonly PendingApproval[]): string {
  if (pending.length === 0) return 'No remediation is waiting for approval.';
  const out: string[] = [];
  for (const p of pending) {
    out.push(
      `${shortName(p.executionId)}  ${p.distributionId}  since ${p.startedAt ?? '?'}  (automation ${p.automationExecutionId})`,
    );
    if (p.message) out.push(p.message.replace(/^/gm, '    '));
  }
  return out.join('\n');
}

export function renderPendingMarkdown(pending: readonly PendingApproval[]): string {
  if (pending.length === 0) return 'No remediation is waiting for approval.';
  return [
    `## cf403 pending: ${pending.length} remediation${pending.length === 1 ? '' : 's'} waiting for approval`,
    '',
    markdownTable(
      ['Execution', 'Distribution', 'Since', 'Automation', 'Plan'],
      pending.map((p) => [
        `\`${shortName(p.executionId)}\``,
        `\`${p.distributionId}\``,
        p.startedAt ?? '?',
        `\`${p.automationExecutionId}\``,
        p.message ?? '',
      ]),
    ),
  ].join('\n');
}

/** The reconciled state (`--table`): what waits for people, what is decided but not relayed, orphans. */
export function renderReconciled(rows: readonly PendingRow[], format: 'table' | 'markdown'): string {
  if (rows.length === 0)
    return 'No remediation is waiting for approval, and no approval is left to reconcile.';
  if (format === 'markdown') {
    return [
      `## cf403 pending: ${rows.length} approval${rows.length === 1 ? '' : 's'}`,
      '',
      markdownTable(
        ['Execution', 'Distribution', 'Automation', 'Status', 'Next', 'Since'],
        rows.map((r) => [
          `\`${shortName(r.executionId)}\``,
          `\`${r.distributionId}\``,
          `\`${r.automationExecutionId}\``,
          r.automationStatus,
          r.state,
          r.startedAt ?? '?',
        ]),
      ),
    ].join('\n');
  }
  const out: string[] = [];
  for (const r of rows) {
    out.push(
      `${shortName(r.executionId)}  ${r.distributionId}  ${r.automationStatus}: ${r.state}  since ${r.startedAt ?? '?'}  (automation ${r.automationExecutionId})`,
    );
    if (r.note) out.push(`    sweep: ${r.note}`);
    if (r.message && r.automationStatus === 'Waiting') out.push(r.message.replace(/^/gm, '    '));
  }
  return out.join('\n');
}

export interface DecisionRecord {
  decision: 'approved' | 'rejected';
  executionId: string;
  automationExecutionId: string;
  distributionId: string;
  comment?: string;
}

export function renderDecision(d: DecisionRecord, format: 'table' | 'markdown'): string {
  const sentence = `${d.decision === 'approved' ? 'Approved' : 'Rejected'} ${d.executionId} (automation ${d.automationExecutionId}).`;
  if (format === 'table') return sentence;
  return [
    `**${sentence}**`,
    '',
    markdownTable(['Distribution', 'Comment'], [[`\`${d.distributionId}\``, d.comment ?? '']]),
  ].join('\n');
}

export function registerApprovals(program: Command, run: Run, deps: CliDeps): void {
  const common = (c: Command) => {
    c.option(
      '--document <name>',
      'the approval Automation document (the stack output ApprovalDocumentName)',
      process.env.CF403_APPROVAL_DOCUMENT ?? DEFAULT_APPROVAL_DOCUMENT,
    );
    awsOptions(c);
    outputOptions(c);
    return c;
  };
  /** The SSM client of the stack's region, every call recorded for the error report. */
  const ssmFor = async (name: string, o: CommonFlags): Promise<SSMClient> => {
    run.command = name;
    const target = await resolveTarget(o, deps.env);
    run.target = target;
    const recorder = recordingClients((await deps.awsClients(target, ['ssm'])) as AwsClients);
    run.calls = recorder.calls;
    return recorder.clients.ssm;
  };

  common(program.command('pending').description('list remediations waiting for approval'))
    .option(
      '--table <name>',
      'the stack output TableName: show the reconciled state (decided but not relayed yet, approvals no workflow waits for)',
      process.env.CF403_TABLE_NAME,
    )
    .action(async (o: CommonFlags & { table?: string }) => {
      const format = outputFormat(o);
      if (o.table) {
        run.command = 'pending';
        const target = await resolveTarget(o, deps.env);
        run.target = target;
        const recorder = recordingClients((await deps.awsClients(target, ['ssm', 'dynamodb'])) as AwsClients);
        run.calls = recorder.calls;
        const rows = await reconciledPendingApprovals(
          recorder.clients.ssm,
          o.document,
          new PendingApprovals(recorder.clients.dynamodb, o.table),
        );
        writeReport(format === 'json' ? json(rows) : renderReconciled(rows, format), o, deps);
        return;
      }
      const pending = await pendingApprovals(await ssmFor('pending', o), o.document);
      writeReport(
        format === 'json'
          ? json(pending)
          : format === 'markdown'
            ? renderPendingMarkdown(pending)
            : renderPending(pending),
        o,
        deps,
      );
    });

  for (const [name, signal] of [
    ['approve', 'Approve'],
    ['reject', 'Reject'],
  ] as const) {
    common(
      program
        .command(name)
        .description(`${name} a pending remediation (execution name, ARN or automation id)`),
    )
      .argument('<execution>', 'the Step Functions execution name or ARN, or the automation execution id')
      .option('--comment <text>', 'recorded with your decision')
      .action(async (execution: string, o: CommonFlags & { comment?: string }) => {
        const format = outputFormat(o);
        const p = await signalApproval(await ssmFor(name, o), o.document, execution, signal, o.comment);
        const record: DecisionRecord = {
          decision: signal === 'Approve' ? 'approved' : 'rejected',
          executionId: p.executionId || execution,
          automationExecutionId: p.automationExecutionId,
          distributionId: p.distributionId,
          ...(o.comment ? { comment: o.comment } : {}),
        };
        writeReport(format === 'json' ? json(record) : renderDecision(record, format), o, deps);
      });
  }
}

// `cf403 pending | approve | reject`: the same Systems Manager approval the console shows, from a terminal.
// The caller's own credentials sign the signal, so SSM records who decided, exactly as in the console.
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Command } from 'commander';
import { pendingApprovals, signalApproval } from '../functions/adapters/approvals.ts';

export const DEFAULT_APPROVAL_DOCUMENT = 'Cf403Remediation-Approval';

interface CommonOptions {
  document: string;
  region: string;
  profile?: string;
  json?: boolean;
}

export function registerApprovals(program: Command, ssmFor: (region: string) => Promise<SSMClient>): void {
  const common = (c: Command) =>
    c
      .option(
        '--document <name>',
        'the approval Automation document',
        process.env.CF403_APPROVAL_DOCUMENT ?? DEFAULT_APPROVAL_DOCUMENT,
      )
      .option('--region <region>', 'region of the stack', process.env.AWS_REGION ?? 'us-east-1')
      .option('--profile <profile>', 'named profile of the shared AWS config');
  const client = (o: CommonOptions) => {
    if (o.profile) process.env.AWS_PROFILE = o.profile;
    return ssmFor(o.region);
  };

  common(program.command('pending').description('list remediations waiting for approval'))
    .option('--json', 'print JSON')
    .action(async (o: CommonOptions) => {
      const pending = await pendingApprovals(await client(o), o.document);
      if (o.json) {
        process.stdout.write(`${JSON.stringify(pending, null, 2)}\n`);
        return;
      }
      if (pending.length === 0) process.stdout.write('No remediation is waiting for approval.\n');
      for (const p of pending) {
        process.stdout.write(
          `${p.executionId.split(':').pop()}  ${p.distributionId}  since ${p.startedAt ?? '?'}  (automation ${p.automationExecutionId})\n`,
        );
        if (p.message) process.stdout.write(`${p.message.replace(/^/gm, '    ')}\n`);
      }
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
      .action(async (execution: string, o: CommonOptions & { comment?: string }) => {
        const p = await signalApproval(await client(o), o.document, execution, signal, o.comment);
        process.stdout.write(
          `${signal === 'Approve' ? 'Approved' : 'Rejected'} ${p.executionId || execution} (automation ${p.automationExecutionId}).\n`,
        );
      });
  }
}

// Messages for people (e-mail) that also carry a JSON block for chat tools.
import type { Diagnosis, Plan } from './types.ts';

export interface Message {
  subject: string;
  body: string;
}

function consoleLink(executionId: string): string {
  const region = executionId.split(':')[3] ?? 'us-east-1';
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionId}`;
}

export function approvalMessage(opts: {
  executionId: string;
  distributionId: string;
  diagnosis: Diagnosis;
  plan: Plan;
}): Message {
  const lines = [
    `cf403 needs approval to repair CloudFront distribution ${opts.distributionId}.`,
    '',
    'Diagnosis:',
    ...opts.diagnosis.causes.map((c) => `  - ${c.id} (${Math.round(c.confidence * 100)}%): ${c.summary}`),
    '',
    'Planned changes:',
    ...opts.plan.actions.map((a) => `  - [${a.risk}] ${a.description}`),
    '',
    `Execution: ${consoleLink(opts.executionId)}`,
  ];
  const data = {
    type: 'approval-needed',
    distributionId: opts.distributionId,
    executionId: opts.executionId,
    causes: opts.diagnosis.causes.map((c) => c.id),
    actions: opts.plan.actions.map((a) => ({ id: a.id, risk: a.risk })),
  };
  return {
    subject: `cf403: approval needed for ${opts.distributionId}`.slice(0, 99),
    body: `${lines.join('\n')}\n\n${JSON.stringify(data)}`,
  };
}

export function outcomeMessage(executionId: string, state: Record<string, unknown>): Message {
  const outcome = typeof state.outcome === 'string' ? state.outcome : 'UNKNOWN';
  const distributionId =
    (state.collect as { distributionId?: string } | undefined)?.distributionId ?? 'unknown';
  const diagnosis = state.diagnosis as Diagnosis | undefined;
  const error = state.error as { Error?: string; Cause?: string } | undefined;
  const lines = [
    `cf403 finished for distribution ${distributionId}: ${outcome}.`,
    ...(diagnosis?.causes.length
      ? ['', 'Causes:', ...diagnosis.causes.map((c) => `  - ${c.id}: ${c.summary}`)]
      : []),
    ...(error?.Error ? ['', `Error: ${error.Error}: ${error.Cause ?? ''}`] : []),
    '',
    `Execution: ${consoleLink(executionId)}`,
  ];
  const data = {
    type: 'outcome',
    outcome,
    distributionId,
    executionId,
    causes: diagnosis?.causes.map((c) => c.id) ?? [],
  };
  return {
    subject: `cf403: ${outcome} for ${distributionId}`.slice(0, 99),
    body: `${lines.join('\n')}\n\n${JSON.stringify(data)}`,
  };
}

// Messages for people (readable as e-mail) that end with one JSON line for chat tools and filters.
// Never put a task token here: anyone on the topic would read it.
import { parseAlarmEvent } from './alarm-event.ts';
import type { Action, AppliedChange, Diagnosis, FieldDiff, Plan } from './types.ts';

export type MessageType =
  | 'diagnosis-done'
  | 'approval-needed'
  | 'change-applied'
  | 'verified'
  | 'escalated'
  | 'rejected'
  | 'rolled-back'
  | 'failed'
  | 'no-action-needed';

export interface Message {
  type: MessageType;
  subject: string;
  body: string;
}

function regionOf(executionId: string): string {
  return executionId.split(':')[3] || 'us-east-1';
}

export function executionLink(executionId: string): string {
  const region = regionOf(executionId);
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${executionId}`;
}

export function approvalLink(executionId: string, automationExecutionId: string): string {
  const region = regionOf(executionId);
  return `https://${region}.console.aws.amazon.com/systems-manager/automation/execution/${automationExecutionId}?region=${region}`;
}

function message(
  type: MessageType,
  subject: string,
  lines: string[],
  data: Record<string, unknown>,
): Message {
  // SNS subjects are at most 100 printable ASCII characters.
  const safeSubject = subject.replace(/[^\x20-\x7e]/g, '?').slice(0, 99);
  return { type, subject: safeSubject, body: `${lines.join('\n')}\n\n${JSON.stringify({ type, ...data })}` };
}

/** A distribution as people read it: with its account when known (issue 15: one hub serves many accounts). */
function named(distributionId: string, account: string | undefined): string {
  return account ? `${distributionId} (account ${account})` : distributionId;
}

function causeLines(diagnosis: Diagnosis | undefined): string[] {
  if (!diagnosis?.causes.length) return [];
  return [
    'Causes:',
    ...diagnosis.causes.flatMap((c) => [
      `  - ${c.id} (${Math.round(c.confidence * 100)}%): ${c.summary}`,
      ...c.evidence.slice(0, 5).map((e) => `      · ${e}`),
    ]),
  ];
}

function show(v: unknown): string {
  if (v === null || v === undefined) return '(none)';
  return typeof v === 'string' ? v : JSON.stringify(v, null, 2);
}

function diffLines(diff: readonly FieldDiff[]): string[] {
  return diff.flatMap((d) => [
    `      ${d.path}:`,
    `        before: ${show(d.before).replace(/\n/g, '\n        ')}`,
    `        after:  ${show(d.after).replace(/\n/g, '\n        ')}`,
  ]);
}

function actionLines(actions: readonly Action[], withDiff: boolean): string[] {
  return actions.flatMap((a) => [
    `  - [${a.risk}] ${a.description}`,
    ...(a.calls.length ? [`      calls: ${a.calls.map((c) => `${c.api} ${c.target}`).join(', ')}`] : []),
    ...(withDiff ? diffLines(a.diff) : []),
  ]);
}

export function diagnosisMessage(opts: {
  executionId: string;
  distributionId: string;
  /** the distribution's account */
  account?: string;
  diagnosis: Diagnosis;
}): Message {
  const { diagnosis } = opts;
  const dist = named(opts.distributionId, opts.account);
  const headline = !diagnosis.reproduced
    ? 'the 403s no longer reproduce'
    : diagnosis.causes.length === 0
      ? 'the 403s reproduce but no known cause explains them'
      : `${diagnosis.causes.map((c) => c.id).join(', ')}`;
  return message(
    'diagnosis-done',
    `cf403: diagnosis for ${dist}: ${headline}`,
    [
      `cf403 diagnosed distribution ${dist}: ${headline}.`,
      '',
      ...causeLines(diagnosis),
      ...evidenceLines(diagnosis),
      '',
      `Execution: ${executionLink(opts.executionId)}`,
    ],
    {
      distributionId: opts.distributionId,
      ...(opts.account ? { account: opts.account } : {}),
      executionId: opts.executionId,
      causes: diagnosis.causes.map((c) => ({ id: c.id, confidence: c.confidence })),
    },
  );
}

export function approvalMessage(opts: {
  executionId: string;
  distributionId: string;
  /** the distribution's account */
  account?: string;
  diagnosis: Diagnosis;
  plan: Plan;
  automationExecutionId?: string;
}): Message {
  const links = [
    `Execution: ${executionLink(opts.executionId)}`,
    ...(opts.automationExecutionId
      ? [`Approve or deny: ${approvalLink(opts.executionId, opts.automationExecutionId)}`]
      : []),
  ];
  return message(
    'approval-needed',
    `cf403: approval needed for ${named(opts.distributionId, opts.account)}`,
    [
      `cf403 needs approval to repair CloudFront distribution ${named(opts.distributionId, opts.account)}.`,
      '',
      ...causeLines(opts.diagnosis),
      '',
      'Planned changes (each restored from a snapshot if the fix does not cure the 403):',
      ...actionLines(opts.plan.actions, true),
      '',
      ...links,
    ],
    {
      distributionId: opts.distributionId,
      ...(opts.account ? { account: opts.account } : {}),
      executionId: opts.executionId,
      automationExecutionId: opts.automationExecutionId,
      causes: opts.diagnosis.causes.map((c) => c.id),
      actions: opts.plan.actions.map((a) => ({ id: a.id, risk: a.risk, cause: a.cause })),
    },
  );
}

/** The short text an approver reads in the Systems Manager console. */
export function approvalSummary(
  distributionId: string,
  diagnosis: Diagnosis,
  plan: Plan,
  account?: string,
): string {
  return [
    `cf403 asks to repair CloudFront distribution ${named(distributionId, account)}.`,
    `Causes: ${diagnosis.causes.map((c) => `${c.id} (${Math.round(c.confidence * 100)}%)`).join(', ') || 'none'}.`,
    'Changes:',
    ...plan.actions.filter((a) => a.change).map((a) => `- [${a.risk}] ${a.description}`),
  ].join('\n');
}

export function appliedMessage(opts: {
  executionId: string;
  distributionId: string;
  /** the distribution's account */
  account?: string;
  applied: readonly AppliedChange[];
}): Message {
  const dist = named(opts.distributionId, opts.account);
  return message(
    'change-applied',
    `cf403: changes applied to ${dist}`,
    [
      `cf403 applied ${opts.applied.length} change(s) to distribution ${dist}; verification follows.`,
      '',
      ...opts.applied.flatMap((a) => [`  - ${a.description}`, ...a.calls.map((c) => `      ${c}`)]),
      '',
      `Execution: ${executionLink(opts.executionId)}`,
    ],
    {
      distributionId: opts.distributionId,
      ...(opts.account ? { account: opts.account } : {}),
      executionId: opts.executionId,
      applied: opts.applied.map((a) => a.actionId),
    },
  );
}

const OUTCOME_TYPES: Record<string, MessageType> = {
  REMEDIATED: 'verified',
  ESCALATED: 'escalated',
  REJECTED: 'rejected',
  ROLLED_BACK: 'rolled-back',
  FAILED: 'failed',
  NO_ACTION_NEEDED: 'no-action-needed',
};

const OUTCOME_TEXT: Record<string, string> = {
  REMEDIATED: 'the fix is applied and verified: the failing requests no longer get 403',
  ESCALATED: 'a person must act: the causes are intentional controls or outside what cf403 changes',
  REJECTED: 'the plan was rejected (or the approval timed out); nothing was changed',
  ROLLED_BACK: 'the fix did not cure the 403; every change was restored',
  FAILED: 'the workflow could not finish; any change it made was restored',
  NO_ACTION_NEEDED: 'the 403s no longer reproduce',
};

/**
 * The distribution and account an execution is about: collect's result, else the alarm event it started from
 * at the state's top level (an execution that failed before collect returned, e.g. an alarm of an account the
 * hub cannot act in).
 */
function subjectOf(state: Record<string, unknown>): { distributionId: string; account: string | undefined } {
  const collect = state.collect as { distributionId?: string; account?: string } | undefined;
  let trigger: ReturnType<typeof parseAlarmEvent> | undefined;
  try {
    // the execution's input is the EventBridge event itself (lib/constructs/alarm-rule.ts): the state's top level
    trigger = parseAlarmEvent(state);
  } catch {
    trigger = undefined; // a malformed event: its own error says so
  }
  const fromEvent = trigger && !trigger.ignored ? trigger : undefined;
  const account = collect?.account || fromEvent?.account;
  return { distributionId: collect?.distributionId ?? fromEvent?.distributionId ?? 'unknown', account };
}

export function outcomeMessage(executionId: string, state: Record<string, unknown>): Message {
  const outcome = typeof state.outcome === 'string' ? state.outcome : 'FAILED';
  const { distributionId, account } = subjectOf(state);
  // nothing was attempted when the execution failed before applying anything (no apply, no rollback)
  const changedNothing =
    state.apply === undefined && state.rollback === undefined && state.rollbackError === undefined;
  const dist = named(distributionId, account);
  const diagnosis = state.diagnosis as Diagnosis | undefined;
  const plan = state.plan as { actions?: Action[] } | undefined;
  const error = state.error as { Error?: string; Cause?: string } | undefined;
  const rollback = state.rollback as { restored?: string[] } | undefined;
  const restored = rollback?.restored ?? [];
  const rollbackError = (state.rollbackError ??
    (error?.Error === 'RollbackIncompleteError' ? error : undefined)) as
    | { Error?: string; Cause?: string }
    | undefined;
  const recommendations = (plan?.actions ?? []).filter((a) => outcome === 'ESCALATED' || a.risk === 'manual');
  return message(
    OUTCOME_TYPES[outcome] ?? 'failed',
    `cf403: ${outcome} for ${dist}`,
    [
      `cf403 finished for distribution ${dist}: ${outcome}: ${
        outcome === 'FAILED' && rollbackError
          ? 'the workflow could not finish, and restoring its changes did not complete: check the resources named below'
          : outcome === 'REMEDIATED' &&
              (state.verify as { verdict?: string } | undefined)?.verdict === 'unverifiable'
            ? 'the fix is applied and kept, but neither the probe nor the viewers could verify it (see Verification)'
            : outcome === 'NO_ACTION_NEEDED' && diagnosis?.noise
              ? 'no outage: the 403s are scanners probing paths that never existed, while real pages are served (see the advice)'
              : outcome === 'ESCALATED' && diagnosis?.unexplained
                ? 'a person must act: no known cause explains the 403s; everything gathered is below'
                : outcome === 'FAILED' && changedNothing
                  ? 'the workflow could not finish; it had changed nothing'
                  : (OUTCOME_TEXT[outcome] ?? '')
      }.`,
      ...(rollbackError
        ? ['', `Rollback incomplete: ${rollbackError.Error ?? ''}: ${rollbackError.Cause ?? ''}`]
        : []),
      ...(diagnosis ? ['', ...causeLines(diagnosis), ...evidenceLines(diagnosis)] : []),
      ...verificationLines(state.verify, diagnosis),
      ...(recommendations.length
        ? ['', 'Recommended:', ...recommendations.map((a) => `  - ${a.description}`)]
        : []),
      ...(restored.length ? ['', 'Restored:', ...restored.map((r) => `  - ${r}`)] : []),
      ...(error?.Error ? ['', `Error: ${error.Error}: ${error.Cause ?? ''}`] : []),
      '',
      `Execution: ${executionLink(executionId)}`,
    ],
    {
      outcome,
      distributionId,
      ...(account ? { account } : {}),
      executionId,
      causes: diagnosis?.causes.map((c) => c.id) ?? [],
      error: error?.Error,
    },
  );
}

/**
 * What the verification saw and could not see (issue 10): never silent about a request the probe could not
 * make as a viewer would, nor about a fix kept without proof.
 */
export function verificationLines(verify: unknown, diagnosis: Diagnosis | undefined): string[] {
  const out: string[] = [];
  const unreproducible = diagnosis?.unreproducible ?? [];
  if (unreproducible.length > 0) {
    out.push('', 'The probe could not reproduce these as a viewer would (diagnosed from the access logs):');
    for (const u of unreproducible) out.push(`  - ${u.method} ${u.url}: ${u.reason}`);
  }
  const v = verify as
    | {
        verdict?: string;
        verifiedBy?: string;
        reason?: string;
        requests?: { url: string; method: string; verdict: string; reason: string }[];
        viewers?: { reason?: string };
      }
    | undefined;
  if (!v?.verdict) return out;
  const by =
    v.verifiedBy === 'viewer-metrics'
      ? ' (from the viewers: CloudWatch)'
      : v.verifiedBy === 'none'
        ? ' (nothing could tell)'
        : '';
  out.push('', `Verification: ${v.verdict}${by}`);
  for (const r of v.requests ?? []) out.push(`  - ${r.verdict}: ${r.method} ${r.url}: ${r.reason}`);
  if (v.viewers?.reason) out.push(`  - viewers: ${v.viewers.reason}`);
  if (v.verdict === 'unverifiable')
    out.push(
      '  The fix is kept: nothing showed that it failed, and nothing could show that it worked. Check the site as a viewer.',
    );
  return out;
}

/**
 * What a diagnosis found beside its causes (issue 11): requests set aside as noise with the better alarm to
 * set, and, when no cause explains the 403s, every failing request's fingerprint and every check found fine.
 */
export function evidenceLines(diagnosis: Diagnosis | undefined): string[] {
  const out: string[] = [];
  const noise = diagnosis?.noise;
  if (noise) {
    out.push('', `Set aside: ${noise.summary}.`, ...noise.evidence.map((e) => `  · ${e}`));
    out.push('Advice (a better alarm):', ...noise.advice.map((a) => `  - ${a}`));
  }
  const unexplained = diagnosis?.unexplained;
  if (unexplained) {
    out.push(
      '',
      'No known cause explains these failing requests:',
      ...unexplained.requests.map((r) => `  - ${r}`),
    );
    out.push('Checked and found fine:', ...unexplained.checked.map((c) => `  · ${c}`));
    if (unexplained.unreadable.length > 0)
      out.push('Could not be checked:', ...unexplained.unreadable.map((c) => `  · ${c}`));
  }
  return out;
}

// The report as a timeline a person can follow: seen → diagnosis → plan → approval → change → verification.

import type { Report } from '@cf403/simulator';
import { describeProbe } from '../functions/domain/fingerprint.ts';

const color = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
const bold = (s: string) => paint(1, s);
const OUTCOME_COLOR: Record<string, number> = {
  REMEDIATED: 32,
  NO_ACTION_NEEDED: 32,
  ESCALATED: 33,
  REJECTED: 33,
  ROLLED_BACK: 35,
  FAILED: 31,
};

function duration(seconds: number): string {
  const m = Math.floor(seconds / 60);
  const s = Math.round(seconds % 60);
  return m > 0 ? `${m} min ${s} s` : `${s} s`;
}

/** Lines only in `b` (+) or only in `a` (-), by longest common subsequence: policies are small. */
function lineDiff(a: string[], b: string[]): string[] {
  const n = a.length;
  const m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] ?? [];
      row[j] =
        a[i] === b[j] ? (lcs[i + 1]?.[j + 1] ?? 0) + 1 : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || (lcs[i]?.[j + 1] ?? 0) >= (lcs[i + 1]?.[j] ?? 0))) {
      out.push(paint(32, `+ ${b[j++] ?? ''}`));
    } else {
      out.push(paint(31, `- ${a[i++] ?? ''}`));
    }
  }
  return out;
}

/** A change in a few lines: policy documents as the lines they gain or lose, fields as before → after. */
function diffLines(path: string, before: unknown, after: unknown): string[] {
  if (typeof after === 'string' && (typeof before === 'string' || before === null) && after.includes('\n')) {
    return [`${path}:`, ...lineDiff((before ?? '').split('\n'), after.split('\n'))];
  }
  const show = (v: unknown) => (typeof v === 'string' ? (v === '' ? "''" : v) : JSON.stringify(v));
  return [`${path}: ${show(before)} → ${show(after)}`];
}

/**
 * The report's account fields (issue 15; docs/report-format.md): the distribution's account, and the account of
 * an action that writes in another one (a bucket of another account). Optional: a single-account report has none.
 */
type AccountFields = {
  account?: string;
  actions: (Report['actions'][number] & { account?: string })[];
};

export function timeline(full: Report, description: string): string {
  const report: Report & AccountFields = full;
  const inAccount = (account: string | undefined) => (account ? ` (account ${account})` : '');
  const out: string[] = [];
  const head = (label: string, text = '') => out.push(`${bold(label.padEnd(10))} ${text}`);
  const line = (text: string) => out.push(`${' '.repeat(11)}${text}`);
  out.push(bold(`cf403 · ${report.scenario}`), description, '');
  head(
    'ALARM',
    `4xxErrorRate alarm on the distribution${report.account ? ` in account ${report.account}` : ''} → remediation workflow started`,
  );
  head('SEEN', `${report.probes.before.length} failing request(s) replayed by the probe:`);
  for (const p of report.probes.before) line(`${describeProbe({ ...p })}  (X-Cache: ${p.xCache ?? '-'})`);
  if (report.causes.length === 0) {
    head(
      'DIAGNOSIS',
      report.outcome === 'NO_ACTION_NEEDED'
        ? 'no 403 reproduces: nothing to fix'
        : 'no known cause explains the 403s',
    );
  } else {
    head('DIAGNOSIS');
    report.causes.forEach((c, i) => {
      line(`${i + 1}. ${bold(c.id)} (${Math.round(c.confidence * 100)}%) ${c.summary}`);
      for (const e of c.evidence.slice(0, 6)) line(`     · ${e}`);
    });
  }
  if (report.actions.length > 0) {
    head('PLAN', report.approval.required ? '(destructive: needs approval)' : '');
    for (const a of report.actions) {
      line(`- [${a.risk}] ${a.description}${inAccount(a.account)}`);
      for (const d of a.diff) for (const l of diffLines(d.path, d.before, d.after)) line(`    ${l}`);
    }
  }
  if (report.approval.required) {
    head(
      'APPROVAL',
      `${report.approval.decision}${report.approval.approver ? ` by ${report.approval.approver}` : ''}`,
    );
  }
  const actions: AccountFields['actions'] = report.actions;
  const applied = actions.filter((a) => a.applied);
  if (applied.length > 0) {
    head('CHANGE');
    for (const a of applied) line(`✓ ${a.description}${inAccount(a.account)}`);
    head('DEPLOY', 'waited for Deployed, invalidated the failing paths');
  }
  if (report.probes.after.length > 0) {
    head('VERIFY');
    for (const p of report.probes.after) line(describeProbe({ ...p }));
  }
  if (report.rollback?.restored.length) {
    head('ROLLBACK');
    for (const r of report.rollback.restored) line(`↺ ${r}`);
  }
  if (report.rollback?.error)
    head('ROLLBACK', paint(31, `incomplete: ${report.rollback.error.error}: ${report.rollback.error.cause}`));
  if (report.error) head('ERROR', `${report.error.error}: ${report.error.cause}`);
  if (report.notifyError)
    head(
      'NOTIFY',
      `the outcome notification failed (${report.notifyError.error}); the audit record and the execution history still hold the result`,
    );
  out.push('');
  head(
    'OUTCOME',
    `${paint(OUTCOME_COLOR[report.outcome] ?? 0, bold(report.outcome))}  (simulated ${duration(report.simulatedSeconds)}, ${report.awsCalls} AWS calls, ${report.states.length} states)`,
  );
  return out.join('\n');
}

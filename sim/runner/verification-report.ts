// The report's issue-10 fields: what the verification saw request by request, what it could not see and why,
// the viewers' side when it decided, and which access logs the diagnosis read (docs/report-format.md).
import type { AccessLogSummary, Diagnosis, Evidence } from '../../functions/domain/types.ts';
import type { RequestCheck, Verdict } from '../../functions/domain/verification.ts';
import type { ViewerCheck } from '../../functions/steps/verify/handler.ts';

export interface VerificationReport {
  verdict: Verdict;
  /** `probe`: the workflow's own requests; `viewer-metrics`: CloudWatch; `none`: nothing could tell */
  verifiedBy: 'probe' | 'viewer-metrics' | 'none';
  reason: string;
  /** each failing request: cured, not cured (the fix is rolled back) or unverifiable, with the reason */
  requests: RequestCheck[];
  viewers?: ViewerCheck;
}

export function verificationFields(
  verify: Partial<VerificationReport> | undefined,
  diagnosis: Diagnosis | undefined,
  evidenceText: string | undefined,
): {
  verification?: VerificationReport;
  unreproducible?: NonNullable<Diagnosis['unreproducible']>;
  accessLogs?: AccessLogSummary;
} {
  let logs: AccessLogSummary | undefined;
  try {
    logs = evidenceText ? (JSON.parse(evidenceText) as Evidence).logs : undefined;
  } catch {
    logs = undefined;
  }
  return {
    ...(verify?.verdict
      ? {
          verification: {
            verdict: verify.verdict,
            verifiedBy: verify.verifiedBy ?? 'probe',
            reason: verify.reason ?? '',
            requests: verify.requests ?? [],
            ...(verify.viewers ? { viewers: verify.viewers } : {}),
          },
        }
      : {}),
    ...(diagnosis?.unreproducible?.length ? { unreproducible: diagnosis.unreproducible } : {}),
    ...(logs ? { accessLogs: logs } : {}),
  };
}

// Every few minutes: reconciles the pending approvals with Systems Manager and Step Functions, so no decision
// is lost and no approval waits for nobody. EventBridge delivers Systems Manager's status events on a best
// effort basis, so a decided approval whose event never came is relayed here; an approval whose workflow no
// longer waits (timed out, stopped) is cancelled so nobody answers it; a Waiting approval with no record
// (its request failed before recording it) is cancelled once older than the grace period.
import {
  cancelApproval,
  type ExecutionSummary,
  listWaitingApprovals,
  relayApproval,
  taskStillWaits,
} from '../../adapters/approvals.ts';
import { METRIC } from '../../domain/metrics.ts';
import { relaySetup } from '../relay/handler.ts';
import { lambdaHandler, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

/** A Waiting approval without a record is left alone this long: requestApproval records it right after starting it. */
export const ORPHAN_GRACE_SECONDS = 300;

export interface SweepResult {
  /** pending records looked at */
  checked: number;
  /** decisions delivered (their event was lost or their relay failed) */
  relayed: { automationExecutionId: string; decision: string }[];
  /** approvals cancelled: their workflow no longer waits, or no workflow ever recorded them */
  cancelled: { automationExecutionId: string; reason: string }[];
  /** approvals still waiting for people */
  waiting: number;
  /** records the sweep could not settle this time, with the error; the next run tries again */
  failed: { automationExecutionId: string; error: string }[];
}

export async function run(_input: unknown, deps: StepDeps): Promise<SweepResult> {
  const { store, config } = relaySetup(deps, 'sweep');
  const now = deps.now();
  const result: SweepResult = { checked: 0, relayed: [], cancelled: [], waiting: 0, failed: [] };
  const records = await store.list();
  /** recorded approvals this run closed (relayed or cancelled); orphans were never counted as requested */
  let closed = 0;
  for (const record of records) {
    result.checked++;
    const id = record.automationExecutionId;
    try {
      const relay = await relayApproval(deps.clients, store, config, id, record);
      if (relay.relayed) {
        result.relayed.push({ automationExecutionId: id, decision: relay.decision });
        closed++;
        deps.logger.info('sweep relayed a decision', { automationExecutionId: id, decision: relay.decision });
        continue;
      }
      // Still waiting for people: is the workflow still waiting for it?
      if (await taskStillWaits(deps.clients.sfn, record.taskToken)) {
        result.waiting++;
        await store.note(id, now.toISOString(), 'waiting for approvers; the workflow waits');
        continue;
      }
      const reason = 'the workflow no longer waits for it (timed out or stopped)';
      await cancelApproval(deps.clients.ssm, id);
      await store.delete(record);
      result.cancelled.push({ automationExecutionId: id, reason });
      closed++;
      deps.logger.info('sweep cancelled an approval', { automationExecutionId: id, reason });
    } catch (err) {
      result.failed.push({
        automationExecutionId: id,
        error: err instanceof Error ? err.message : String(err),
      });
      deps.logger.warn('sweep could not settle an approval', { automationExecutionId: id });
    }
  }

  const recorded = new Set(records.map((r) => r.automationExecutionId));
  const waiting: ExecutionSummary[] = await listWaitingApprovals(deps.clients.ssm, config.document);
  for (const a of waiting) {
    if (recorded.has(a.automationExecutionId)) continue;
    const age = a.startedAt ? (now.getTime() - Date.parse(a.startedAt)) / 1000 : Number.POSITIVE_INFINITY;
    if (age < ORPHAN_GRACE_SECONDS) continue;
    const reason = 'no workflow recorded it (superseded, or its request failed)';
    try {
      if (await cancelApproval(deps.clients.ssm, a.automationExecutionId))
        result.cancelled.push({ automationExecutionId: a.automationExecutionId, reason });
    } catch (err) {
      result.failed.push({
        automationExecutionId: a.automationExecutionId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }
  if (closed > 0) deps.metrics.record({ name: METRIC.approvalsClosed, unit: 'Count', value: closed });
  deps.metrics.record({ name: METRIC.approvalsWaiting, unit: 'Count', value: result.waiting });
  return result;
}

export const handler = lambdaHandler(run, STEP_CLIENTS.sweep, 'sweep');

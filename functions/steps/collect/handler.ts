// Step 1: read the alarm, collect the evidence, store it, pass on a pointer.
import { executionKey } from '../../adapters/artifacts.ts';
import { defaultRetryPolicy, retryingClients } from '../../adapters/aws-call.ts';
import { collectEvidence } from '../../adapters/collector.ts';
import { parseAlarmEvent } from '../../domain/alarm-event.ts';
import { outOfScope } from '../../domain/guard.ts';
import { field, inputObject, lambdaHandler, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'collect');
  const trigger = parseAlarmEvent(i.event);
  if (trigger.ignored) {
    deps.logger.info('alarm ignored', { reason: trigger.reason });
    return { ignored: true, reason: trigger.reason };
  }
  // An alarm for a distribution outside the scope changes nothing, and nothing of it is read either.
  const outside = outOfScope(deps.config, trigger.distributionId);
  if (outside) {
    deps.logger.warn('alarm ignored', { reason: outside });
    return { ignored: true, reason: outside, distributionId: trigger.distributionId };
  }
  // A read that still fails after in-process retries is recorded as unreadable, never guessed; retrying the
  // whole step instead would turn one throttled read among dozens into a failed execution.
  const clients = retryingClients(deps.clients, defaultRetryPolicy(deps.sleep));
  const ev = await collectEvidence(clients, deps.prober, deps.requestLog, {
    distributionId: trigger.distributionId,
    account: trigger.account,
    region: trigger.region,
    // log and WAF sampling windows end now, on the step's clock
    now: deps.now(),
    alarmName: trigger.alarmName,
  });
  const evidenceRef = await deps.artifacts.put(
    executionKey(field(i, 'executionName', 'collect'), 'evidence'),
    ev,
  );
  deps.logger.info('evidence collected', { distributionId: ev.distribution.Id, calls: ev.calls.length });
  return {
    ignored: false,
    distributionId: ev.distribution.Id,
    alarmName: trigger.alarmName,
    /** the alarm event's time: notify measures the time from alarm to verified from it */
    alarmTime: trigger.time,
    account: trigger.account,
    evidenceRef,
    status: ev.distribution.Status,
    probes: ev.probes.map(({ bodyExcerpt: _b, ...p }) => p),
  };
}

export const handler = lambdaHandler(run, ['cloudfront', 's3', 's3control', 'kms', 'wafv2', 'lambda']);

// Step 1: read the alarm, collect the evidence, store it, pass on a pointer.
import { executionKey } from '../../adapters/artifacts.ts';
import { defaultRetryPolicy, retryingClients } from '../../adapters/aws-call.ts';
import type { AwsClients } from '../../adapters/clients.ts';
import { collectEvidence, type OtherAccounts } from '../../adapters/collector.ts';
import { parseAlarmEvent } from '../../domain/alarm-event.ts';
import { outOfScope } from '../../domain/guard.ts';
import { field, inputObject, lambdaHandler, otherAccountClients, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'collect');
  const trigger = parseAlarmEvent(i.event);
  if (trigger.ignored) {
    deps.logger.info('alarm ignored', { reason: trigger.reason });
    return { ignored: true, reason: trigger.reason };
  }
  // An alarm for a distribution outside the scope changes nothing, and nothing of it is read either.
  // in a member account (issue 15) the scope is that member's own (depsForAccount put it in the config)
  const home = deps.accounts?.home;
  const member = home !== undefined && trigger.account !== home ? trigger.account : undefined;
  const outside = outOfScope(deps.config, trigger.distributionId, member);
  if (outside) {
    deps.logger.warn('alarm ignored', { reason: outside });
    return { ignored: true, reason: outside, distributionId: trigger.distributionId };
  }
  // A read that still fails after in-process retries is recorded as unreadable, never guessed; retrying the
  // whole step instead would turn one throttled read among dozens into a failed execution.
  const policy = defaultRetryPolicy(deps.sleep);
  const clients = retryingClients(deps.clients, policy);
  const other = otherAccounts(deps, (c) => retryingClients(c, policy));
  const ev = await collectEvidence(clients, deps.prober, deps.requestLog, {
    distributionId: trigger.distributionId,
    account: trigger.account,
    region: trigger.region,
    // log and WAF sampling windows end now, on the step's clock
    now: deps.now(),
    alarmName: trigger.alarmName,
    ...(other ? { otherAccounts: other } : {}),
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

/**
 * In a hub (issue 15), the accounts an origin bucket of another account may belong to: the hub and its members,
 * read through the same sessions (and the same in-process retries) as the distribution's account.
 */
function otherAccounts(deps: StepDeps, wrap: (c: AwsClients) => AwsClients): OtherAccounts | undefined {
  const clientsFor = otherAccountClients(deps);
  const home = deps.accounts?.home;
  if (!clientsFor || home === undefined) return undefined;
  return {
    candidates: [...new Set([home, ...deps.config.memberAccounts])],
    clientsFor: async (account) => wrap(await clientsFor(account)),
  };
}

export const handler = lambdaHandler(run, STEP_CLIENTS.collect, 'collect');

// Step 2: the ranked causes, each with its confidence and evidence lines.
import { publish } from '../../adapters/notifier.ts';
import { diagnose } from '../../domain/diagnose.ts';
import { diagnosisMessage } from '../../domain/notification.ts';
import type { Evidence } from '../../domain/types.ts';
import { bestEffort, field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';
import { STEP_CLIENTS } from '../step-clients.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'classify');
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'classify'));
  const diagnosis = diagnose(ev);
  deps.logger.info('diagnosis', {
    causes: diagnosis.causes.map((c) => c.id),
    reproduced: diagnosis.reproduced,
  });
  const message = diagnosisMessage({
    executionId: field(i, 'executionId', 'classify'),
    distributionId: ev.distribution.Id,
    account: ev.account,
    diagnosis,
  });
  // Notifications never decide the outcome; the final one carries the diagnosis again.
  await bestEffort(deps, 'diagnosis notification', () =>
    publish(deps.clients.sns, deps.config.topicArn, message),
  );
  return diagnosis;
}

export const handler = lambdaHandler(run, STEP_CLIENTS.classify, 'classify');

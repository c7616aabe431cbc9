// Step 2: the ranked causes, each with its confidence and evidence lines.
import { publish } from '../../adapters/notifier.ts';
import { diagnose } from '../../domain/diagnose.ts';
import { diagnosisMessage } from '../../domain/notification.ts';
import type { Evidence } from '../../domain/types.ts';
import { field, inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'classify');
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'classify'));
  const diagnosis = diagnose(ev);
  deps.logger.info('diagnosis', {
    causes: diagnosis.causes.map((c) => c.id),
    reproduced: diagnosis.reproduced,
  });
  await publish(
    deps.clients.sns,
    deps.config.topicArn,
    diagnosisMessage({
      executionId: field(i, 'executionId', 'classify'),
      distributionId: ev.distribution.Id,
      diagnosis,
    }),
  );
  return diagnosis;
}

export const handler = lambdaHandler(run);

// Step 2: the ranked causes, each with its confidence and evidence lines.
import { diagnose } from '../../domain/diagnose.ts';
import type { Evidence } from '../../domain/types.ts';
import { inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const i = inputObject(input, 'classify');
  const ev = await deps.artifacts.get<Evidence>(refField(i, 'evidenceRef', 'classify'));
  const diagnosis = diagnose(ev);
  deps.logger.info('diagnosis', {
    causes: diagnosis.causes.map((c) => c.id),
    reproduced: diagnosis.reproduced,
  });
  return diagnosis;
}

export const handler = lambdaHandler(run);

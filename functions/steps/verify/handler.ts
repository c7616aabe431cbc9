// Probe every failing request again: cured only when none answers 403.
import { toProbeResult } from '../../domain/fingerprint.ts';
import type { Evidence } from '../../domain/types.ts';
import { inputObject, lambdaHandler, refField, type StepDeps } from '../runtime.ts';

export async function run(input: unknown, deps: StepDeps) {
  const ev = await deps.artifacts.get<Evidence>(
    refField(inputObject(input, 'verify'), 'evidenceRef', 'verify'),
  );
  const probes = await Promise.all(
    ev.requests.map(async (r) => {
      const req = { url: r.url, method: r.method };
      const { bodyExcerpt: _b, ...p } = toProbeResult(req, await deps.prober.probe(req));
      return p;
    }),
  );
  const cured = probes.every((p) => p.status !== 403);
  deps.logger.info('verification', { cured, statuses: probes.map((p) => p.status) });
  return { cured, probes };
}

export const handler = lambdaHandler(run, []);

import { simulate } from './sim/runner/simulate.ts';
import { loadScenario } from './sim/scenario/load.ts';
import { World } from './sim/world/index.ts';
for (const n of ['origin-access-missing-busy-log-prefix', 'origin-access-missing-v2-s3-logs', 'origin-access-missing-v2-cloudwatch-logs', 'origin-access-missing-geo-allow-list-legacy-logs', 'origin-access-missing', 'bucket-policy-grant-missing-waf-bot-control']) {
  const sc = loadScenario(`test/scenarios/${n}.json`);
  let t = performance.now(); new World(sc); const build = performance.now() - t;
  await simulate(sc, { decision: 'approve' });
  t = performance.now(); const r = await simulate(sc, { decision: 'approve' }); const run = performance.now() - t;
  const ops = (o: string) => r.trace.filter((x) => x.operation === o).length;
  console.log(n, `world ${build.toFixed(0)} ms, run ${run.toFixed(0)} ms, simulated ${r.simulatedSeconds}s, ListObjectsV2 ${ops('ListObjectsV2')}, GetObject(logs) ${r.trace.filter((x) => x.operation === 'GetObject' && x.step === 'collect').length}, FilterLogEvents ${ops('FilterLogEvents')}, GetMetricData ${ops('GetMetricData')}, verify ${r.verification?.verdict}/${r.verification?.verifiedBy} waited ${r.verification?.viewers?.waitedSeconds ?? '-'}`);
  if (r.accessLogs) console.log('   ', r.accessLogs.read.join(' || '));
}

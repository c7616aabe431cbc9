// `npm run bench`: measures the workflow on this machine and writes bench/results/latest.{md,json}.
// Every figure is a median of several runs, with its baseline measured in the same run.
// `--quick`: one run of each, a smaller scan account (a smoke test of the bench itself).
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadScenario } from '../sim/scenario/load.ts';
import { benchBundles } from './bundles.ts';
import { benchCollect, COLLECT_LATENCY_MS, COLLECT_SCENARIOS } from './collect.ts';
import { DESIGNS } from './designs.ts';
import { type BenchResults, renderMarkdown } from './report.ts';
import { benchScan, type ScanCase } from './scan.ts';
import { benchCli, benchSimulate, type SimCase, timingVariants } from './simulate.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = join(ROOT, 'test', 'scenarios');
const quick = process.argv.includes('--quick');

const RUNS = quick
  ? { collect: 1, simulate: 1, cli: 1, bundles: 1, scan: 1 }
  : { collect: 5, simulate: 3, cli: 3, bundles: 3, scan: 3 };

const SCAN_CASES: ScanCase[] = [
  {
    label: 'scanner paced at the limit',
    distributions: quick ? 100 : 500,
    apiLatencyMs: 50,
    limit: 50,
    scannerRate: 50,
    concurrency: 8,
  },
  {
    label: 'scanner asked for twice the limit (slows down when throttled)',
    distributions: quick ? 50 : 200,
    apiLatencyMs: 50,
    limit: 50,
    scannerRate: 100,
    concurrency: 8,
  },
  {
    label: 'no limit (latency and workers only)',
    distributions: quick ? 50 : 200,
    apiLatencyMs: 50,
    scannerRate: 100_000,
    concurrency: 8,
  },
];

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

function simCases(): SimCase[] {
  const files = readdirSync(SCENARIOS)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const cases: SimCase[] = files.map((f) => {
    const scenario = loadScenario(join(SCENARIOS, f));
    return { label: scenario.name, scenario, decision: 'approve' };
  });
  const oam = loadScenario(join(SCENARIOS, 'origin-access-missing.json'));
  const grant = loadScenario(join(SCENARIOS, 'bucket-policy-grant-missing.json'));
  return [
    ...cases,
    { label: `${oam.name} (reject)`, scenario: oam, decision: 'reject' },
    { label: `${oam.name} (approval times out)`, scenario: oam, decision: 'timeout' },
    // The deployment-time sweep: real deployments and invalidations do not end on a polling interval, and
    // the longest outlasts one invocation of the in-Lambda wait.
    ...timingVariants(oam, [
      [61, 11],
      [137, 23],
      [451, 47],
      [905, 95],
      [1499, 181],
    ]),
    ...timingVariants(grant, [
      [0, 7],
      [0, 23],
    ]),
  ];
}

async function main(): Promise<void> {
  const started = performance.now();
  const cpu = cpus();
  const machine = {
    cpu: cpu[0]?.model.trim() ?? 'unknown CPU',
    cores: cpu.length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    node: process.versions.node,
    os: `${type()} ${release()}`,
    date: new Date().toISOString(),
  };

  log(`1/4 evidence collection at ${COLLECT_LATENCY_MS} ms API latency`);
  const collectScenarios = COLLECT_SCENARIOS.map((n) => loadScenario(join(SCENARIOS, `${n}.json`)));
  const collect = await benchCollect(collectScenarios, RUNS.collect);

  const cases = simCases();
  log(`2/4 simulate: ${cases.length} executions × ${DESIGNS.length} designs × ${RUNS.simulate}`);
  const simRuns = await benchSimulate(DESIGNS, cases, RUNS.simulate);
  const cli = benchCli(ROOT, 'test/scenarios/origin-access-missing.json', RUNS.cli);

  log('3/4 Lambda bundles and cold starts');
  const bundles = await benchBundles(ROOT, RUNS.bundles);

  const scan = [];
  for (const [i, c] of SCAN_CASES.entries()) {
    log(
      `4/4 cf403 scan ${i + 1}/${SCAN_CASES.length}: ${c.label} (${c.distributions} distributions × ${RUNS.scan})`,
    );
    scan.push(await benchScan(c, RUNS.scan));
  }

  const results: BenchResults = {
    machine,
    seconds: (performance.now() - started) / 1000,
    collect: { latencyMs: COLLECT_LATENCY_MS, results: collect },
    simulate: {
      designs: DESIGNS.map((d) => ({
        id: d.id,
        label: d.label,
        ...(d.baseline ? { baseline: true as const } : {}),
        ...(d.deployed ? { deployed: true as const } : {}),
      })),
      runs: simRuns,
      cli,
    },
    bundles,
    scan,
  };
  const markdown = renderMarkdown(results);
  // A quick run is a smoke test: it goes to the ignored tmp folder, never over the published results.
  const outDir = quick ? join(ROOT, 'bench', 'results', 'tmp') : join(ROOT, 'bench', 'results');
  const name = quick ? 'quick' : 'latest';
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${name}.json`), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(outDir, `${name}.md`), markdown);
  process.stdout.write(markdown);
  log(`wrote ${join(outDir, name)}.md and .json in ${Math.round(results.seconds)} s`);
}

await main();

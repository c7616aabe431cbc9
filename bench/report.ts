// The bench's results document and its markdown rendering (pure, so it can be tested).
import type { BundleBench } from './bundles.ts';
import type { CollectResult } from './collect.ts';
import type { ScanBenchRun } from './scan.ts';
import type { CliRun, SimRun } from './simulate.ts';
import { USD_PER_TRANSITION } from './simulate.ts';
import { markdownTable, median, percent, ratio, round } from './stats.ts';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  date: string;
}

export interface BenchResults {
  machine: Machine;
  /** wall time of the whole bench */
  seconds: number;
  collect: { latencyMs: number; results: CollectResult[] };
  simulate: { runs: SimRun[]; cli: CliRun };
  bundles: BundleBench;
  scan: ScanBenchRun[];
}

export const TARGETS = {
  collectOverCriticalPath: 1.5,
  pollingOverhead: 0.1,
} as const;

const kib = (bytes: number) => round(bytes / 1024, 1);
const ms = (value: number) => round(value, 0);
const mark = (ok: boolean) => (ok ? 'yes' : '**no**');

function collectSection(r: BenchResults): string {
  const rows = r.collect.results.map((c) => [
    c.scenario,
    c.calls,
    ms(c.sequentialMs),
    ms(c.concurrentMs),
    `${c.criticalPathMs} (${c.criticalCalls} calls)`,
    ratio(c.concurrentMs, c.criticalPathMs),
    mark(c.concurrentMs <= c.criticalPathMs * TARGETS.collectOverCriticalPath),
    ratio(c.sequentialMs, c.concurrentMs),
  ]);
  const runs = r.collect.results[0]?.runs ?? 0;
  return [
    `### 1. Evidence collection, API latency ${r.collect.latencyMs} ms (median of ${runs})`,
    '',
    markdownTable(
      [
        'scenario',
        'calls',
        'one after another (ms)',
        'collector (ms)',
        'critical path (ms)',
        'collector ÷ critical path',
        `within ${TARGETS.collectOverCriticalPath}×`,
        'speed-up',
      ],
      rows,
    ),
  ].join('\n');
}

function overhead(s: SimRun): number {
  return s.floorSeconds > 0 ? (s.simulatedSeconds - s.floorSeconds) / s.floorSeconds : 0;
}

function timeToFixSection(r: BenchResults): string {
  const fixed = r.simulate.runs.filter((s) => s.outcome === 'REMEDIATED' && s.floorSeconds > 0);
  // Executions that end exactly on the floor are grouped by floor; the others get a row each.
  const atFloor = new Map<number, SimRun[]>();
  for (const s of fixed) {
    if (s.simulatedSeconds === s.floorSeconds)
      atFloor.set(s.floorSeconds, [...(atFloor.get(s.floorSeconds) ?? []), s]);
  }
  const row = (label: string, s: SimRun) => [
    label,
    s.simulatedSeconds,
    s.floorSeconds,
    round(s.simulatedSeconds - s.floorSeconds, 0),
    percent(overhead(s)),
    mark(overhead(s) < TARGETS.pollingOverhead),
  ];
  const rows = [
    ...[...atFloor].map(([floor, runs]) => {
      const names = runs.map((x) => x.label);
      const shown =
        names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
      return row(`${runs.length} executions at ${floor} s (${shown})`, runs[0] as SimRun);
    }),
    ...fixed.filter((s) => s.simulatedSeconds !== s.floorSeconds).map((s) => row(s.label, s)),
  ];
  const worst = fixed.length > 0 ? Math.max(...fixed.map(overhead)) : 0;
  return [
    '### 2. Simulated time from alarm to verified fix, against CloudFront’s floor (deployment + invalidation)',
    '',
    markdownTable(
      [
        'REMEDIATED executions',
        'alarm → verified (s)',
        'floor (s)',
        'overhead (s)',
        'overhead',
        `under ${percent(TARGETS.pollingOverhead, 0)}`,
      ],
      rows,
    ),
    '',
    `Worst polling overhead: ${percent(worst)} of the floor.`,
  ].join('\n');
}

function transitionsSection(r: BenchResults): string {
  const byOutcome = new Map<string, SimRun[]>();
  for (const s of r.simulate.runs) byOutcome.set(s.outcome, [...(byOutcome.get(s.outcome) ?? []), s]);
  const rows = [...byOutcome].map(([outcome, runs]) => {
    const t = runs.map((s) => s.transitions);
    const l = runs.map((s) => s.lambdaInvocations);
    return [
      outcome,
      runs.length,
      median(t),
      `${Math.min(...t)}–${Math.max(...t)}`,
      median(l),
      `${Math.min(...l)}–${Math.max(...l)}`,
      `$${(median(t) * USD_PER_TRANSITION * 1000).toFixed(3)}`,
    ];
  });
  return [
    '### 3. State transitions and Lambda invocations per execution, by outcome',
    '',
    markdownTable(
      [
        'outcome',
        'executions',
        'transitions (median)',
        'transitions (range)',
        'Lambda invocations (median)',
        'invocations (range)',
        'transitions cost per 1,000 executions',
      ],
      rows,
    ),
  ].join('\n');
}

function bundlesSection(r: BenchResults): string {
  const b = r.bundles;
  const runs = b.bundles[0]?.runs ?? 0;
  const rows = [
    ['(empty handler)', kib(b.emptyBytes), '', ms(b.emptyColdStartMs), 0, ''],
    [
      '(empty handler + the steps’ SDK clients)',
      '',
      '',
      ms(b.sdkOnlyColdStartMs),
      ms(b.sdkOnlyColdStartMs - b.emptyColdStartMs),
      '@aws-sdk/* from node_modules',
    ],
    ...b.bundles.map((x) => [
      x.step,
      kib(x.bytes),
      kib(x.gzipBytes),
      ms(x.coldStartMs),
      ms(x.coldStartMs - b.emptyColdStartMs),
      x.largest.map((l) => `${l.module} ${kib(l.bytes)}`).join(', '),
    ]),
    ...b.alternatives.map((a) => [
      `${a.name} (alternative)`,
      kib(a.bytes),
      kib(a.gzipBytes),
      ms(a.coldStartMs),
      ms(a.coldStartMs - b.emptyColdStartMs),
      '',
    ]),
  ];
  return [
    `### 4. Lambda bundles (esbuild as the CDK app runs it; cold start = fresh Node.js process, load + first invocation, median of ${runs})`,
    '',
    markdownTable(
      ['bundle', 'size (KiB)', 'gzip (KiB)', 'cold start (ms)', 'over empty (ms)', 'largest parts (KiB)'],
      rows,
    ),
  ].join('\n');
}

function simulateSection(r: BenchResults): string {
  const walls = r.simulate.runs.map((s) => s.wallMs).sort((a, b) => a - b);
  const p90 = walls[Math.min(walls.length - 1, Math.floor(walls.length * 0.9))] ?? 0;
  const total = walls.reduce((a, b) => a + b, 0);
  const slowest = [...r.simulate.runs].sort((a, b) => b.wallMs - a.wallMs).slice(0, 5);
  const runs = r.simulate.runs[0]?.runs ?? 0;
  return [
    `### 5. \`simulate\` wall time (in-process after a warm-up, median of ${runs} per scenario)`,
    '',
    markdownTable(
      ['measure', 'ms'],
      [
        [`median of the catalog’s ${walls.length} executions`, walls.length > 0 ? ms(median(walls)) : 0],
        ['90th percentile', ms(p90)],
        ['slowest', ms(walls[walls.length - 1] ?? 0)],
        ['whole catalog, one pass', ms(total)],
        [
          `\`cf403 simulate ${r.simulate.cli.scenario} --json\` in a fresh process (median of ${r.simulate.cli.runs})`,
          ms(r.simulate.cli.wallMs),
        ],
      ],
    ),
    '',
    `Slowest: ${slowest.map((s) => `${s.label} ${ms(s.wallMs)} ms`).join(', ')}.`,
  ].join('\n');
}

function scanSection(r: BenchResults): string {
  const rows = r.scan.map((s) => [
    s.label,
    s.distributions,
    s.apiLatencyMs,
    s.limit ?? 'none',
    s.scannerRate,
    s.concurrency,
    round(s.seconds, 1),
    round(s.distributionsPerSecond, 1),
    round(s.cloudfrontCallsPerDistribution, 2),
    s.limitMaxPerSecond === undefined
      ? '—'
      : Number.isFinite(s.limitMaxPerSecond)
        ? round(s.limitMaxPerSecond, 1)
        : '∞',
    s.limitMaxPerSecond !== undefined && Number.isFinite(s.limitMaxPerSecond)
      ? percent(s.distributionsPerSecond / s.limitMaxPerSecond, 0)
      : '—',
    s.throttled,
    s.failed,
  ]);
  const runs = r.scan[0]?.runs ?? 0;
  return [
    `### 6. \`cf403 scan\` on a generated account (median of ${runs})`,
    '',
    'The limit allows at most: distributions ÷ ((CloudFront calls − one second’s burst) ÷ limit).',
    '',
    markdownTable(
      [
        'case',
        'distributions',
        'latency (ms)',
        'CloudFront limit (req/s)',
        'scanner pace (req/s)',
        'workers',
        'seconds',
        'distributions/s',
        'CloudFront calls per distribution',
        'limit allows at most (distributions/s)',
        'of the limit',
        'throttled answers',
        'failed',
      ],
      rows,
    ),
  ].join('\n');
}

export function renderMarkdown(r: BenchResults): string {
  const m = r.machine;
  return [
    `## Benchmarks (\`npm run bench\`, ${m.date})`,
    '',
    `Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node.js ${m.node}, ${m.os}. The whole bench took ${round(r.seconds, 0)} s.`,
    '',
    collectSection(r),
    '',
    timeToFixSection(r),
    '',
    transitionsSection(r),
    '',
    bundlesSection(r),
    '',
    simulateSection(r),
    '',
    scanSection(r),
    '',
  ].join('\n');
}

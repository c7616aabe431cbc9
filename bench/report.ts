// The bench's results document and its markdown rendering (pure, so it can be tested).
import type { BundleBench } from './bundles.ts';
import type { CollectResult } from './collect.ts';
import { allowedLostSeconds, BILLING_MODEL, PRICES } from './cost.ts';
import type { ScanBenchRun } from './scan.ts';
import type { CliRun, SimRun } from './simulate.ts';
import { type Cell, markdownTable, median, percent, ratio, round } from './stats.ts';

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
  simulate: { designs: DesignInfo[]; runs: SimRun[]; cli: CliRun };
  bundles: BundleBench;
  scan: ScanBenchRun[];
}

export const TARGETS = {
  collectOverCriticalPath: 1.5,
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

/** The designs of the simulate section, in the order the bench ran them. */
export interface DesignInfo {
  id: string;
  label: string;
  baseline?: true;
  deployed?: true;
}

function designsOf(r: BenchResults): { all: DesignInfo[]; baseline: DesignInfo; deployed: DesignInfo } {
  const all = r.simulate.designs;
  const baseline = all.find((d) => d.baseline);
  const deployed = all.find((d) => d.deployed);
  if (!baseline || !deployed) throw new Error('the bench needs a baseline and a deployed design');
  return { all, baseline, deployed };
}

function runsOf(r: BenchResults, design: string): SimRun[] {
  return r.simulate.runs.filter((s) => s.design === design);
}

const lost = (s: SimRun) => round(s.simulatedSeconds - s.floorSeconds, 0);

function designsLegend(r: BenchResults): string {
  const { all } = designsOf(r);
  return all.map((d) => `- **${d.id}**: ${d.label}`).join('\n');
}

function timeLostSection(r: BenchResults): string {
  const { all, baseline, deployed } = designsOf(r);
  const byDesign = new Map(all.map((d) => [d.id, new Map(runsOf(r, d.id).map((s) => [s.label, s]))]));
  const fixed = runsOf(r, deployed.id).filter((s) => s.outcome === 'REMEDIATED' && s.floorSeconds > 0);
  // Executions with the same figures in every design share a row; sweep rows always get their own.
  const groups = new Map<string, { labels: string[]; cells: SimRun[]; sweep: boolean }>();
  for (const s of fixed) {
    const cells = all.map((d) => byDesign.get(d.id)?.get(s.label)).filter((x): x is SimRun => !!x);
    const key = s.sweep ? `sweep ${s.label}` : `${s.floorSeconds} ${s.faulted} ${cells.map(lost).join(' ')}`;
    const g = groups.get(key) ?? { labels: [], cells, sweep: !!s.sweep };
    g.labels.push(s.label);
    groups.set(key, g);
  }
  let sweepRows = 0;
  let sweepWithin = 0;
  let rows = 0;
  let noWorse = 0;
  const table = [...groups.values()].map((g) => {
    const floor = g.cells[0]?.floorSeconds ?? 0;
    const allowed = allowedLostSeconds(floor);
    const today = g.cells.find((c) => c.design === baseline.id);
    const ours = g.cells.find((c) => c.design === deployed.id);
    const within = ours !== undefined && lost(ours) <= allowed;
    const faulted = g.cells.some((c) => c.faulted);
    const better = ours !== undefined && today !== undefined && lost(ours) <= lost(today);
    rows++;
    if (better) noWorse++;
    if (g.sweep) {
      sweepRows++;
      if (within) sweepWithin++;
    }
    const shown =
      g.labels.length > 3
        ? `${g.labels.length} executions (${g.labels.slice(0, 3).join(', ')} and ${g.labels.length - 3} more)`
        : g.labels.join(', ');
    return [
      g.sweep ? `sweep: ${shown}` : shown,
      floor,
      round(allowed, 1),
      ...all.map((d) => {
        const c = g.cells.find((x) => x.design === d.id);
        return c ? lost(c) : '';
      }),
      faulted ? `${mark(within)} (faults injected)` : mark(within),
      mark(better),
    ];
  });
  return [
    '### 2. Time lost after CloudFront is done (REMEDIATED executions; simulated seconds beyond deployment + invalidation)',
    '',
    designsLegend(r),
    '',
    markdownTable(
      [
        'executions',
        'CloudFront (s)',
        'allowed: max(2 %, 3 s)',
        ...all.map((d) => `${d.id} lost (s)`),
        `${deployed.id} within allowed`,
        `${deployed.id} no worse than ${baseline.id}`,
      ],
      table,
    ),
    '',
    `${deployed.id}: within the allowance in ${sweepWithin} of ${sweepRows} fault-free sweep rows; no worse than ${baseline.id} in ${noWorse} of ${rows} rows. Rows with injected faults include the retries’ backoff.`,
  ].join('\n');
}

const STATE_TARGETS: Readonly<Record<string, number>> = { REMEDIATED: 40, ROLLED_BACK: 60 };

function statesSection(r: BenchResults): string {
  const { all, deployed } = designsOf(r);
  const outcomes = [...new Set(r.simulate.runs.map((s) => s.outcome))];
  const rows = outcomes.map((outcome) => {
    const cells = all.map((d) => {
      const states = runsOf(r, d.id)
        .filter((s) => s.outcome === outcome)
        .map((s) => s.states);
      return states.length > 0 ? `${median(states)} (${Math.min(...states)}–${Math.max(...states)})` : '';
    });
    const mine = runsOf(r, deployed.id)
      .filter((s) => s.outcome === outcome)
      .map((s) => s.states);
    const target = STATE_TARGETS[outcome];
    return [
      outcome,
      mine.length,
      ...cells,
      target === undefined || mine.length === 0 ? '' : `≤ ${target}: ${mark(median(mine) <= target)}`,
    ];
  });
  return [
    '### 3. States entered per execution (the execution history’s length), median (range), by outcome',
    '',
    markdownTable(['outcome', 'executions', ...all.map((d) => d.id), `${deployed.id} target`], rows),
  ].join('\n');
}

const usd = (v: number) => `$${v.toFixed(3)}`;

function costSection(r: BenchResults): string {
  const { all, baseline } = designsOf(r);
  const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const rows: Cell[][] = [];
  for (const outcome of ['REMEDIATED', 'ROLLED_BACK']) {
    const todayRuns = runsOf(r, baseline.id).filter((s) => s.outcome === outcome);
    const today = mean(todayRuns.map((s) => s.usd.total)) * 1000;
    for (const d of all) {
      const runs = runsOf(r, d.id).filter((s) => s.outcome === outcome);
      if (runs.length === 0) continue;
      const per1000 = (f: (s: SimRun) => number) => mean(runs.map(f)) * 1000;
      const total = per1000((s) => s.usd.total);
      rows.push([
        outcome,
        d.id,
        round(mean(runs.map((s) => s.transitions)), 1),
        round(mean(runs.map((s) => s.lambdaInvocations)), 1),
        round(mean(runs.map((s) => s.lambdaGbSeconds)), 2),
        round(mean(runs.map((s) => s.awsCalls)), 0),
        usd(per1000((s) => s.usd.transitions)),
        usd(per1000((s) => s.usd.lambda)),
        usd(per1000((s) => s.usd.api)),
        usd(total),
        d.id === baseline.id ? '' : `${ratio(total, today)} ${mark(total < today)}`,
      ]);
    }
  }
  return [
    '### 3b. Cost per 1,000 executions, mean over the outcome’s executions, at list prices',
    '',
    markdownTable(
      [
        'outcome',
        'design',
        'transitions',
        'Lambda invocations',
        'Lambda GB-s',
        'AWS calls',
        'transitions $',
        'Lambda $',
        'API calls $',
        'total $ per 1,000',
        `vs ${baseline.id}`,
      ],
      rows,
    ),
    '',
    `Prices (us-east-1, on demand, no free tier): Step Functions Standard $${(PRICES.transition * 1000).toFixed(3)} per 1,000 transitions (retries included); ` +
      `Lambda Arm $${(PRICES.lambdaRequest * 1e6).toFixed(2)} per 1M requests and $${PRICES.lambdaGbSecond} per GB-s; ` +
      `S3 $${(PRICES.s3Write * 1000).toFixed(4)} per 1,000 PUT/LIST, $${(PRICES.s3Read * 1000).toFixed(4)} per 1,000 GET; ` +
      `DynamoDB on demand $${(PRICES.dynamoWrite * 1e6).toFixed(3)} per 1M writes, $${(PRICES.dynamoRead * 1e6).toFixed(3)} per 1M reads; ` +
      `SNS $${(PRICES.snsPublish * 1e6).toFixed(2)} per 1M publishes; KMS $${(PRICES.kms * 10_000).toFixed(2)} per 10,000 requests; ` +
      'CloudFront, WAF, S3 Control, SSM and task-token calls $0 (no per-request charge, or the same in every design). ' +
      `An invocation is billed ${BILLING_MODEL.secondsPerInvocation} s, plus ${BILLING_MODEL.secondsPerAwsCall} s per AWS call, plus the time it waits, at its function’s memory.`,
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
  // The deployed design: what `cf403 simulate` runs.
  const deployed = runsOf(r, designsOf(r).deployed.id);
  const walls = deployed.map((s) => s.wallMs).sort((a, b) => a - b);
  const p90 = walls[Math.min(walls.length - 1, Math.floor(walls.length * 0.9))] ?? 0;
  const total = walls.reduce((a, b) => a + b, 0);
  const slowest = [...deployed].sort((a, b) => b.wallMs - a.wallMs).slice(0, 5);
  const runs = deployed[0]?.runs ?? 0;
  return [
    `### 5. \`simulate\` wall time (deployed design, in-process after a warm-up, median of ${runs} per scenario)`,
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
    timeLostSection(r),
    '',
    statesSection(r),
    '',
    costSection(r),
    '',
    bundlesSection(r),
    '',
    simulateSection(r),
    '',
    scanSection(r),
    '',
  ].join('\n');
}

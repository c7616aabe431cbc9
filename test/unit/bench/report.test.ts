import { describe, expect, it } from 'vitest';
import { type BenchResults, renderMarkdown } from '../../../bench/report.ts';
import type { SimRun } from '../../../bench/simulate.ts';

function sim(
  design: string,
  label: string,
  outcome: string,
  simulatedSeconds: number,
  floorSeconds: number,
  states: number,
  usd: number,
  flags: { sweep?: true; faulted?: true } = {},
): SimRun {
  return {
    design,
    label,
    outcome,
    ...flags,
    simulatedSeconds,
    floorSeconds,
    states,
    transitions: states,
    lambdaInvocations: Math.round(states / 3),
    lambdaGbSeconds: 1,
    awsCalls: 100,
    usd: { transitions: usd / 2, lambda: usd / 4, api: usd / 4, total: usd },
    wallMs: 100,
    runs: 3,
  };
}

const results: BenchResults = {
  machine: {
    cpu: 'Test CPU',
    cores: 2,
    memoryGiB: 8,
    node: '22.0.0',
    os: 'Linux 6',
    date: '2026-11-28T00:00:00.000Z',
  },
  seconds: 180.4,
  collect: {
    latencyMs: 50,
    results: [
      {
        scenario: 'fast',
        calls: 10,
        criticalCalls: 2,
        criticalPathMs: 100,
        concurrentMs: 120,
        sequentialMs: 500,
        runs: 5,
      },
      {
        scenario: 'slow',
        calls: 10,
        criticalCalls: 2,
        criticalPathMs: 100,
        concurrentMs: 160,
        sequentialMs: 500,
        runs: 5,
      },
    ],
  },
  simulate: {
    designs: [
      { id: 'today', label: 'Wait states', baseline: true },
      { id: 'new', label: 'in-Lambda wait', deployed: true },
    ],
    runs: [
      sim('today', 'fix', 'REMEDIATED', 380, 360, 80, 0.006),
      sim('today', 'quick fix', 'REMEDIATED', 60, 60, 26, 0.002),
      sim('today', 'manual', 'ESCALATED', 0, 0, 10, 0.0003),
      sim('today', 'fix (deploy 451 s)', 'REMEDIATED', 518, 498, 200, 0.008, { sweep: true }),
      sim('today', 'throttled', 'REMEDIATED', 380, 360, 90, 0.006, { faulted: true }),
      sim('new', 'fix', 'REMEDIATED', 361, 360, 21, 0.001),
      sim('new', 'quick fix', 'REMEDIATED', 60, 60, 19, 0.0008),
      sim('new', 'manual', 'ESCALATED', 0, 0, 10, 0.0003),
      sim('new', 'fix (deploy 451 s)', 'REMEDIATED', 500, 498, 21, 0.0015, { sweep: true }),
      sim('new', 'throttled', 'REMEDIATED', 385, 360, 23, 0.0012, { faulted: true }),
    ],
    cli: { scenario: 'fix', wallMs: 1200, runs: 3 },
  },
  bundles: {
    emptyColdStartMs: 30,
    emptyBytes: 200,
    sdkOnlyColdStartMs: 400,
    bundles: [
      {
        step: 'collect',
        bytes: 46_080,
        gzipBytes: 15_360,
        mapBytes: 200_000,
        largest: [{ module: '@aws-lambda-powertools/logger', bytes: 16_384 }],
        coldStartMs: 430,
        runs: 3,
      },
    ],
    alternatives: [
      { name: 'collect, @aws-sdk bundled in', bytes: 900_000, gzipBytes: 230_000, coldStartMs: 170 },
    ],
  },
  scan: [
    {
      label: 'paced',
      distributions: 500,
      apiLatencyMs: 50,
      limit: 50,
      scannerRate: 50,
      concurrency: 8,
      seconds: 18.2,
      distributionsPerSecond: 27.5,
      cloudfrontCallsPerDistribution: 1.91,
      limitMaxPerSecond: 27.6,
      throttled: 1,
      failed: 0,
      withCauses: 100,
      runs: 3,
    },
  ],
};

describe('renderMarkdown', () => {
  const md = renderMarkdown(results);

  it('names the machine and the date it ran on', () => {
    expect(md).toContain(
      'Machine: Test CPU, 2 cores, 8 GiB, Node.js 22.0.0, Linux 6. The whole bench took 180 s.',
    );
    expect(md).toContain('2026-11-28T00:00:00.000Z');
  });

  it('judges collection against 1.5× the critical path', () => {
    expect(md).toContain('| fast | 10 | 500 | 120 | 100 (2 calls) | 1.20× | yes | 4.17× |');
    expect(md).toContain('| slow | 10 | 500 | 160 | 100 (2 calls) | 1.60× | **no** | 3.13× |');
  });

  it('sets the time lost of every design beside the allowance, for fixed executions only', () => {
    const section = md.slice(md.indexOf('### 2.'), md.indexOf('### 3.'));
    expect(section).toContain('| fix | 360 | 7.2 | 20 | 1 | yes | yes |');
    expect(section).toContain('| quick fix | 60 | 3 | 0 | 0 | yes | yes |');
    expect(section).toContain('| sweep: fix (deploy 451 s) | 498 | 10 | 20 | 2 | yes | yes |');
    // worse than today and over the allowance, but faults were injected
    expect(section).toContain('| throttled | 360 | 7.2 | 20 | 25 | **no** (faults injected) | **no** |');
    expect(section).toContain(
      'within the allowance in 1 of 1 fault-free sweep rows; no worse than today in 3 of 4 rows',
    );
    expect(section).not.toMatch(/manual/);
  });

  it('sets states entered per outcome beside today, judged against the targets', () => {
    expect(md).toContain('| REMEDIATED | 4 | 85 (26–200) | 21 (19–23) | ≤ 40: yes |');
    expect(md).toContain('| ESCALATED | 1 | 10 (10–10) | 10 (10–10) |  |');
  });

  it('prices 1,000 executions of each design beside today, stating the prices', () => {
    const section = md.slice(md.indexOf('### 3b.'), md.indexOf('### 4.'));
    // today: mean of 0.006, 0.002, 0.008, 0.006 = 0.0055 per execution
    expect(section).toMatch(/\| REMEDIATED \| today \|.*\| \$5\.500 \| {2}\|/);
    // new: mean of 0.001, 0.0008, 0.0015, 0.0012 = 0.001125
    expect(section).toMatch(/\| REMEDIATED \| new \|.*\| \$1\.125 \| 0\.20× yes \|/);
    expect(section).toContain('$0.025 per 1,000 transitions');
    expect(section).toContain('$0.0000133334 per GB-s');
  });

  it('sets each bundle’s cold start beside the empty handler', () => {
    expect(md).toContain('| (empty handler) | 0.2 |  | 30 | 0 |  |');
    expect(md).toContain('| collect | 45 | 15 | 430 | 400 | @aws-lambda-powertools/logger 16 |');
    expect(md).toContain('| collect, @aws-sdk bundled in (alternative) | 878.9 | 224.6 | 170 | 140 |  |');
  });

  it('sets the scan rate beside what the limit allows', () => {
    expect(md).toContain('| paced | 500 | 50 | 50 | 50 | 8 | 18.2 | 27.5 | 1.91 | 27.6 | 100 % | 1 | 0 |');
  });
});

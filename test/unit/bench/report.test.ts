import { describe, expect, it } from 'vitest';
import { type BenchResults, renderMarkdown } from '../../../bench/report.ts';

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
    runs: [
      {
        label: 'fix',
        outcome: 'REMEDIATED',
        simulatedSeconds: 380,
        floorSeconds: 360,
        transitions: 80,
        lambdaInvocations: 30,
        wallMs: 100,
        runs: 3,
      },
      {
        label: 'quick fix',
        outcome: 'REMEDIATED',
        simulatedSeconds: 60,
        floorSeconds: 60,
        transitions: 26,
        lambdaInvocations: 12,
        wallMs: 90,
        runs: 3,
      },
      {
        label: 'manual',
        outcome: 'ESCALATED',
        simulatedSeconds: 0,
        floorSeconds: 0,
        transitions: 10,
        lambdaInvocations: 5,
        wallMs: 50,
        runs: 3,
      },
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

  it('shows polling overhead for fixed executions only, grouping those that end on the floor', () => {
    expect(md).toContain('| fix | 380 | 360 | 20 | 5.6 % | yes |');
    expect(md).toContain('| 1 executions at 60 s (quick fix) | 60 | 60 | 0 | 0.0 % | yes |');
    const section = md.slice(md.indexOf('### 2.'), md.indexOf('### 3.'));
    expect(section).toContain('| fix |');
    expect(section).not.toMatch(/manual/);
  });

  it('groups transitions and invocations by outcome, with their cost', () => {
    expect(md).toContain('| REMEDIATED | 2 | 53 | 26–80 | 21 | 12–30 | $1.325 |');
    expect(md).toContain('| ESCALATED | 1 | 10 | 10–10 | 5 | 5–5 | $0.250 |');
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

import { describe, expect, it } from 'vitest';
import { largestModules, moduleOf } from '../../../bench/bundles.ts';
import { limitMaxPerSecond } from '../../../bench/scan.ts';
import { floorSeconds, lambdaInvocations } from '../../../bench/simulate.ts';
import { criticalPathLength, markdownTable, median, percent, ratio } from '../../../bench/stats.ts';
import { generateAccount, PROFILE_CAUSE, profileOf } from '../../../bench/world-gen.ts';
import { parseScenario } from '../../../sim/scenario/validate.ts';

describe('median', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([7])).toBe(7);
  });

  it('refuses an empty list', () => {
    expect(() => median([])).toThrow(RangeError);
  });
});

describe('criticalPathLength', () => {
  const call = (key: string) => {
    const [service = '', api = ''] = key.split(':');
    return { service, api };
  };

  it('counts the distribution read and one wave of reads that need only its config', () => {
    const calls = ['cloudfront:GetDistribution', 's3:GetBucketPolicy', 's3:HeadObject', 's3:GetObjectAcl'];
    expect(criticalPathLength(calls.map(call))).toBe(2);
  });

  it('follows GetDistribution → HeadObject → GetKeyPolicy', () => {
    const calls = ['cloudfront:GetDistribution', 's3:HeadObject', 'kms:GetKeyPolicy', 's3:GetBucketAcl'];
    expect(criticalPathLength(calls.map(call))).toBe(3);
  });

  it('follows a function replay and a web ACL’s rules', () => {
    expect(
      criticalPathLength(
        ['cloudfront:GetDistribution', 'cloudfront:DescribeFunction', 'cloudfront:TestFunction'].map(call),
      ),
    ).toBe(3);
    expect(
      criticalPathLength(['cloudfront:GetDistribution', 'wafv2:GetWebACL', 'wafv2:GetIPSet'].map(call)),
    ).toBe(3);
  });

  it('ignores a dependency that was not called, and counts repeated calls once', () => {
    const calls = ['kms:GetKeyPolicy', 'kms:GetKeyPolicy', 's3control:GetPublicAccessBlock'];
    expect(criticalPathLength(calls.map(call))).toBe(1);
    expect(criticalPathLength([])).toBe(0);
  });
});

describe('markdownTable', () => {
  it('right-aligns numeric columns and escapes pipes', () => {
    expect(
      markdownTable(
        ['name', 'ms'],
        [
          ['a|b', 12],
          ['c', 3],
        ],
      ),
    ).toBe(['| name | ms |', '| --- | ---: |', '| a\\|b | 12 |', '| c | 3 |'].join('\n'));
  });
});

describe('formatting', () => {
  it('prints ratios and percentages', () => {
    expect(ratio(150, 100)).toBe('1.50×');
    expect(ratio(1, 0)).toBe('n/a');
    expect(percent(0.0625)).toBe('6.3 %');
  });
});

describe('floorSeconds and lambdaInvocations', () => {
  const scenario = parseScenario(generateAccount({ distributions: 1 }));
  const states = (...names: [string, string][]) => names.map(([name, type]) => ({ name, type }));

  it('counts the deployment only when the workflow waited for one', () => {
    const withDeploy = states(['ApplyFix', 'Task'], ['CheckDeployment', 'Task'], ['InvalidateCache', 'Task']);
    expect(floorSeconds(scenario, withDeploy)).toBe(360);
    expect(floorSeconds(scenario, states(['ApplyFix', 'Task'], ['InvalidateCache', 'Task']))).toBe(60);
    const slow = { ...scenario, simulation: { deploymentSeconds: 451, invalidationSeconds: 47 } };
    expect(floorSeconds(slow, withDeploy)).toBe(498);
    // the in-Lambda design waits in WaitForCloudFront
    const inLambda = states(['ApplyFix', 'Task'], ['WaitForCloudFront', 'Task'], ['InvalidateCache', 'Task']);
    expect(floorSeconds(slow, inLambda)).toBe(498);
  });

  it('counts one invocation per Task state entered', () => {
    expect(
      lambdaInvocations(
        states(['CollectEvidence', 'Task'], ['IsActionable?', 'Choice'], ['Classify', 'Task']),
      ),
    ).toBe(2);
  });
});

describe('bundle composition', () => {
  it('names the package or first-party folder of an input', () => {
    expect(moduleOf('node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js')).toBe(
      '@aws-lambda-powertools/logger',
    );
    expect(moduleOf('node_modules/tslib/tslib.es6.mjs')).toBe('tslib');
    expect(moduleOf('functions/domain/causes/index.ts')).toBe('functions/domain');
  });

  it('adds up bytes per module and keeps the largest', () => {
    const meta = {
      inputs: {},
      outputs: {
        'index.mjs': {
          bytes: 0,
          imports: [],
          exports: [],
          inputs: {
            'functions/domain/a.ts': { bytesInOutput: 10 },
            'functions/domain/b.ts': { bytesInOutput: 15 },
            'node_modules/x/index.js': { bytesInOutput: 20 },
            'functions/adapters/c.ts': { bytesInOutput: 1 },
          },
        },
      },
    };
    expect(largestModules(meta, 2)).toEqual([
      { module: 'functions/domain', bytes: 25 },
      { module: 'x', bytes: 20 },
    ]);
  });
});

describe('limitMaxPerSecond', () => {
  it('lets the first second’s burst through free', () => {
    // 955 calls at 50/s after a burst of 50: 18.1 s for 500 distributions
    expect(limitMaxPerSecond(500, 955, 50)).toBeCloseTo(500 / 18.1, 6);
    expect(limitMaxPerSecond(10, 20, 50)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('generateAccount', () => {
  it('is a valid scenario whose broken sites sit where profileOf says', () => {
    const sc = parseScenario(
      generateAccount({ distributions: 50, apiLatencyMs: 5, cloudfrontRateLimit: 20 }),
    );
    expect(sc.cloudfront.distributions).toHaveLength(50);
    expect(new Set(sc.cloudfront.distributions.map((d) => d.Id)).size).toBe(50);
    expect(sc.simulation).toEqual({ apiLatencyMs: 5, rateLimit: { cloudfront: 20 } });
    const broken = Array.from({ length: 50 }, (_, i) => PROFILE_CAUSE[profileOf(i)]).filter(Boolean);
    expect(broken.length).toBeGreaterThan(5);
    expect(sc.cloudfront.distributions[7]?.DistributionConfig.Enabled).toBe(false);
  });
});

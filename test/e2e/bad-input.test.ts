// Bad input never crashes and never changes anything. A scenario that describes no possible account, or bad
// arguments, exit 2 with the JSON path or the option named on stderr and nothing on stdout. Input the
// workflow itself receives in production (the alarm event, dangling references in the account) runs, and
// ends with an outcome that names the problem.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../cli/main.ts';
import { synthesizedDefinition } from '../../sim/runner/definition.ts';
import { simulate } from '../../sim/runner/simulate.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { parseScenario } from '../../sim/scenario/validate.ts';
import { accountState, SCENARIO_DIR, scenario } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cf403-bad-input-'));
let files = 0;

function file(content: unknown, raw = false): string {
  const path = join(dir, `scenario-${files++}.json`);
  writeFileSync(path, raw ? String(content) : JSON.stringify(content, null, 2));
  return path;
}

/** The CLI in-process: exit code, stdout and stderr. */
async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const capture = (into: string[]) => (chunk: unknown) => {
    into.push(typeof chunk === 'string' ? chunk : new TextDecoder().decode(chunk as Uint8Array));
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture(out));
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture(err));
  try {
    const code = await main(args);
    return { code, stdout: out.join(''), stderr: err.join('') };
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
}

/** What every run of bad input keeps: 0 or 2, no stack trace, --json stdout empty or one JSON object. */
function expectClean(r: { code: number; stdout: string; stderr: string }, json: boolean): void {
  expect([0, 2], r.stderr).toContain(r.code);
  expect(r.stderr).not.toMatch(/\n\s+at .+:\d+:\d+/);
  expect(r.stderr).not.toMatch(/internal error/);
  if (r.code === 2) {
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^(cf403: |error: )/);
  } else if (json) {
    const report = JSON.parse(r.stdout) as unknown;
    expect(typeof report === 'object' && report !== null && !Array.isArray(report)).toBe(true);
  }
}

/** A copy of scenario `name` with each `path` (as validation names it) set to its value; undefined deletes. */
function edit(name: string, changes: Record<string, unknown> = {}): unknown {
  const doc = structuredClone(scenario(name)) as unknown;
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.match(/[^.[\]]+/g) ?? [];
    let node = doc as Record<string, unknown>;
    for (const k of keys.slice(0, -1)) node = node[k] as Record<string, unknown>;
    const last = keys.at(-1) ?? '';
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return doc;
}

const D = 'cloudfront.distributions[0].DistributionConfig';
const valid = (changes: Record<string, unknown> = {}) => edit('origin-access-missing', changes);

/** accountState without the OAC ETags the world adds to OACs a scenario lists without one. */
function state(s: Scenario) {
  const a = accountState(s);
  return { ...a, oacs: a.oacs.map(({ ETag: _e, ...o }) => o) };
}

beforeAll(async () => {
  await synthesizedDefinition();
});

afterEach(() => {
  vi.restoreAllMocks();
});

describe('scenarios that describe no possible account: exit 2 naming the JSON path, nothing runs', () => {
  const policy = (statement: unknown) => JSON.stringify({ Version: '2012-10-17', Statement: [statement] });
  const cases: [string, () => unknown, RegExp][] = [
    [
      'a JSON array',
      () => [],
      /\(top level\): expected a scenario object at the top level, got an array of 0/,
    ],
    ['JSON null', () => null, /\(top level\): expected a scenario object/],
    ['no name', () => valid({ name: undefined }), /name: expected a kebab-case name/],
    [
      'a number for the account',
      () => valid({ account: 111122223333 }),
      /account: expected a 12-digit account id/,
    ],
    ['no cloudfront', () => valid({ cloudfront: undefined }), /cloudfront: expected an object, got nothing/],
    [
      'no distributions',
      () => valid({ 'cloudfront.distributions': [] }),
      /cloudfront\.distributions: expected a non-empty array/,
    ],
    [
      'a Quantity that is not the length of Items',
      () => valid({ [`${D}.Origins.Quantity`]: 3 }),
      /cloudfront\.distributions\[0\]\.DistributionConfig\.Origins\.Quantity: expected 1 \(the length of Items\), got 3/,
    ],
    [
      'a behavior targeting no origin',
      () => valid({ [`${D}.DefaultCacheBehavior.TargetOriginId`]: 'nowhere' }),
      /DefaultCacheBehavior\.TargetOriginId: expected the Id of an origin/,
    ],
    [
      'a method that is not HTTP in AllowedMethods',
      () => valid({ [`${D}.DefaultCacheBehavior.AllowedMethods`]: { Quantity: 2, Items: ['GET', null] } }),
      /DefaultCacheBehavior\.AllowedMethods\.Items\[1\]: expected one of GET/,
    ],
    [
      'a function association without an ARN',
      () => valid({ [`${D}.DefaultCacheBehavior.FunctionAssociations`]: { Quantity: 1, Items: [null] } }),
      /FunctionAssociations\.Items\[0\]: expected an object, got null/,
    ],
    [
      'a country code that is a number',
      () =>
        valid({
          [`${D}.Restrictions`]: {
            GeoRestriction: { RestrictionType: 'whitelist', Quantity: 1, Items: [1] },
          },
        }),
      /GeoRestriction\.Items\[0\]: expected a 2-letter country code, got 1/,
    ],
    [
      'a relative request URL',
      () => valid({ requests: [{ url: '/index.html', method: 'GET' }] }),
      /requests\[0\]\.url: expected an absolute http\(s\) URL, got "\/index\.html"/,
    ],
    [
      'an unknown fault kind',
      () => valid({ simulation: { faults: [{ api: 'UpdateDistribution', error: 'Timeout', times: 1 }] } }),
      /simulation\.faults\[0\]\.error: expected one of ThrottlingException \| PreconditionFailed \| AccessDenied \| ServiceUnavailable, got "Timeout"/,
    ],
    [
      'a negative fault count',
      () =>
        valid({ simulation: { faults: [{ api: 'UpdateDistribution', error: 'AccessDenied', times: -2 }] } }),
      /simulation\.faults\[0\]\.times: expected an integer >= 1, got -2/,
    ],
    [
      'a bucket policy that is not JSON',
      () => valid({ 's3.buckets[0].Policy': '{"Statement": [' }),
      /s3\.buckets\[0\]\.Policy: expected a policy document as a JSON string, but it does not parse/,
    ],
    [
      'a policy statement AWS would refuse',
      () => valid({ 's3.buckets[0].Policy': policy({ Effect: 'Maybe', Principal: '*', Action: 's3:*' }) }),
      /s3\.buckets\[0\]\.Policy \(parsed\)\.Statement\[0\]\.Effect: expected one of Allow \| Deny, got "Maybe"/,
    ],
    [
      'a key policy principal that is a number',
      () =>
        edit('kms-access-denied', {
          'kms.keys[0].Policy': policy({ Effect: 'Allow', Principal: { AWS: 5 }, Action: 'kms:*' }),
        }),
      /kms\.keys\[0\]\.Policy \(parsed\)\.Statement\[0\]\.Principal\.AWS: expected a string or an array of strings, got 5/,
    ],
    [
      'an alarm event that is not an object',
      () => valid({ alarmEvent: 'ALARM' }),
      /alarmEvent: expected an object, got "ALARM"/,
    ],
    [
      'routing rules that are not a list',
      () => valid({ 's3.buckets[0].WebsiteConfiguration': { RoutingRules: 5 } }),
      /s3\.buckets\[0\]\.WebsiteConfiguration\.RoutingRules: expected an array, got 5/,
    ],
    [
      'a deployment that would take years',
      () => valid({ simulation: { deploymentSeconds: 1e9 } }),
      /simulation\.deploymentSeconds: expected a number from 0 to 86400, got 1000000000/,
    ],
    [
      'a client IP that is no address',
      () => valid({ 'requests[0].clientIp': ':::::' }),
      /requests\[0\]\.clientIp: expected an IPv4 or IPv6 address/,
    ],
    [
      'an unknown top-level field',
      () => valid({ distributions: [] }),
      /unknown top-level field\(s\) "distributions"/,
    ],
  ];

  it.each(cases)('%s', (_label, make, message) => {
    expect(() => parseScenario(make())).toThrow(message);
  });

  it('says so through the CLI: exit 2, the file and the path on stderr, nothing on stdout', async () => {
    for (const [label, make, message] of cases.slice(0, 8)) {
      const path = file(make());
      const r = await cli('simulate', path, '--approve', '--json');
      expectClean(r, true);
      expect(r.code, label).toBe(2);
      expect(r.stderr, label).toContain(path);
      expect(r.stderr, label).toMatch(message);
    }
  });

  it('names where a file stops being JSON, and takes a byte order mark in its stride', async () => {
    const broken = await cli('simulate', file('{\n  "name": "x",\n  "account": }', true), '--json');
    expectClean(broken, true);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/not valid JSON at position \d+ \(line 3, column \d+\)/);
    const empty = await cli('simulate', file('', true), '--json');
    expect(empty.code).toBe(2);
    expect(empty.stderr).toMatch(/not valid JSON/);
    const bom = await cli('simulate', file(`\ufeff${JSON.stringify(valid())}`, true), '--approve', '--json');
    expectClean(bom, true);
    expect(bom.code).toBe(0);
    expect(JSON.parse(bom.stdout).outcome).toBe('REMEDIATED');
  });
});

describe('bad arguments: exit 2 naming the problem', () => {
  const good = `${SCENARIO_DIR}origin-access-missing.json`;
  const sub = join(dir, 'a-directory');
  mkdirSync(sub, { recursive: true });
  it.each([
    ['an unknown option', ['simulate', good, '--bogus'], /unknown option '--bogus'/],
    [
      'two decisions',
      ['simulate', good, '--approve', '--reject', '--json'],
      /--approve and --reject cannot be used together/,
    ],
    [
      'a decision and a timeout',
      ['simulate', good, '--reject', '--timeout'],
      /--reject and --timeout cannot be used together/,
    ],
    [
      'a missing file',
      ['simulate', join(dir, 'nope.json'), '--json'],
      /nope\.json: cannot read the scenario file: ENOENT/,
    ],
    ['a directory', ['simulate', sub, '--json'], /a-directory: cannot read the scenario file: EISDIR/],
    ['two files', ['simulate', good, good], /too many arguments for 'simulate'/],
    [
      'an unknown log level',
      ['simulate', good, '--log-level', 'loud'],
      /--log-level loud: expected one of TRACE/,
    ],
    ['an unknown command', ['simulat', good], /unknown command 'simulat'/],
  ])('%s', async (_label, args, message) => {
    const r = await cli(...args);
    expectClean(r, args.includes('--json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('input the workflow receives in production: it runs, names the problem, changes nothing', () => {
  it.each([
    ['event-unknown-distribution', 'DistributionNotFoundError', /EDOESNOTEXIST1 does not exist/],
    ['event-malformed-detail', 'InvalidAlarmEventError', /detail\.state must be an object/],
    ['event-bad-distribution-id', 'InvalidAlarmEventError', /'my-site' is not a CloudFront distribution id/],
    ['event-sns-wrapped', 'InvalidAlarmEventError', /expected source aws\.cloudwatch/],
  ])('%s: exit 0, FAILED with %s', async (name, error, cause) => {
    const r = await cli('simulate', `${SCENARIO_DIR}${name}.json`, '--approve', '--json');
    expectClean(r, true);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout) as {
      outcome: string;
      error: { error: string; cause: string };
      world: never;
    };
    expect(report.outcome).toBe('FAILED');
    expect(report.error.error).toBe(error);
    expect(report.error.cause).toMatch(cause);
    expect(state(report.world)).toEqual(state(scenario(name)));
  });

  it('treats an origin pointing at an OAC that does not exist as the cause it is', async () => {
    const sc = parseScenario(valid({ [`${D}.Origins.Items[0].OriginAccessControlId`]: 'E3NOSUCHOAC' }));
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.causes[0]?.id).toBe('OAC_MISCONFIGURED');
  });

  it('fails cleanly when the KMS key of the objects is gone, changing nothing', async () => {
    const sc = parseScenario(edit('kms-access-denied', { 'kms.keys': [] }));
    const report = await simulate(sc, { decision: 'approve' });
    expect(['FAILED', 'ESCALATED']).toContain(report.outcome);
    if (report.outcome === 'FAILED') expect(report.error?.cause).toMatch(/NotFoundException/);
    expect(state(report.world)).toEqual(state(sc));
  });

  it('runs a scenario whose bucket has the name of the simulator’s artifact bucket', async () => {
    const name = 'cf403-artifacts-sim';
    const policyText = scenario('origin-access-missing').s3.buckets[0]?.Policy ?? '';
    const sc = parseScenario(
      valid({
        's3.buckets[0].Name': name,
        's3.buckets[0].Policy': policyText.replaceAll('example-site', name),
        [`${D}.Origins.Items[0].DomainName`]: `${name}.s3.us-east-1.amazonaws.com`,
      }),
    );
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('REMEDIATED');
    expect(report.world.s3.buckets.map((b) => b.Name)).toEqual([name]);
  });

  it('gives up on a deployment that never finishes, restoring the config', async () => {
    const sc = loadScenario(`${SCENARIO_DIR}fault-deployment-stuck.json`);
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('FAILED');
    expect(report.error?.error).toBe('PollTimeoutError');
    expect(report.rollback?.restored).toEqual([
      `distribution ${sc.cloudfront.distributions[0]?.Id} config restored`,
    ]);
    expect(state(report.world)).toEqual(state(sc));
  });
});

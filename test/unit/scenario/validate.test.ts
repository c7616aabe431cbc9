import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadScenario } from '../../../sim/scenario/load.ts';
import { parseScenario, ScenarioError } from '../../../sim/scenario/validate.ts';
import { SCENARIO_DIR, scenarioFiles } from '../world/helpers.ts';

type Doc = Record<string, unknown>;

function raw(name = 'healthy'): Doc {
  return JSON.parse(readFileSync(join(SCENARIO_DIR, `${name}.json`), 'utf8')) as Doc;
}

/** Follows a path of keys/indexes into a JSON document (test helper, no checks). */
function get(doc: unknown, ...keys: (string | number)[]): Doc {
  let at: unknown = doc;
  for (const k of keys) at = (at as Record<string | number, unknown>)[k];
  return at as Doc;
}

const dc = (doc: Doc) => get(doc, 'cloudfront', 'distributions', 0, 'DistributionConfig');
const bucket = (doc: Doc) => get(doc, 's3', 'buckets', 0);

function errorOf(input: unknown): ScenarioError {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error;
    throw error;
  }
  throw new Error('expected a ScenarioError');
}

describe('the example scenarios', () => {
  it('finds all ten', () => {
    expect(scenarioFiles()).toHaveLength(10);
  });

  it.each(scenarioFiles())('%s is valid', (file) => {
    const loaded = loadScenario(join(SCENARIO_DIR, file));
    expect(loaded.name).toBe(file.replace(/\.json$/, ''));
    expect(loaded).toEqual(raw(file.replace(/\.json$/, '')));
  });

  it('reads an absent bucket setting as null and absent objects as none, as the API answers "not found"', () => {
    const doc = raw();
    delete bucket(doc).PublicAccessBlockConfiguration;
    delete bucket(doc).WebsiteConfiguration;
    delete bucket(doc).Objects;
    const b = parseScenario(doc).s3.buckets[0];
    expect(b?.PublicAccessBlockConfiguration).toBeNull();
    expect(b?.WebsiteConfiguration).toBeNull();
    expect(b?.Objects).toEqual([]);
  });

  it('accepts a distribution pasted from GetDistribution, with its extra fields', () => {
    const doc = raw();
    Object.assign(get(doc, 'cloudfront', 'distributions', 0), {
      LastModifiedTime: '2026-11-27T10:00:00Z',
      InProgressInvalidationBatches: 0,
      ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
      ActiveTrustedKeyGroups: { Enabled: false, Quantity: 0 },
    });
    expect(parseScenario(doc).cloudfront.distributions[0]?.Id).toBe('E2QWRUHEXAMPLE');
    get(doc, 'cloudfront', 'distributions', 0).Tags = {};
    expect(errorOf(doc).path).toBe('cloudfront.distributions[0].Tags');
  });

  it('returns a deep copy', () => {
    const doc = raw();
    const parsed = parseScenario(doc);
    dc(doc).DefaultRootObject = 'changed';
    expect(parsed.cloudfront.distributions[0]?.DistributionConfig.DefaultRootObject).toBe('index.html');
  });
});

const cases: [string, (doc: Doc) => void, string, RegExp?][] = [
  ['missing name', (d) => delete d.name, 'name'],
  ['name not kebab-case', (d) => (d.name = 'Bad_Name'), 'name', /kebab-case/],
  [
    'short account',
    (d) => (d.account = '1234'),
    'account',
    /^account: expected a 12-digit account id, got "1234"$/,
  ],
  ['account as a number', (d) => (d.account = 111122223333), 'account'],
  ['unknown top-level field', (d) => (d.extra = 1), 'extra', /unknown top-level field\(s\) "extra"/],
  ['no distributions', (d) => (get(d, 'cloudfront').distributions = []), 'cloudfront.distributions'],
  [
    'bad status',
    (d) => (get(d, 'cloudfront', 'distributions', 0).Status = 'Done'),
    'cloudfront.distributions[0].Status',
  ],
  [
    'missing ETag',
    (d) => delete get(d, 'cloudfront', 'distributions', 0).ETag,
    'cloudfront.distributions[0].ETag',
  ],
  [
    'ARN of another id',
    (d) =>
      (get(d, 'cloudfront', 'distributions', 0).ARN = 'arn:aws:cloudfront::111122223333:distribution/EOTHER'),
    'cloudfront.distributions[0].ARN',
  ],
  [
    'origins quantity',
    (d) => (get(dc(d), 'Origins').Quantity = 2),
    'cloudfront.distributions[0].DistributionConfig.Origins.Quantity',
    /Origins\.Quantity: expected 1 \(the length of Items\), got 2$/,
  ],
  [
    'nested quantity',
    (d) => (get(dc(d), 'DefaultCacheBehavior', 'AllowedMethods', 'CachedMethods').Quantity = 3),
    'cloudfront.distributions[0].DistributionConfig.DefaultCacheBehavior.AllowedMethods.CachedMethods.Quantity',
  ],
  [
    'quantity without items',
    (d) => (get(dc(d), 'Aliases').Quantity = 1),
    'cloudfront.distributions[0].DistributionConfig.Aliases.Quantity',
  ],
  [
    'empty origins',
    (d) => (dc(d).Origins = { Quantity: 0, Items: [] }),
    'cloudfront.distributions[0].DistributionConfig.Origins.Items',
  ],
  [
    'behavior targets no origin',
    (d) => (get(dc(d), 'DefaultCacheBehavior').TargetOriginId = 'nowhere'),
    'cloudfront.distributions[0].DistributionConfig.DefaultCacheBehavior.TargetOriginId',
    /the Id of an origin \(s3-origin\), got "nowhere"/,
  ],
  [
    'bad OAC id',
    (d) => (get(dc(d), 'Origins', 'Items', 0).OriginAccessControlId = 'oac-lowercase'),
    'cloudfront.distributions[0].DistributionConfig.Origins.Items[0].OriginAccessControlId',
  ],
  ['bucket name', (d) => (bucket(d).Name = 'Bad Bucket'), 's3.buckets[0].Name'],
  [
    'policy not JSON',
    (d) => (bucket(d).Policy = '{"Statement": ['),
    's3.buckets[0].Policy',
    /does not parse/,
  ],
  [
    'policy without Statement',
    (d) => (bucket(d).Policy = '{"Version":"2012-10-17"}'),
    's3.buckets[0].Policy (parsed).Statement',
  ],
  ['policy as an object', (d) => (bucket(d).Policy = { Statement: [] }), 's3.buckets[0].Policy'],
  [
    'bad object owner',
    (d) => (get(bucket(d), 'Objects', 0).OwnerAccount = 'x'),
    's3.buckets[0].Objects[0].OwnerAccount',
  ],
  [
    'kms policy not JSON',
    (d) =>
      (d.kms = { keys: [{ KeyId: 'k', Arn: 'arn:aws:kms:us-east-1:111122223333:key/k', Policy: 'nope' }] }),
    'kms.keys[0].Policy',
  ],
  ['no requests', (d) => (d.requests = []), 'requests'],
  [
    'relative url',
    (d) => (get(d, 'requests', 0).url = '/index.html'),
    'requests[0].url',
    /absolute http\(s\) URL/,
  ],
  ['ftp url', (d) => (get(d, 'requests', 0).url = 'ftp://example.com/x'), 'requests[0].url'],
  ['missing method', (d) => delete get(d, 'requests', 0).method, 'requests[0].method'],
  [
    'fault error',
    (d) => (d.simulation = { faults: [{ api: 'UpdateDistribution', error: 'Boom', times: 1 }] }),
    'simulation.faults[0].error',
  ],
  [
    'fault times',
    (d) => (d.simulation = { faults: [{ api: 'UpdateDistribution', error: 'AccessDenied', times: 0 }] }),
    'simulation.faults[0].times',
  ],
  [
    'negative deploymentSeconds',
    (d) => (d.simulation = { deploymentSeconds: -1 }),
    'simulation.deploymentSeconds',
  ],
  ['unknown simulation field', (d) => (d.simulation = { deploySeconds: 1 }), 'simulation.deploySeconds'],
  ['unknown cause', (d) => (d.expect = { causes: ['NOPE'], outcome: 'REMEDIATED' }), 'expect.causes[0]'],
];

describe('malformed scenarios', () => {
  it.each(cases)('%s', (_label, edit, path, message) => {
    const doc = raw();
    edit(doc);
    const error = errorOf(doc);
    expect(error.path).toBe(path);
    expect(error.message.startsWith(`${path}: `)).toBe(true);
    if (message) expect(error.message).toMatch(message);
  });

  it.each([[[]], ['text'], [null], [42]])('rejects a top-level %j', (value) => {
    const error = errorOf(value);
    expect(error.path).toBe('');
    expect(error.message).toMatch(/expected a scenario object at the top level/);
  });
});

describe('loadScenario', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cf403-scenario-'));

  it('names the file and the parse position of invalid JSON', () => {
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{\n  "name": "x",\n  oops\n}');
    expect(() => loadScenario(file)).toThrow(ScenarioError);
    expect(() => loadScenario(file)).toThrow(
      /broken\.json: not valid JSON at position \d+ \(line 3, column 3\)/,
    );
  });

  it('names an unreadable file', () => {
    expect(() => loadScenario(join(dir, 'missing.json'))).toThrow(
      /missing\.json: cannot read the scenario file/,
    );
  });

  it('prefixes validation errors with the file and keeps the path', () => {
    const file = join(dir, 'bad-account.json');
    writeFileSync(file, JSON.stringify({ ...raw(), account: '1' }));
    try {
      loadScenario(file);
      throw new Error('expected a ScenarioError');
    } catch (error) {
      expect(error).toBeInstanceOf(ScenarioError);
      expect((error as ScenarioError).path).toBe('account');
      expect((error as ScenarioError).message).toContain(
        'bad-account.json: account: expected a 12-digit account id',
      );
    }
  });
});

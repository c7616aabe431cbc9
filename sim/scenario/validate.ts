// Checks a scenario (docs/scenario-format.md) before anything runs, and names the JSON path and what was
// expected when it is wrong. The structure is the JSON Schema's (schema/scenario.schema.json, through ajv);
// this module adds what a schema cannot say: Quantity equals the length of Items, behaviors target an origin
// of their distribution, an ARN names its own Id, policy text parses to a policy, addresses and CIDR blocks.
import { isIP } from 'node:net';
import { findQuantityMismatch } from '../world/quantities.ts';
import { at, schemaViolation } from './schema.ts';
import type { Scenario } from './types.ts';
import { lambdaSection } from './validate-issue11.ts';

export class ScenarioError extends Error {
  /** JSON path of the offending field, e.g. `cloudfront.distributions[0].ETag`; '' for the whole document */
  readonly path: string;

  constructor(message: string, path: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ScenarioError';
    this.path = path;
  }
}

type Json = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  return String(value);
}

function fail(path: string, expected: string, got: unknown): never {
  throw new ScenarioError(`${path || '(top level)'}: expected ${expected}, got ${describe(got)}`, path);
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Objects and arrays below a value the schema has checked: typed access without re-checking. */
const rec = (value: unknown): Json => (isRecord(value) ? value : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function structure(input: unknown): void {
  const v = schemaViolation(input);
  if (!v) return;
  if (v.unknownKeys) {
    const where = v.unknownKeys.parent === '' ? 'top-level' : `${v.unknownKeys.parent}:`;
    throw new ScenarioError(
      `${v.path}: unknown ${where} field(s) ${v.unknownKeys.keys.map((k) => JSON.stringify(k)).join(', ')}; expected only ${v.unknownKeys.allowed.join(', ')}`,
      v.path,
    );
  }
  fail(v.path, v.expected, v.got);
}

function ipAddress(value: unknown, path: string): void {
  if (typeof value === 'string' && isIP(value) === 0) fail(path, 'an IPv4 or IPv6 address', value);
}

function cidr(text: string, path: string, version: 4 | 6): void {
  const what = `an IPv${version} CIDR block such as ${version === 4 ? '"198.51.100.0/24"' : '"2001:db8::/32"'}`;
  const [address = '', prefix = '', ...rest] = text.split('/');
  const bits = Number(prefix);
  if (
    rest.length > 0 ||
    isIP(address) !== version ||
    !/^\d{1,3}$/.test(prefix) ||
    bits > (version === 4 ? 32 : 128)
  )
    fail(path, what, text);
}

function anyCidr(value: unknown, path: string): void {
  const text = String(value);
  cidr(text, path, isIP(text.split('/')[0] ?? '') === 6 ? 6 : 4);
}

function url(value: unknown, path: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(String(value));
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    fail(path, 'an absolute http(s) URL', value);
}

function stringOrStrings(value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    fail(path, 'a string or an array of strings', value);
}

function oneOf(value: unknown, path: string, allowed: readonly string[]): void {
  if (typeof value !== 'string' || !allowed.includes(value))
    fail(path, `one of ${allowed.join(' | ')}`, value);
}

/** A policy document as text (the schema knows it only as a string): parses as JSON, with AWS's grammar. */
function policyText(value: unknown, path: string): void {
  if (typeof value !== 'string') return;
  let doc: unknown;
  try {
    doc = JSON.parse(value);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ScenarioError(
      `${path}: expected a policy document as a JSON string, but it does not parse: ${reason}`,
      path,
      { cause },
    );
  }
  if (!isRecord(doc)) fail(`${path} (parsed)`, 'a JSON object', doc);
  if (!Array.isArray(doc.Statement) && !isRecord(doc.Statement))
    fail(`${path} (parsed).Statement`, 'a statement array', doc.Statement);
  // The grammar AWS itself enforces (it refuses to store anything else), so a scenario is an account that
  // could exist; the policy evaluator may then rely on these shapes.
  const statements = Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  statements.forEach((st, i) => {
    const sp = `${path} (parsed).Statement${Array.isArray(doc.Statement) ? `[${i}]` : ''}`;
    if (!isRecord(st)) fail(sp, 'a statement object', st);
    oneOf(st.Effect, at(sp, 'Effect'), ['Allow', 'Deny']);
    if (st.Sid !== undefined && typeof st.Sid !== 'string') fail(at(sp, 'Sid'), 'a string', st.Sid);
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'])
      if (st[k] !== undefined) stringOrStrings(st[k], at(sp, k));
    for (const k of ['Principal', 'NotPrincipal']) {
      const principal = st[k];
      if (principal === undefined || principal === '*') continue;
      if (!isRecord(principal))
        fail(at(sp, k), '"*" or an object such as {"Service": "cloudfront.amazonaws.com"}', principal);
      for (const [kind, ids] of Object.entries(principal)) stringOrStrings(ids, at(at(sp, k), kind));
    }
    if (st.Condition !== undefined) {
      if (!isRecord(st.Condition)) fail(at(sp, 'Condition'), 'an object', st.Condition);
      for (const [operator, block] of Object.entries(st.Condition))
        if (!isRecord(block)) fail(at(at(sp, 'Condition'), operator), 'an object of condition keys', block);
    }
  });
}

function quantities(value: unknown, path: string): void {
  const mismatch = findQuantityMismatch(value, path);
  if (!mismatch) return;
  if (mismatch.length < 0) fail(mismatch.path, 'an array', mismatch.items);
  throw new ScenarioError(
    `${mismatch.path}: expected ${mismatch.length} (the length of Items), got ${describe(mismatch.quantity)}`,
    mismatch.path,
  );
}

// ---- what the schema cannot say ----

function distribution(d: Json, path: string): void {
  // the ARN names this distribution's own Id
  if (!new RegExp(`^arn:aws[a-z-]*:cloudfront::\\d{12}:distribution/${String(d.Id)}$`).test(String(d.ARN)))
    fail(at(path, 'ARN'), `the ARN arn:aws:cloudfront::<account>:distribution/${String(d.Id)}`, d.ARN);
  const cp = at(path, 'DistributionConfig');
  const c = rec(d.DistributionConfig);
  quantities(c, cp);
  const targets = new Set<string>(list(rec(c.Origins).Items).map((o) => String(rec(o).Id)));
  for (const g of list(rec(c.OriginGroups).Items))
    if (typeof rec(g).Id === 'string') targets.add(String(rec(g).Id));
  const target = (b: unknown, p: string) => {
    const id = rec(b).TargetOriginId;
    if (typeof id === 'string' && !targets.has(id))
      fail(at(p, 'TargetOriginId'), `the Id of an origin (${[...targets].join(', ')})`, id);
  };
  target(c.DefaultCacheBehavior, at(cp, 'DefaultCacheBehavior'));
  list(rec(c.CacheBehaviors).Items).forEach((b, i) => {
    target(b, at(at(at(cp, 'CacheBehaviors'), 'Items'), i));
  });
}

function viewerRequest(r: Json, path: string): void {
  url(r.url, at(path, 'url'));
  if (r.clientIp !== undefined) ipAddress(r.clientIp, at(path, 'clientIp'));
}

/** The sections an account holds (the top level's, or a member account's under `prefix`). */
function accountSections(section: Json, prefix: string): void {
  const cf = rec(section.cloudfront);
  list(cf.distributions).forEach((d, i) => {
    distribution(rec(d), at(at(at(prefix, 'cloudfront'), 'distributions'), i));
  });
  list(cf.originRequestPolicies).forEach((o, i) => {
    quantities(
      rec(o).OriginRequestPolicyConfig,
      at(at(at(at(prefix, 'cloudfront'), 'originRequestPolicies'), i), 'OriginRequestPolicyConfig'),
    );
  });
  list(rec(section.s3).buckets).forEach((b, i) => {
    policyText(rec(b).Policy, at(at(at(at(prefix, 's3'), 'buckets'), i), 'Policy'));
  });
  list(rec(section.kms).keys).forEach((k, i) => {
    policyText(rec(k).Policy, at(at(at(at(prefix, 'kms'), 'keys'), i), 'Policy'));
  });
  list(rec(section.wafv2).ipSets).forEach((s, i) => {
    const set = rec(s);
    const version = set.IPAddressVersion === 'IPV6' ? 6 : 4;
    list(set.Addresses).forEach((a, j) => {
      cidr(String(a), at(at(at(at(at(prefix, 'wafv2'), 'ipSets'), i), 'Addresses'), j), version);
    });
  });
  list(rec(section.logs).history).forEach((r, i) => {
    viewerRequest(rec(r), at(at(at(prefix, 'logs'), 'history'), i));
  });
  if (section.lambda !== undefined) lambdaSection(section.lambda, at(prefix, 'lambda'));
}

/**
 * issue 15: member accounts. Each is another account than the hub's and than every other member; a resource's
 * ARN names the account holding it; bucket names are global (S3 User Guide, "Bucket naming rules": unique
 * across all AWS accounts in a partition); a scenario with accounts names its organization.
 */
function organization(root: Json): void {
  const accounts = list(root.accounts);
  const all: { section: Json; prefix: string; account: string }[] = [
    { section: root, prefix: '', account: String(root.account) },
    ...accounts.map((a, i) => ({
      section: rec(a),
      prefix: at('accounts', i),
      account: String(rec(a).account),
    })),
  ];
  if (root.accounts !== undefined && root.organization === undefined)
    fail(
      'organization',
      'an organization such as {"id": "o-a1b2c3d4e5"} (a scenario with accounts is an organization)',
      undefined,
    );
  const seen = new Map<string, string>([[String(root.account), 'account (the hub)']]);
  accounts.forEach((a, i) => {
    const path = at(at('accounts', i), 'account');
    const id = String(rec(a).account);
    const first = seen.get(id);
    if (first !== undefined)
      throw new ScenarioError(
        `${path}: account ${id} is already ${first === 'account (the hub)' ? 'the hub account (top-level account)' : `listed at ${first}`}; each member account appears once and is not the hub`,
        path,
      );
    seen.set(id, path);
  });
  const distributions = all.flatMap(({ section }) => list(rec(section.cloudfront).distributions));
  if (distributions.length === 0)
    fail(
      'cloudfront.distributions',
      root.accounts === undefined
        ? 'a non-empty array of distributions'
        : 'at least one distribution in the hub or a member account',
      rec(root.cloudfront).distributions,
    );
  if (root.accounts === undefined) return;
  const buckets = new Map<string, string>();
  for (const { section, prefix, account } of all) {
    list(rec(section.cloudfront).distributions).forEach((d, i) => {
      const path = at(at(at(at(prefix, 'cloudfront'), 'distributions'), i), 'ARN');
      const arn = String(rec(d).ARN);
      if (arn.split(':')[4] !== account)
        fail(path, `a distribution ARN of the account holding it (${account})`, arn);
    });
    list(rec(section.s3).buckets).forEach((b, i) => {
      const path = at(at(at(at(prefix, 's3'), 'buckets'), i), 'Name');
      const name = String(rec(b).Name);
      const first = buckets.get(name);
      if (first !== undefined)
        throw new ScenarioError(
          `${path}: bucket ${name} is already at ${first}; bucket names are unique across all accounts`,
          path,
        );
      buckets.set(name, path);
    });
  }
}

function semantics(root: Json): void {
  accountSections(root, '');
  list(root.accounts).forEach((a, i) => {
    accountSections(rec(a), at('accounts', i));
  });
  organization(root);
  list(root.requests).forEach((r, i) => {
    viewerRequest(rec(r), at('requests', i));
  });
  const sim = rec(root.simulation);
  if (sim.probe !== undefined) ipAddress(rec(sim.probe).clientIp, 'simulation.probe.clientIp');
  for (const [k, cidrs] of Object.entries(rec(sim.ipReputation)))
    list(cidrs).forEach((c, i) => {
      anyCidr(c, at(at('simulation.ipReputation', k), i));
    });
}

/** Validates a parsed scenario document and returns a deep copy typed as Scenario. */
export function parseScenario(input: unknown): Scenario {
  structure(input);
  const root = rec(input);
  semantics(root);
  return normalized(structuredClone(root) as unknown as Scenario);
}

const NULLABLE_BUCKET_FIELDS = [
  'Policy',
  'PublicAccessBlockConfiguration',
  'OwnershipControls',
  'ServerSideEncryptionConfiguration',
  'WebsiteConfiguration',
] as const;

/** Fills what a scenario may leave out with what it means: absent bucket settings are null, no objects is []. */
function normalized(sc: Scenario): Scenario {
  const buckets = [sc.s3, ...(sc.accounts ?? []).map((a) => a.s3)].flatMap((s) => s?.buckets ?? []);
  for (const b of buckets) {
    const bucket = b as unknown as Record<string, unknown>;
    for (const k of NULLABLE_BUCKET_FIELDS) if (bucket[k] === undefined) bucket[k] = null;
    if (bucket.Objects === undefined) bucket.Objects = [];
  }
  return sc;
}

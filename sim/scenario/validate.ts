// Checks a scenario (../shared/contract/scenario-format.md) before anything runs, and names the JSON path and
// what was expected when it is wrong.
import { isIP } from 'node:net';
import { CAUSE_IDS } from '../../functions/domain/types.ts';
import { findQuantityMismatch } from '../world/quantities.ts';
import type { Scenario } from './types.ts';
import { errorCache, lambdaEdge, lambdaSection } from './validate-issue11.ts';

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

const TOP_LEVEL = [
  'name',
  'description',
  'account',
  'region',
  'cloudfront',
  's3',
  'kms',
  'wafv2',
  'requests',
  'logs',
  'cloudwatchLogs',
  'metrics',
  'cloudwatch',
  'lambda',
  'alarmEvent',
  'simulation',
  'expect',
] as const;
const OUTCOMES = ['REMEDIATED', 'NO_ACTION_NEEDED', 'ESCALATED', 'REJECTED', 'ROLLED_BACK', 'FAILED'];
const FAULT_ERRORS = ['ThrottlingException', 'PreconditionFailed', 'AccessDenied', 'ServiceUnavailable'];
const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

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

function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function obj(value: unknown, path: string, what = 'an object'): Json {
  if (!isRecord(value)) fail(path, what, value);
  return value;
}

function str(
  value: unknown,
  path: string,
  opts: { nonEmpty?: boolean; pattern?: RegExp; what?: string } = {},
): string {
  const what = opts.what ?? (opts.nonEmpty ? 'a non-empty string' : 'a string');
  if (typeof value !== 'string') fail(path, what, value);
  if (opts.nonEmpty && value === '') fail(path, what, value);
  if (opts.pattern && !opts.pattern.test(value)) fail(path, what, value);
  return value;
}

function num(
  value: unknown,
  path: string,
  opts: { min?: number; max?: number; integer?: boolean; what?: string } = {},
): number {
  const range =
    opts.min !== undefined && opts.max !== undefined
      ? ` from ${opts.min} to ${opts.max}`
      : opts.min !== undefined
        ? ` >= ${opts.min}`
        : opts.max !== undefined
          ? ` <= ${opts.max}`
          : '';
  const what = opts.what ?? `${opts.integer ? 'an integer' : 'a number'}${range}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, what, value);
  if (opts.integer && !Number.isInteger(value)) fail(path, what, value);
  if (opts.min !== undefined && value < opts.min) fail(path, what, value);
  if (opts.max !== undefined && value > opts.max) fail(path, what, value);
  return value;
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, 'true or false', value);
  return value;
}

function arr(value: unknown, path: string, opts: { nonEmpty?: boolean; what?: string } = {}): unknown[] {
  const what = opts.what ?? (opts.nonEmpty ? 'a non-empty array' : 'an array');
  if (!Array.isArray(value)) fail(path, what, value);
  if (opts.nonEmpty && value.length === 0) fail(path, what, value);
  return value;
}

function oneOf(value: unknown, path: string, allowed: readonly string[]): string {
  if (typeof value !== 'string' || !allowed.includes(value))
    fail(path, `one of ${allowed.join(' | ')}`, value);
  return value;
}

/** Runs `check` when the field is present (not undefined). */
function opt<T>(
  o: Json,
  key: string,
  path: string,
  check: (value: unknown, path: string) => T,
): T | undefined {
  return o[key] === undefined ? undefined : check(o[key], at(path, key));
}

/** Runs `check` unless the field is null or absent; absent means null (the "not found" answer). */
function nullable(
  o: Json,
  key: string,
  path: string,
  check: (value: unknown, path: string) => unknown,
): void {
  if (o[key] !== null && o[key] !== undefined) check(o[key], at(path, key));
}

function knownKeys(o: Json, path: string, allowed: readonly string[]): void {
  const unknown = Object.keys(o).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) {
    const where = path === '' ? 'top-level' : `${path}:`;
    throw new ScenarioError(
      `${at(path, unknown[0] ?? '')}: unknown ${where} field(s) ${unknown.map((k) => JSON.stringify(k)).join(', ')}; expected only ${allowed.join(', ')}`,
      at(path, unknown[0] ?? ''),
    );
  }
}

/** Checks each element of a CloudFront `{ Quantity, Items }` list (Items may be absent when empty). */
function listItems(list: Json, path: string, check: (item: unknown, path: string) => void): void {
  opt(list, 'Items', path, (v, p) => each(v, p, check));
}

function ipAddress(value: unknown, path: string): string {
  const text = str(value, path, { what: 'an IPv4 or IPv6 address' });
  if (isIP(text) === 0) fail(path, 'an IPv4 or IPv6 address', text);
  return text;
}

function cidr(value: unknown, path: string, version: 4 | 6): void {
  const what = `an IPv${version} CIDR block such as ${version === 4 ? '"198.51.100.0/24"' : '"2001:db8::/32"'}`;
  const text = str(value, path, { what });
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

function stringRecord(value: unknown, path: string): void {
  const o = obj(value, path, 'an object of strings');
  for (const [k, v] of Object.entries(o)) str(v, at(path, k));
}

/** A policy document as text: parses as JSON, with a Statement. */
function policyText(value: unknown, path: string): void {
  const text = str(value, path, { what: 'a policy document as a JSON string' });
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new ScenarioError(
      `${path}: expected a policy document as a JSON string, but it does not parse: ${reason}`,
      path,
      {
        cause,
      },
    );
  }
  const o = obj(doc, `${path} (parsed)`, 'a JSON object');
  if (!Array.isArray(o.Statement) && !isRecord(o.Statement))
    fail(`${path} (parsed).Statement`, 'a statement array', o.Statement);
  // The grammar AWS itself enforces (it refuses to store anything else), so a scenario is an account that
  // could exist; the policy evaluator may then rely on these shapes.
  const statements = Array.isArray(o.Statement) ? o.Statement : [o.Statement];
  statements.forEach((st, i) => {
    const sp = `${path} (parsed).Statement${Array.isArray(o.Statement) ? `[${i}]` : ''}`;
    const x = obj(st, sp, 'a statement object');
    oneOf(x.Effect, at(sp, 'Effect'), ['Allow', 'Deny']);
    opt(x, 'Sid', sp, (v, p) => str(v, p));
    for (const k of ['Action', 'NotAction', 'Resource', 'NotResource'])
      opt(x, k, sp, (v, p) => stringOrStrings(v, p));
    for (const k of ['Principal', 'NotPrincipal']) {
      opt(x, k, sp, (v, p) => {
        if (v === '*') return;
        const principal = obj(v, p, '"*" or an object such as {"Service": "cloudfront.amazonaws.com"}');
        for (const [kind, ids] of Object.entries(principal)) stringOrStrings(ids, at(p, kind));
      });
    }
    opt(x, 'Condition', sp, (v, p) => {
      for (const [operator, block] of Object.entries(obj(v, p)))
        obj(block, at(p, operator), 'an object of condition keys');
    });
  });
}

function stringOrStrings(value: unknown, path: string): void {
  if (typeof value === 'string') return;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
    fail(path, 'a string or an array of strings', value);
}

function pab(value: unknown, path: string): void {
  const o = obj(value, path);
  knownKeys(o, path, ['BlockPublicAcls', 'IgnorePublicAcls', 'BlockPublicPolicy', 'RestrictPublicBuckets']);
  for (const k of Object.keys(o)) bool(o[k], at(path, k));
}

const ACCOUNT = /^\d{12}$/;
const DAY_SECONDS = 86_400;
const ID = /^[A-Z0-9]{6,}$/;

// ---- cloudfront ----

function distributionConfig(value: unknown, path: string): void {
  const c = obj(value, path);
  const mismatch = findQuantityMismatch(c, path);
  if (mismatch) {
    if (mismatch.length < 0) fail(mismatch.path, 'an array', mismatch.items);
    throw new ScenarioError(
      `${mismatch.path}: expected ${mismatch.length} (the length of Items), got ${describe(mismatch.quantity)}`,
      mismatch.path,
    );
  }
  bool(c.Enabled, at(path, 'Enabled'));
  opt(c, 'DefaultRootObject', path, (v, p) => str(v, p));
  const originsPath = at(path, 'Origins');
  const origins = obj(c.Origins, originsPath);
  const items = arr(origins.Items, at(originsPath, 'Items'), {
    nonEmpty: true,
    what: 'a non-empty array of origins',
  });
  const targets = new Set<string>();
  items.forEach((item, i) => {
    const p = at(at(originsPath, 'Items'), i);
    const o = obj(item, p);
    targets.add(str(o.Id, at(p, 'Id'), { nonEmpty: true }));
    str(o.DomainName, at(p, 'DomainName'), { nonEmpty: true });
    opt(o, 'OriginPath', p, (v, pp) =>
      str(v, pp, {
        pattern: /^(\/.*[^/])?$/,
        what: 'an empty string or a path starting with / and not ending with /',
      }),
    );
    opt(o, 'OriginAccessControlId', p, (v, pp) => {
      if (v !== '')
        str(v, pp, {
          pattern: ID,
          what: 'an origin access control id (upper-case letters and digits) or ""',
        });
    });
    opt(o, 'CustomOriginConfig', p, (v, pp) => obj(v, pp));
    opt(o, 'CustomHeaders', p, (v, pp) =>
      listItems(obj(v, pp), pp, (h, hp) => {
        const header = obj(h, hp);
        str(header.HeaderName, at(hp, 'HeaderName'), { nonEmpty: true });
        str(header.HeaderValue, at(hp, 'HeaderValue'));
      }),
    );
    opt(o, 'S3OriginConfig', p, (v, pp) => {
      const s3 = obj(v, pp);
      opt(s3, 'OriginAccessIdentity', pp, (oai, ppp) => {
        if (oai !== '')
          str(oai, ppp, {
            pattern: /^origin-access-identity\/cloudfront\/[A-Z0-9]+$/,
            what: '"" or "origin-access-identity/cloudfront/<id>"',
          });
      });
    });
  });
  const groups = isRecord(c.OriginGroups) && Array.isArray(c.OriginGroups.Items) ? c.OriginGroups.Items : [];
  for (const g of groups) if (isRecord(g) && typeof g.Id === 'string') targets.add(g.Id);
  const behavior = (b: unknown, p: string, withPattern: boolean) => {
    const o = obj(b, p);
    if (withPattern) str(o.PathPattern, at(p, 'PathPattern'), { nonEmpty: true });
    const target = str(o.TargetOriginId, at(p, 'TargetOriginId'), { nonEmpty: true });
    if (!targets.has(target))
      fail(at(p, 'TargetOriginId'), `the Id of an origin (${[...targets].join(', ')})`, target);
    opt(o, 'ViewerProtocolPolicy', p, (v, pp) =>
      oneOf(v, pp, ['allow-all', 'https-only', 'redirect-to-https']),
    );
    opt(o, 'AllowedMethods', p, (v, pp) => {
      const methods = obj(v, pp);
      listItems(methods, pp, (m, mp) => oneOf(m, mp, HTTP_METHODS));
      opt(methods, 'CachedMethods', pp, (c, cp) =>
        listItems(obj(c, cp), cp, (m, mp) => oneOf(m, mp, HTTP_METHODS)),
      );
    });
    for (const k of ['TrustedKeyGroups', 'TrustedSigners']) {
      opt(o, k, p, (v, pp) => {
        const t = obj(v, pp);
        bool(t.Enabled, at(pp, 'Enabled'));
        listItems(t, pp, (id, ip) => str(id, ip, { nonEmpty: true }));
      });
    }
    opt(o, 'FunctionAssociations', p, (v, pp) =>
      listItems(obj(v, pp), pp, (a, ap) => {
        const fa = obj(a, ap);
        str(fa.FunctionARN, at(ap, 'FunctionARN'), {
          pattern: /^arn:aws[a-z-]*:cloudfront::\d{12}:function\/.+$/,
          what: 'a function ARN',
        });
        oneOf(fa.EventType, at(ap, 'EventType'), ['viewer-request', 'viewer-response']);
      }),
    );
    opt(o, 'LambdaFunctionAssociations', p, (v, pp) =>
      listItems(obj(v, pp), pp, (a, ap) => {
        const la = obj(a, ap);
        str(la.LambdaFunctionARN, at(ap, 'LambdaFunctionARN'), { nonEmpty: true });
        oneOf(la.EventType, at(ap, 'EventType'), [
          'viewer-request',
          'viewer-response',
          'origin-request',
          'origin-response',
        ]);
      }),
    );
    for (const k of ['OriginRequestPolicyId', 'CachePolicyId', 'ResponseHeadersPolicyId'])
      opt(o, k, p, (v, pp) => str(v, pp));
  };
  behavior(c.DefaultCacheBehavior, at(path, 'DefaultCacheBehavior'), false);
  opt(c, 'CacheBehaviors', path, (v, p) => {
    const cb = obj(v, p);
    (Array.isArray(cb.Items) ? cb.Items : []).forEach((b, i) => {
      behavior(b, at(at(p, 'Items'), i), true);
    });
  });
  opt(c, 'Restrictions', path, (v, p) => {
    const geo = obj(obj(v, p).GeoRestriction, at(p, 'GeoRestriction'));
    oneOf(geo.RestrictionType, at(at(p, 'GeoRestriction'), 'RestrictionType'), [
      'none',
      'whitelist',
      'blacklist',
    ]);
    listItems(geo, at(p, 'GeoRestriction'), (cc, cp) =>
      str(cc, cp, { pattern: /^[A-Z]{2}$/, what: 'a 2-letter country code' }),
    );
  });
  opt(c, 'WebACLId', path, (v, p) => str(v, p));
  opt(c, 'Aliases', path, (v, p) => listItems(obj(v, p), p, (a, ap) => str(a, ap, { nonEmpty: true })));
  opt(c, 'CustomErrorResponses', path, (v, p) =>
    listItems(obj(v, p), p, (r, rp) =>
      num(obj(r, rp).ErrorCode, at(rp, 'ErrorCode'), { min: 400, integer: true }),
    ),
  );
}

function distribution(value: unknown, path: string): void {
  const d = obj(value, path);
  // The extra fields are what GetDistribution also returns, so its output can be pasted as it is.
  knownKeys(d, path, [
    'Id',
    'ARN',
    'DomainName',
    'Status',
    'ETag',
    'DistributionConfig',
    'DeployedAt',
    'LastModifiedTime',
    'InProgressInvalidationBatches',
    'ActiveTrustedSigners',
    'ActiveTrustedKeyGroups',
    'AliasICPRecordals',
    'Tags',
  ]);
  opt(d, 'Tags', path, (v, p) => tagList(v, p, 'Key', 'Value'));
  const id = str(d.Id, at(path, 'Id'), {
    pattern: ID,
    what: 'a distribution id (upper-case letters and digits)',
  });
  str(d.ARN, at(path, 'ARN'), {
    pattern: new RegExp(`^arn:aws[a-z-]*:cloudfront::\\d{12}:distribution/${id}$`),
    what: `the ARN arn:aws:cloudfront::<account>:distribution/${id}`,
  });
  str(d.DomainName, at(path, 'DomainName'), { nonEmpty: true });
  oneOf(d.Status, at(path, 'Status'), ['Deployed', 'InProgress']);
  str(d.ETag, at(path, 'ETag'), { nonEmpty: true });
  opt(d, 'DeployedAt', path, (v, p) => num(v, p, { min: 0 }));
  distributionConfig(d.DistributionConfig, at(path, 'DistributionConfig'));
}

function each(
  value: unknown,
  path: string,
  check: (item: unknown, path: string) => void,
  nonEmpty = false,
): void {
  arr(value, path, { nonEmpty }).forEach((item, i) => {
    check(item, at(path, i));
  });
}

function cloudfront(value: unknown, path: string): void {
  const cf = obj(value, path);
  knownKeys(cf, path, [
    'distributions',
    'originAccessControls',
    'originAccessIdentities',
    'keyGroups',
    'functions',
    'originRequestPolicies',
  ]);
  arr(cf.distributions, at(path, 'distributions'), {
    nonEmpty: true,
    what: 'a non-empty array of distributions',
  });
  each(cf.distributions, at(path, 'distributions'), distribution);
  opt(cf, 'originAccessControls', path, (v, p) =>
    each(v, p, (item, ip) => {
      const o = obj(item, ip);
      str(o.Id, at(ip, 'Id'), {
        pattern: ID,
        what: 'an origin access control id (upper-case letters and digits)',
      });
      opt(o, 'ETag', ip, (e, ep) => str(e, ep, { nonEmpty: true }));
      const cp = at(ip, 'OriginAccessControlConfig');
      const c = obj(o.OriginAccessControlConfig, cp);
      str(c.Name, at(cp, 'Name'), { nonEmpty: true });
      oneOf(c.SigningProtocol, at(cp, 'SigningProtocol'), ['sigv4']);
      oneOf(c.SigningBehavior, at(cp, 'SigningBehavior'), ['always', 'never', 'no-override']);
      oneOf(c.OriginAccessControlOriginType, at(cp, 'OriginAccessControlOriginType'), [
        's3',
        'mediastore',
        'mediapackagev2',
        'lambda',
      ]);
    }),
  );
  opt(cf, 'originAccessIdentities', path, (v, p) =>
    each(v, p, (item, ip) => {
      const o = obj(item, ip);
      str(o.Id, at(ip, 'Id'), { pattern: ID, what: 'an origin access identity id' });
      str(o.S3CanonicalUserId, at(ip, 'S3CanonicalUserId'), { nonEmpty: true });
    }),
  );
  opt(cf, 'keyGroups', path, (v, p) =>
    each(v, p, (item, ip) => {
      const o = obj(item, ip);
      str(o.Id, at(ip, 'Id'), { nonEmpty: true });
      const c = obj(o.KeyGroupConfig, at(ip, 'KeyGroupConfig'));
      str(c.Name, at(at(ip, 'KeyGroupConfig'), 'Name'), { nonEmpty: true });
      each(c.Items, at(at(ip, 'KeyGroupConfig'), 'Items'), (k, kp) => str(k, kp, { nonEmpty: true }), true);
    }),
  );
  opt(cf, 'functions', path, (v, p) =>
    each(v, p, (item, ip) => {
      const o = obj(item, ip);
      str(o.Name, at(ip, 'Name'), { nonEmpty: true });
      const c = obj(o.FunctionConfig, at(ip, 'FunctionConfig'));
      oneOf(c.Runtime, at(at(ip, 'FunctionConfig'), 'Runtime'), ['cloudfront-js-1.0', 'cloudfront-js-2.0']);
      const m = obj(o.FunctionMetadata, at(ip, 'FunctionMetadata'));
      str(m.FunctionARN, at(at(ip, 'FunctionMetadata'), 'FunctionARN'), {
        pattern: /^arn:aws[a-z-]*:cloudfront::\d{12}:function\/.+$/,
        what: 'a function ARN',
      });
      opt(m, 'Stage', at(ip, 'FunctionMetadata'), (s, sp) => oneOf(s, sp, ['DEVELOPMENT', 'LIVE']));
      str(o.FunctionCode, at(ip, 'FunctionCode'), { nonEmpty: true });
    }),
  );
  opt(cf, 'originRequestPolicies', path, (v, p) =>
    each(v, p, (item, ip) => {
      const o = obj(item, ip);
      str(o.Id, at(ip, 'Id'), { nonEmpty: true });
      const cp = at(ip, 'OriginRequestPolicyConfig');
      const c = obj(o.OriginRequestPolicyConfig, cp);
      str(c.Name, at(cp, 'Name'), { nonEmpty: true });
      oneOf(
        obj(c.HeadersConfig, at(cp, 'HeadersConfig')).HeaderBehavior,
        at(at(cp, 'HeadersConfig'), 'HeaderBehavior'),
        ['none', 'whitelist', 'allViewer', 'allViewerAndWhitelistCloudFront', 'allExcept'],
      );
      obj(c.CookiesConfig, at(cp, 'CookiesConfig'));
      obj(c.QueryStringsConfig, at(cp, 'QueryStringsConfig'));
      for (const [config, list] of [
        ['HeadersConfig', 'Headers'],
        ['CookiesConfig', 'Cookies'],
        ['QueryStringsConfig', 'QueryStrings'],
      ] as const) {
        const lp = at(at(cp, config), list);
        opt(obj(c[config], at(cp, config)), list, at(cp, config), (v) =>
          listItems(obj(v, lp), lp, (n, np) => str(n, np, { nonEmpty: true })),
        );
      }
      const mismatch = findQuantityMismatch(c, cp);
      if (mismatch) {
        throw new ScenarioError(
          `${mismatch.path}: expected ${mismatch.length} (the length of Items), got ${describe(mismatch.quantity)}`,
          mismatch.path,
        );
      }
    }),
  );
}

// ---- s3, kms, wafv2 ----

function bucket(value: unknown, path: string): void {
  const b = obj(value, path);
  knownKeys(b, path, [
    'Name',
    'Region',
    'Policy',
    'PublicAccessBlockConfiguration',
    'OwnershipControls',
    'Payer',
    'ServerSideEncryptionConfiguration',
    'WebsiteConfiguration',
    'PublicReadAcl',
    'Objects',
    'Tags',
  ]);
  opt(b, 'Tags', path, (v, p) => tagList(v, p, 'Key', 'Value'));
  str(b.Name, at(path, 'Name'), { pattern: /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, what: 'an S3 bucket name' });
  str(b.Region, at(path, 'Region'), {
    pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
    what: 'an AWS region such as "us-east-1"',
  });
  nullable(b, 'Policy', path, policyText);
  nullable(b, 'PublicAccessBlockConfiguration', path, pab);
  nullable(b, 'OwnershipControls', path, (v, p) =>
    each(
      obj(v, p).Rules,
      at(p, 'Rules'),
      (r, rp) =>
        oneOf(obj(r, rp).ObjectOwnership, at(rp, 'ObjectOwnership'), [
          'BucketOwnerEnforced',
          'BucketOwnerPreferred',
          'ObjectWriter',
        ]),
      true,
    ),
  );
  opt(b, 'Payer', path, (v, p) => oneOf(v, p, ['BucketOwner', 'Requester']));
  nullable(b, 'ServerSideEncryptionConfiguration', path, (v, p) =>
    each(
      obj(v, p).Rules,
      at(p, 'Rules'),
      (r, rp) => {
        const rule = obj(r, rp);
        opt(rule, 'ApplyServerSideEncryptionByDefault', rp, (d, dp) => {
          const byDefault = obj(d, dp);
          oneOf(byDefault.SSEAlgorithm, at(dp, 'SSEAlgorithm'), ['AES256', 'aws:kms', 'aws:kms:dsse']);
          opt(byDefault, 'KMSMasterKeyID', dp, (k, kp) => str(k, kp, { nonEmpty: true }));
        });
      },
      true,
    ),
  );
  nullable(b, 'WebsiteConfiguration', path, website);
  opt(b, 'PublicReadAcl', path, bool);
  if (b.Objects !== undefined)
    each(b.Objects, at(path, 'Objects'), (item, ip) => {
      const o = obj(item, ip);
      knownKeys(o, ip, ['Key', 'ContentType', 'Body', 'OwnerAccount', 'ServerSideEncryption', 'SSEKMSKeyId']);
      str(o.Key, at(ip, 'Key'), { nonEmpty: true });
      opt(o, 'ContentType', ip, (v, p) => str(v, p));
      opt(o, 'Body', ip, (v, p) => str(v, p));
      opt(o, 'OwnerAccount', ip, (v, p) => str(v, p, { pattern: ACCOUNT, what: 'a 12-digit account id' }));
      opt(o, 'ServerSideEncryption', ip, (v, p) => {
        if (v !== null) oneOf(v, p, ['AES256', 'aws:kms', 'aws:kms:dsse']);
      });
      opt(o, 'SSEKMSKeyId', ip, (v, p) => {
        if (v !== null) str(v, p, { nonEmpty: true });
      });
    });
}

/** GetBucketWebsite's shape. */
function website(value: unknown, path: string): void {
  const w = obj(value, path);
  knownKeys(w, path, ['IndexDocument', 'ErrorDocument', 'RedirectAllRequestsTo', 'RoutingRules']);
  opt(w, 'IndexDocument', path, (v, p) => str(obj(v, p).Suffix, at(p, 'Suffix'), { nonEmpty: true }));
  opt(w, 'ErrorDocument', path, (v, p) => str(obj(v, p).Key, at(p, 'Key'), { nonEmpty: true }));
  opt(w, 'RedirectAllRequestsTo', path, (v, p) => {
    const r = obj(v, p);
    str(r.HostName, at(p, 'HostName'), { nonEmpty: true });
    opt(r, 'Protocol', p, (x, xp) => oneOf(x, xp, ['http', 'https']));
  });
  opt(w, 'RoutingRules', path, (v, p) =>
    each(v, p, (r, rp) => {
      const rule = obj(r, rp);
      const redirect = obj(rule.Redirect, at(rp, 'Redirect'));
      for (const k of ['HostName', 'HttpRedirectCode', 'ReplaceKeyPrefixWith', 'ReplaceKeyWith'])
        opt(redirect, k, at(rp, 'Redirect'), (x, xp) => str(x, xp));
      opt(redirect, 'Protocol', at(rp, 'Redirect'), (x, xp) => oneOf(x, xp, ['http', 'https']));
      opt(rule, 'Condition', rp, (c, cp) => {
        const condition = obj(c, cp);
        for (const k of ['HttpErrorCodeReturnedEquals', 'KeyPrefixEquals'])
          opt(condition, k, cp, (x, xp) => str(x, xp));
      });
    }),
  );
}

function s3(value: unknown, path: string): void {
  const o = obj(value, path);
  knownKeys(o, path, ['accountPublicAccessBlock', 'buckets']);
  opt(o, 'accountPublicAccessBlock', path, (v, p) => {
    if (v !== null) pab(v, p);
  });
  each(o.buckets, at(path, 'buckets'), bucket);
}

function kms(value: unknown, path: string): void {
  const o = obj(value, path);
  knownKeys(o, path, ['keys']);
  each(o.keys, at(path, 'keys'), (item, ip) => {
    const k = obj(item, ip);
    str(k.KeyId, at(ip, 'KeyId'), { nonEmpty: true });
    str(k.Arn, at(ip, 'Arn'), {
      pattern: /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/.+$/,
      what: 'a KMS key ARN',
    });
    opt(k, 'KeyManager', ip, (v, p) => oneOf(v, p, ['AWS', 'CUSTOMER']));
    opt(k, 'Aliases', ip, (v, p) =>
      each(v, p, (a, ap) =>
        str(a, ap, { pattern: /^alias\/[A-Za-z0-9/_-]+$/, what: 'an alias name such as "alias/aws/s3"' }),
      ),
    );
    policyText(k.Policy, at(ip, 'Policy'));
    opt(k, 'Tags', ip, (v, p) => tagList(v, p, 'TagKey', 'TagValue'));
  });
}

/** Tags in the service's own shape: `{Key, Value}` (CloudFront, S3) or `{TagKey, TagValue}` (KMS). */
function tagList(value: unknown, path: string, keyName: string, valueName: string): void {
  each(value, path, (item, ip) => {
    const t = obj(item, ip);
    knownKeys(t, ip, [keyName, valueName]);
    str(t[keyName], at(ip, keyName), { nonEmpty: true });
    str(t[valueName], at(ip, valueName));
  });
}

function wafStatement(value: unknown, path: string): void {
  const s = obj(value, path);
  const kinds = Object.keys(s);
  if (kinds.length !== 1) fail(path, 'exactly one statement type', value);
  if (isRecord(s.NotStatement))
    wafStatement(s.NotStatement.Statement, at(at(path, 'NotStatement'), 'Statement'));
  for (const k of ['AndStatement', 'OrStatement'] as const) {
    const inner = s[k];
    if (inner !== undefined)
      each(obj(inner, at(path, k)).Statements, at(at(path, k), 'Statements'), wafStatement, true);
  }
  if (s.IPSetReferenceStatement !== undefined) {
    str(
      obj(s.IPSetReferenceStatement, at(path, 'IPSetReferenceStatement')).ARN,
      at(at(path, 'IPSetReferenceStatement'), 'ARN'),
      { nonEmpty: true },
    );
  }
  if (s.ByteMatchStatement !== undefined) {
    const bp = at(path, 'ByteMatchStatement');
    const b = obj(s.ByteMatchStatement, bp);
    str(b.SearchString, at(bp, 'SearchString'));
    oneOf(b.PositionalConstraint, at(bp, 'PositionalConstraint'), [
      'EXACTLY',
      'STARTS_WITH',
      'ENDS_WITH',
      'CONTAINS',
      'CONTAINS_WORD',
    ]);
  }
  if (s.GeoMatchStatement !== undefined) {
    const gp = at(path, 'GeoMatchStatement');
    each(
      obj(s.GeoMatchStatement, gp).CountryCodes,
      at(gp, 'CountryCodes'),
      (c, cp) => str(c, cp, { pattern: /^[A-Z]{2}$/, what: 'a 2-letter country code' }),
      true,
    );
  }
}

function wafv2(value: unknown, path: string): void {
  const o = obj(value, path);
  knownKeys(o, path, ['webAcls', 'ipSets', 'sampledRequests']);
  opt(o, 'webAcls', path, (v, p) =>
    each(v, p, (item, ip) => {
      const a = obj(item, ip);
      str(a.ARN, at(ip, 'ARN'), { pattern: /^arn:aws[a-z-]*:wafv2:/, what: 'a WAFv2 web ACL ARN' });
      str(a.Id, at(ip, 'Id'), { nonEmpty: true });
      str(a.Name, at(ip, 'Name'), { nonEmpty: true });
      obj(a.DefaultAction, at(ip, 'DefaultAction'));
      each(a.Rules, at(ip, 'Rules'), (r, rp) => {
        const rule = obj(r, rp);
        str(rule.Name, at(rp, 'Name'), { nonEmpty: true });
        num(rule.Priority, at(rp, 'Priority'), { min: 0, integer: true });
        if (rule.Action === undefined && rule.OverrideAction === undefined)
          fail(at(rp, 'Action'), 'an Action or OverrideAction', undefined);
        wafStatement(rule.Statement, at(rp, 'Statement'));
      });
    }),
  );
  opt(o, 'ipSets', path, (v, p) =>
    each(v, p, (item, ip) => {
      const s = obj(item, ip);
      str(s.ARN, at(ip, 'ARN'), { pattern: /^arn:aws[a-z-]*:wafv2:/, what: 'a WAFv2 IP set ARN' });
      str(s.Id, at(ip, 'Id'), { nonEmpty: true });
      str(s.Name, at(ip, 'Name'), { nonEmpty: true });
      oneOf(s.IPAddressVersion, at(ip, 'IPAddressVersion'), ['IPV4', 'IPV6']);
      const version = s.IPAddressVersion === 'IPV6' ? 6 : 4;
      each(s.Addresses, at(ip, 'Addresses'), (a, ap) => cidr(a, ap, version));
    }),
  );
  opt(o, 'sampledRequests', path, (v, p) =>
    each(v, p, (item, ip) => {
      const s = obj(item, ip);
      str(s.WebAclArn, at(ip, 'WebAclArn'), { nonEmpty: true });
      str(s.RuleName, at(ip, 'RuleName'), { nonEmpty: true });
      str(s.Action, at(ip, 'Action'), { nonEmpty: true });
      const r = obj(s.Request, at(ip, 'Request'));
      str(r.ClientIP, at(at(ip, 'Request'), 'ClientIP'), { nonEmpty: true });
      str(r.URI, at(at(ip, 'Request'), 'URI'), { nonEmpty: true });
      str(r.Method, at(at(ip, 'Request'), 'Method'), { nonEmpty: true });
    }),
  );
}

// ---- traffic, simulation, expect ----

function viewerRequest(value: unknown, path: string): void {
  const r = obj(value, path);
  knownKeys(r, path, ['url', 'method', 'country', 'clientIp', 'headers']);
  const url = str(r.url, at(path, 'url'), { what: 'an absolute http(s) URL' });
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:'))
    fail(at(path, 'url'), 'an absolute http(s) URL', url);
  oneOf(r.method, at(path, 'method'), HTTP_METHODS);
  opt(r, 'country', path, (v, p) => str(v, p, { pattern: /^[A-Z]{2}$/, what: 'a 2-letter country code' }));
  opt(r, 'clientIp', path, ipAddress);
  opt(r, 'headers', path, stringRecord);
}

function simulation(value: unknown, path: string): void {
  const s = obj(value, path);
  knownKeys(s, path, [
    'deploymentSeconds',
    'invalidationSeconds',
    'probe',
    'apiLatencyMs',
    'faults',
    'customOrigins',
    'rateLimit',
    'ipReputation',
    'errorCache',
    'lambdaEdge',
  ]);
  opt(s, 'errorCache', path, errorCache);
  opt(s, 'lambdaEdge', path, lambdaEdge);
  // Bounded, so a simulation always ends in reasonable time (CloudFront itself takes minutes).
  opt(s, 'deploymentSeconds', path, (v, p) => num(v, p, { min: 0, max: DAY_SECONDS }));
  opt(s, 'invalidationSeconds', path, (v, p) => num(v, p, { min: 0, max: DAY_SECONDS }));
  opt(s, 'apiLatencyMs', path, (v, p) => num(v, p, { min: 0, max: 1000 }));
  opt(s, 'probe', path, (v, p) => {
    const probe = obj(v, p);
    knownKeys(probe, p, ['country', 'clientIp', 'userAgent']);
    str(probe.country, at(p, 'country'), { pattern: /^[A-Z]{2}$/, what: 'a 2-letter country code' });
    ipAddress(probe.clientIp, at(p, 'clientIp'));
    opt(probe, 'userAgent', p, (ua, up) => str(ua, up, { nonEmpty: true }));
  });
  opt(s, 'ipReputation', path, (v, p) => {
    const r = obj(v, p);
    knownKeys(r, p, ['hostingProviders', 'anonymous', 'botDataCenters']);
    for (const k of ['hostingProviders', 'anonymous', 'botDataCenters'])
      opt(r, k, p, (list, lp) => each(list, lp, anyCidr));
  });
  opt(s, 'faults', path, (v, p) =>
    each(v, p, (item, ip) => {
      const f = obj(item, ip);
      knownKeys(f, ip, ['api', 'error', 'times']);
      str(f.api, at(ip, 'api'), {
        pattern: /^[A-Z][A-Za-z0-9]+$/,
        what: 'an API name such as "UpdateDistribution"',
      });
      oneOf(f.error, at(ip, 'error'), FAULT_ERRORS);
      num(f.times, at(ip, 'times'), { min: 1, integer: true });
    }),
  );
  // cf403 scan / bench: per-service rate limit, requests per second (real time)
  opt(s, 'rateLimit', path, (v, p) => {
    const limits = obj(v, p);
    knownKeys(limits, p, ['cloudfront']);
    opt(limits, 'cloudfront', p, (rate, rp) => {
      if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0)
        fail(rp, 'a number of requests per second > 0', rate);
    });
  });
  opt(s, 'customOrigins', path, (v, p) => {
    for (const [domain, response] of Object.entries(obj(v, p))) {
      const rp = at(p, domain);
      const r = obj(response, rp);
      num(r.status, at(rp, 'status'), { min: 100, integer: true });
      if ((r.status as number) > 599) fail(at(rp, 'status'), 'an HTTP status 100..599', r.status);
      opt(r, 'headers', rp, stringRecord);
      opt(r, 'body', rp, (b, bp) => str(b, bp));
    }
  });
}

function expectation(value: unknown, path: string): void {
  const e = obj(value, path);
  knownKeys(e, path, ['causes', 'outcome']);
  each(e.causes, at(path, 'causes'), (c, cp) => oneOf(c, cp, CAUSE_IDS));
  oneOf(e.outcome, at(path, 'outcome'), OUTCOMES);
}

/** Validates a parsed scenario document and returns a deep copy typed as Scenario. */
export function parseScenario(input: unknown): Scenario {
  const root = obj(input, '', 'a scenario object at the top level');
  knownKeys(root, '', TOP_LEVEL);
  str(root.name, 'name', {
    pattern: /^[a-z0-9]+(-[a-z0-9]+)*$/,
    what: 'a kebab-case name such as "origin-access-missing"',
  });
  str(root.description, 'description', { nonEmpty: true });
  str(root.account, 'account', { pattern: ACCOUNT, what: 'a 12-digit account id' });
  str(root.region, 'region', {
    pattern: /^[a-z]{2}(-[a-z]+)+-\d$/,
    what: 'an AWS region such as "us-east-1"',
  });
  cloudfront(root.cloudfront, 'cloudfront');
  s3(root.s3, 's3');
  opt(root, 'kms', '', kms);
  opt(root, 'wafv2', '', wafv2);
  arr(root.requests, 'requests', { nonEmpty: true, what: 'a non-empty array of viewer requests' });
  each(root.requests, 'requests', viewerRequest);
  opt(root, 'logs', '', logs);
  opt(root, 'cloudwatchLogs', '', cloudwatchLogs);
  opt(root, 'metrics', '', metrics);
  opt(root, 'cloudwatch', '', cloudwatchAlarms);
  opt(root, 'lambda', '', lambdaSection);
  opt(root, 'alarmEvent', '', (v, p) => obj(v, p));
  opt(root, 'simulation', '', simulation);
  opt(root, 'expect', '', expectation);
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
  for (const b of sc.s3.buckets) {
    const bucket = b as unknown as Record<string, unknown>;
    for (const k of NULLABLE_BUCKET_FIELDS) if (bucket[k] === undefined) bucket[k] = null;
    if (bucket.Objects === undefined) bucket.Objects = [];
  }
  return sc;
}

// ---- issue 10: the viewers' side (access logs, metrics, alarms) ----

function anyCidr(value: unknown, path: string): void {
  const text = str(value, path, { what: 'a CIDR block such as "203.0.113.0/24"' });
  cidr(text, path, isIP(text.split('/')[0] ?? '') === 6 ? 6 : 4);
}

function logRecord(value: unknown, path: string): void {
  const r = obj(value, path);
  const { secondsAgo, status, ...rest } = r;
  num(secondsAgo, at(path, 'secondsAgo'), { min: 0, max: 30 * DAY_SECONDS });
  if (status !== undefined) num(status, at(path, 'status'), { min: 100, max: 599, integer: true });
  // the rest is a viewer request, as in `requests`
  viewerRequest({ ...rest }, path);
}

function logs(value: unknown, path: string): void {
  const l = obj(value, path);
  knownKeys(l, path, ['requestsSecondsAgo', 'history', 'filler', 'deliveryDelaySeconds']);
  opt(l, 'requestsSecondsAgo', path, (v, p) => num(v, p, { min: 0, max: 30 * DAY_SECONDS }));
  opt(l, 'deliveryDelaySeconds', path, (v, p) => num(v, p, { min: 0, max: 2 * DAY_SECONDS }));
  opt(l, 'history', path, (v, p) => each(v, p, logRecord));
  opt(l, 'filler', path, (v, p) => {
    const f = obj(v, p);
    knownKeys(f, p, ['files', 'hours', 'recordsPerFile']);
    num(f.files, at(p, 'files'), { min: 0, max: 20_000, integer: true });
    num(f.hours, at(p, 'hours'), { min: 1, max: 48, integer: true });
    opt(f, 'recordsPerFile', p, (r, rp) => num(r, rp, { min: 1, max: 1000, integer: true }));
  });
}

function cloudwatchLogs(value: unknown, path: string): void {
  const c = obj(value, path);
  knownKeys(c, path, ['deliverySources', 'deliveryDestinations', 'deliveries']);
  opt(c, 'deliverySources', path, (v, p) =>
    each(v, p, (item, ip) => {
      const d = obj(item, ip);
      str(d.name, at(ip, 'name'), { nonEmpty: true });
      each(d.resourceArns, at(ip, 'resourceArns'), (a, ap) => str(a, ap, { nonEmpty: true }), true);
      opt(d, 'logType', ip, (t, tp) => str(t, tp, { nonEmpty: true }));
    }),
  );
  opt(c, 'deliveryDestinations', path, (v, p) =>
    each(v, p, (item, ip) => {
      const d = obj(item, ip);
      str(d.name, at(ip, 'name'), { nonEmpty: true });
      str(d.arn, at(ip, 'arn'), { pattern: /^arn:aws[a-z-]*:logs:/, what: 'a delivery destination ARN' });
      opt(d, 'outputFormat', ip, (f, fp) => oneOf(f, fp, ['json', 'plain', 'w3c', 'raw', 'parquet']));
      const cp = at(ip, 'deliveryDestinationConfiguration');
      str(
        obj(d.deliveryDestinationConfiguration, cp).destinationResourceArn,
        at(cp, 'destinationResourceArn'),
        {
          pattern: /^arn:aws[a-z-]*:(s3|logs|firehose):/,
          what: 'the ARN of an S3 bucket, a CloudWatch Logs log group or a Firehose stream',
        },
      );
    }),
  );
  opt(c, 'deliveries', path, (v, p) =>
    each(v, p, (item, ip) => {
      const d = obj(item, ip);
      str(d.deliverySourceName, at(ip, 'deliverySourceName'), { nonEmpty: true });
      str(d.deliveryDestinationArn, at(ip, 'deliveryDestinationArn'), { nonEmpty: true });
      opt(d, 'recordFields', ip, (f, fp) => each(f, fp, (x, xp) => str(x, xp, { nonEmpty: true })));
      opt(d, 's3DeliveryConfiguration', ip, (x, xp) => {
        const s3 = obj(x, xp);
        opt(s3, 'suffixPath', xp, (sp, spp) => str(sp, spp, { nonEmpty: true }));
        opt(s3, 'enableHiveCompatiblePath', xp, bool);
      });
    }),
  );
}

function metrics(value: unknown, path: string): void {
  const m = obj(value, path);
  knownKeys(m, path, ['requestsPerMinute', 'failingShare', 'additionalMetrics']);
  opt(m, 'requestsPerMinute', path, (v, p) => num(v, p, { min: 0, max: 10_000_000 }));
  opt(m, 'failingShare', path, (v, p) => num(v, p, { min: 0, max: 1 }));
  opt(m, 'additionalMetrics', path, bool);
}

const COMPARISONS = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];

function cloudwatchAlarms(value: unknown, path: string): void {
  const c = obj(value, path);
  knownKeys(c, path, ['alarms']);
  opt(c, 'alarms', path, (v, p) =>
    each(v, p, (item, ip) => {
      const a = obj(item, ip);
      str(a.AlarmName, at(ip, 'AlarmName'), { nonEmpty: true });
      opt(a, 'MetricName', ip, (x, xp) => str(x, xp, { nonEmpty: true }));
      opt(a, 'Threshold', ip, (x, xp) => num(x, xp));
      opt(a, 'ComparisonOperator', ip, (x, xp) => oneOf(x, xp, COMPARISONS));
      opt(a, 'EvaluationPeriods', ip, (x, xp) => num(x, xp, { min: 1, integer: true }));
      opt(a, 'DatapointsToAlarm', ip, (x, xp) => num(x, xp, { min: 1, integer: true }));
      opt(a, 'Period', ip, (x, xp) => num(x, xp, { min: 10, integer: true }));
    }),
  );
}

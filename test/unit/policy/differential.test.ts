// Differential test: our resource-policy evaluator against @cloud-copilot/iam-simulate (tests only; AGPL,
// never shipped). We compare iam-simulate's *resource policy analysis* (`resourceAnalysis.result`), which is
// the resource policy judged on its own, exactly what evaluateResourcePolicy answers:
//   Allowed | AllowedForAccount → Allow, ExplicitlyDenied | DeniedForAccount → ExplicitDeny, else ImplicitDeny.
// (AllowedForAccount/DeniedForAccount are iam-simulate's names for "an account principal covers the caller";
// we treat an account principal as naming every principal of that account, so both map to plain match.)
//
// Left out of the generator, because the two evaluators knowingly differ and neither is verifiably wrong:
// - `ForAnyValue:...IfExists` on a missing key: iam-simulate fails it, we follow AWS's "IfExists → true".
// - epoch-number dates (iam-simulate mixes epoch numbers with milliseconds) and policy variables.
// - upper-case letters in the partition/service/region/account parts of a Resource ARN (iam-simulate
//   compares those parts case-insensitively; we compare the whole ARN case-sensitively).
// - `/0` CIDRs (see IPS below).
// - wildcard request resources and short (fewer than six part) Resource ARNs.
import { anonymousPrincipal, runSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { describe, expect, it } from 'vitest';
import {
  evaluateResourcePolicy,
  type PolicyPrincipal,
  type PolicyRequest,
} from '../../../functions/domain/policy/evaluate.ts';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const BUCKET = 'site-bucket';
const DIST = `arn:aws:cloudfront::${ACCOUNT}:distribution/EDFDVBD6EXAMPLE`;
const DIST2 = `arn:aws:cloudfront::${OTHER}:distribution/E2OTHEREXAMPLE`;
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deployer`;
const ROLE_SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/ci`;
const XROLE = `arn:aws:iam::${OTHER}:role/Partner`;
const USER = `arn:aws:iam::${ACCOUNT}:user/alice`;
const CANONICAL = '79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be';
const CF = 'cloudfront.amazonaws.com';
const ORG_PATH = 'o-abc123/r-ab12/ou-ab12-11111111/';

const CASES = 1500;
const REQUESTS_PER_POLICY = 3;

/** mulberry32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(private readonly rnd: () => number) {}
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<T>(xs: readonly T[]): T {
    const x = xs[this.int(xs.length)];
    if (x === undefined) throw new Error('pick from empty list');
    return x;
  }
  some<T>(xs: readonly T[], max: number): T[] {
    const n = 1 + this.int(max);
    return [...new Set(Array.from({ length: n }, () => this.pick(xs)))];
  }
  /** a single value, or an array of 1..max values */
  oneOrMany<T>(xs: readonly T[], max: number): T | T[] {
    return this.chance(0.5) ? this.pick(xs) : this.some(xs, max);
  }
}

const PRINCIPALS: readonly unknown[] = [
  '*',
  { AWS: '*' },
  { Service: CF },
  { Service: [CF, 'logging.s3.amazonaws.com'] },
  { Service: 'logging.s3.amazonaws.com' },
  { AWS: ACCOUNT },
  { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  { AWS: `arn:aws:iam::${OTHER}:root` },
  { AWS: ROLE },
  { AWS: [XROLE, `arn:aws:iam::${ACCOUNT}:root`] },
  { AWS: USER },
  { CanonicalUser: CANONICAL },
  { AWS: ROLE, Service: CF },
];
const NOT_PRINCIPALS: readonly unknown[] = [
  { AWS: ROLE },
  { AWS: `arn:aws:iam::${ACCOUNT}:root` },
  { Service: CF },
  { AWS: [XROLE, USER] },
  { CanonicalUser: CANONICAL },
];
const ACTIONS = [
  's3:GetObject',
  's3:Get*',
  's3:*',
  '*',
  's3:List*',
  's3:ListBucket',
  's3:PutObject',
  's3:?etObject',
  's3:getobject',
  's3:Get*Acl',
  's3:*Object',
  's3:DeleteObject',
] as const;
const RESOURCES = [
  `arn:aws:s3:::${BUCKET}/*`,
  `arn:aws:s3:::${BUCKET}`,
  `arn:aws:s3:::${BUCKET}/assets/*`,
  'arn:aws:s3:::other-bucket/*',
  '*',
  `arn:aws:s3:::${BUCKET}/index.htm?`,
  'arn:aws:s3:::site-*/*',
  'arn:aws:s3:::*',
  `arn:aws:s3:::${BUCKET}/*.js`,
  `arn:aws:s3:::${BUCKET}/Index.html`,
] as const;

type CondGen = (g: Gen) => [operator: string, key: string, values: unknown];
const keyCase = (g: Gen, key: string) =>
  g.pick([key, key.toUpperCase(), key.toLowerCase(), key.replace(/^aws:/, 'AWS:')]);
const ARN_VALUES = [
  DIST,
  DIST2,
  `arn:aws:cloudfront::${ACCOUNT}:distribution/*`,
  'arn:aws:cloudfront::*:*',
  'not-an-arn',
];
// No /0: iam-simulate computes its mask as `-1 << (32 - prefix)`, and JS shifts by 32 as by 0 (unit-tested instead).
const IPS = [
  '203.0.113.0/24',
  '198.51.100.7/32',
  '198.51.100.7',
  '2001:db8::/32',
  '10.0.0.0/8',
  '128.0.0.0/1',
];
const CONDITIONS: readonly CondGen[] = [
  (g) => [
    g.pick(['StringEquals', 'StringNotEquals']),
    keyCase(g, 'aws:SourceArn'),
    g.oneOrMany([DIST, DIST2], 2),
  ],
  (g) => [
    g.pick(['StringLike', 'StringNotLike']),
    keyCase(g, 'aws:SourceArn'),
    g.oneOrMany(
      [`arn:aws:cloudfront::${ACCOUNT}:distribution/*`, 'arn:aws:cloudfront::*:distribution/E2*', '*EXAMPLE'],
      2,
    ),
  ],
  (g) => [
    g.pick(['StringEqualsIgnoreCase', 'StringNotEqualsIgnoreCase']),
    'aws:SourceArn',
    g.oneOrMany([DIST.toUpperCase(), DIST2.toLowerCase()], 2),
  ],
  (g) => [
    g.pick(['ArnLike', 'ArnEquals', 'ArnNotLike', 'ArnNotEquals']),
    keyCase(g, 'aws:SourceArn'),
    g.oneOrMany(ARN_VALUES, 2),
  ],
  (g) => [
    g.pick(['StringEquals', 'StringNotEquals']),
    keyCase(g, 'aws:SourceAccount'),
    g.oneOrMany([ACCOUNT, OTHER], 2),
  ],
  (g) => [
    g.pick(['Bool', 'BoolIfExists']),
    keyCase(g, 'aws:SecureTransport'),
    g.pick(['true', 'false', true, false]),
  ],
  (g) => [
    g.pick(['IpAddress', 'NotIpAddress', 'IpAddressIfExists', 'NotIpAddressIfExists']),
    keyCase(g, 'aws:SourceIp'),
    g.oneOrMany(IPS, 2),
  ],
  (g) => [
    'Null',
    g.pick(['aws:SourceArn', 'aws:SourceIp', 'aws:PrincipalOrgID', 'aws:PrincipalOrgPaths']),
    g.pick(['true', 'false', true]),
  ],
  (g) => [
    g.pick(['StringEqualsIfExists', 'StringNotEqualsIfExists', 'StringEquals', 'StringLikeIfExists']),
    keyCase(g, 'aws:PrincipalOrgID'),
    g.oneOrMany(['o-abc123', 'o-zzz999', 'o-abc*'], 2),
  ],
  (g) => [
    g.pick([
      'NumericLessThan',
      'NumericGreaterThanEquals',
      'NumericEquals',
      'NumericNotEquals',
      'NumericLessThanIfExists',
    ]),
    'aws:MultiFactorAuthAge',
    g.pick(['3600', '60', 3600]),
  ],
  (g) => [
    g.pick(['DateGreaterThan', 'DateLessThan', 'DateEquals', 'DateNotEquals', 'DateLessThanEqualsIfExists']),
    'aws:CurrentTime',
    g.pick(['2024-01-01T00:00:00Z', '2030-06-01T12:00:00Z', '2025-03-01T00:00:00Z']),
  ],
  (g) => [
    g.pick([
      'ForAnyValue:StringEquals',
      'ForAllValues:StringLike',
      'ForAllValues:StringEquals',
      'ForAnyValue:StringNotLike',
    ]),
    'aws:PrincipalOrgPaths',
    g.oneOrMany([ORG_PATH, 'o-abc123/*', 'o-other/*'], 2),
  ],
  // A single-valued operator on a multi-valued key never matches (a set operator is required).
  (g) => [g.pick(['StringLike', 'StringNotLike']), 'aws:PrincipalOrgPaths', 'o-abc123/*'],
  (g) => [
    g.pick(['StringLike', 'StringEquals', 'StringNotEqualsIfExists']),
    'aws:PrincipalTag/team',
    g.oneOrMany(['web*', 'web', 'ops'], 2),
  ],
];

function genStatement(g: Gen): Record<string, unknown> {
  const s: Record<string, unknown> = {};
  if (g.chance(0.4)) s.Sid = `S${g.int(1000)}`;
  s.Effect = g.chance(0.62) ? 'Allow' : 'Deny';
  if (g.chance(0.15)) s.NotPrincipal = g.pick(NOT_PRINCIPALS);
  else s.Principal = g.pick(PRINCIPALS);
  s[g.chance(0.15) ? 'NotAction' : 'Action'] = g.oneOrMany(ACTIONS, 3);
  s[g.chance(0.15) ? 'NotResource' : 'Resource'] = g.oneOrMany(RESOURCES, 3);
  const n = g.pick([0, 0, 1, 1, 2, 3]);
  if (n > 0) {
    const condition: Record<string, Record<string, unknown>> = {};
    for (let i = 0; i < n; i++) {
      const [op, key, values] = g.pick(CONDITIONS)(g);
      condition[op] = { ...condition[op], [key]: values };
    }
    s.Condition = condition;
  }
  return s;
}

function genPolicy(g: Gen): Record<string, unknown> {
  const statements = Array.from({ length: 1 + g.int(4) }, () => genStatement(g));
  return {
    Version: '2012-10-17',
    Statement: statements.length === 1 && g.chance(0.3) ? statements[0] : statements,
  };
}

function genRequest(g: Gen): PolicyRequest {
  const key = g.pick(['index.html', 'assets/app.js', 'private/secret.txt', 'index.htmx', 'Index.html']);
  const objectOrBucket = (action: string) =>
    action === 's3:ListBucket'
      ? `arn:aws:s3:::${BUCKET}`
      : `arn:aws:s3:::${g.chance(0.9) ? BUCKET : 'other-bucket'}/${key}`;
  const context: PolicyRequest['context'] = {};
  const maybe = (p: number, k: string, v: string | string[] | boolean) => {
    if (g.chance(p)) context[k] = v;
  };
  maybe(0.9, 'aws:SecureTransport', g.chance(0.8));
  maybe(
    0.5,
    'aws:CurrentTime',
    g.pick(['2025-03-01T00:00:00Z', '2023-05-05T10:00:00Z', '2031-01-01T00:00:00Z']),
  );
  const kind = g.pick(['cloudfront', 'cloudfront', 'role', 'role', 'anonymous', 'canonical'] as const);
  let principal: PolicyPrincipal;
  let action: string;
  if (kind === 'cloudfront') {
    principal = { type: 'Service', id: CF };
    action = g.chance(0.85) ? 's3:GetObject' : 's3:ListBucket';
    maybe(0.9, 'aws:SourceArn', g.pick([DIST, DIST, DIST2]));
    maybe(0.8, 'aws:SourceAccount', g.pick([ACCOUNT, ACCOUNT, OTHER]));
    maybe(0.5, 'aws:PrincipalServiceName', CF);
  } else {
    principal =
      kind === 'anonymous'
        ? { type: 'Anonymous' }
        : kind === 'canonical'
          ? { type: 'CanonicalUser', id: CANONICAL }
          : { type: 'AWS', id: g.pick([ROLE, ROLE_SESSION, XROLE, USER]) };
    action = g.pick(['s3:GetObject', 's3:PutObject', 's3:ListBucket', 's3:DeleteObject', 's3:GetObjectAcl']);
    maybe(
      0.7,
      'aws:SourceIp',
      g.pick(['203.0.113.10', '198.51.100.7', '192.0.2.1', '2001:db8::1', '10.1.2.3']),
    );
    if (kind === 'role') {
      maybe(0.5, 'aws:PrincipalOrgID', g.pick(['o-abc123', 'o-zzz999']));
      maybe(0.4, 'aws:PrincipalOrgPaths', g.some([ORG_PATH, 'o-other/r-1/'], 2));
      maybe(0.4, 'aws:MultiFactorAuthAge', g.pick(['30', '3600', '7200']));
      maybe(0.4, 'aws:PrincipalTag/team', g.pick(['web', 'webops', 'ops']));
    }
  }
  return { principal, action, resource: objectOrBucket(action), context };
}

function simulation(policy: Record<string, unknown>, req: PolicyRequest): Simulation {
  const p = req.principal;
  const contextVariables: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.context))
    contextVariables[k] = typeof v === 'boolean' ? String(v) : v;
  return {
    request: {
      principal: p.type === 'Anonymous' ? anonymousPrincipal : p.id,
      action: req.action,
      resource: { resource: req.resource, accountId: ACCOUNT },
      contextVariables,
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: policy,
  };
}

const REFERENCE_DECISION: Record<string, string> = {
  Allowed: 'Allow',
  AllowedForAccount: 'Allow',
  ExplicitlyDenied: 'ExplicitDeny',
  DeniedForAccount: 'ExplicitDeny',
  ImplicitlyDenied: 'ImplicitDeny',
};

describe('evaluateResourcePolicy agrees with iam-simulate on random resource policies', () => {
  it(`${CASES} policies × ${REQUESTS_PER_POLICY} requests`, async () => {
    const g = new Gen(prng(0xc0ffee));
    const tally: Record<string, number> = { Allow: 0, ExplicitDeny: 0, ImplicitDeny: 0 };
    const mismatches: string[] = [];
    let compared = 0;
    for (let i = 0; i < CASES; i++) {
      const policy = genPolicy(g);
      for (let j = 0; j < REQUESTS_PER_POLICY; j++) {
        const req = genRequest(g);
        const ours = evaluateResourcePolicy(JSON.stringify(policy), req).decision;
        const sim = await runSimulation(simulation(policy, req), {});
        if (sim.resultType !== 'single') {
          throw new Error(`iam-simulate did not run: ${JSON.stringify(sim)}\n${JSON.stringify(policy)}`);
        }
        // Every context key must have reached the evaluation, or the comparison would not be like for like.
        expect(sim.result.ignoredContextKeys ?? []).toEqual([]);
        const theirs = REFERENCE_DECISION[sim.result.analysis.resourceAnalysis?.result ?? ''];
        compared++;
        tally[ours] = (tally[ours] ?? 0) + 1;
        if (ours !== theirs) {
          mismatches.push(
            `#${i}.${j} ours=${ours} theirs=${theirs}\n  policy=${JSON.stringify(policy)}\n  request=${JSON.stringify(req)}`,
          );
        }
      }
    }
    console.info(`iam-simulate differential: ${compared} cases compared, ${JSON.stringify(tally)}`);
    expect(mismatches.slice(0, 5)).toEqual([]);
    expect(compared).toBe(CASES * REQUESTS_PER_POLICY);
    // The generator must exercise every outcome, or agreement would prove little.
    expect(tally.Allow).toBeGreaterThan(compared * 0.05);
    expect(tally.ExplicitDeny).toBeGreaterThan(compared * 0.05);
    expect(tally.ImplicitDeny).toBeGreaterThan(compared * 0.05);
  });
});

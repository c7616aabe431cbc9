// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are IAM policy variables, meant literally
import { describe, expect, it } from 'vitest';
import {
  evaluateResourcePolicy,
  PolicyParseError,
  type PolicyPrincipal,
  type PolicyRequest,
  type Statement,
} from '../../../functions/domain/policy/evaluate.ts';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/Deployer`;
const OBJECT = 'arn:aws:s3:::site/index.html';
const CF: PolicyPrincipal = { type: 'Service', id: 'cloudfront.amazonaws.com' };
const ROLE_P: PolicyPrincipal = { type: 'AWS', id: ROLE };
const ANON: PolicyPrincipal = { type: 'Anonymous' };

function req(over: Partial<PolicyRequest> = {}): PolicyRequest {
  return { principal: ROLE_P, action: 's3:GetObject', resource: OBJECT, context: {}, ...over };
}

function allow(over: Partial<Statement> = {}): Statement {
  return {
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: 'arn:aws:s3:::site/*',
    ...over,
  };
}

function decide(statements: Statement | Statement[], r: Partial<PolicyRequest> = {}) {
  return evaluateResourcePolicy({ Version: '2012-10-17', Statement: statements }, req(r)).decision;
}

describe('principals', () => {
  const cases: [string, Statement['Principal'], PolicyPrincipal, boolean][] = [
    ['"*" covers an IAM role', '*', ROLE_P, true],
    ['"*" covers a service principal', '*', CF, true],
    ['"*" covers anonymous callers', '*', ANON, true],
    ['{AWS:"*"} is the same as "*"', { AWS: '*' }, ANON, true],
    ['a bare account id covers its roles', { AWS: ACCOUNT }, ROLE_P, true],
    [':root covers the whole account', { AWS: `arn:aws:iam::${ACCOUNT}:root` }, ROLE_P, true],
    [':root of another account does not', { AWS: `arn:aws:iam::${OTHER}:root` }, ROLE_P, false],
    ['an account does not cover anonymous', { AWS: ACCOUNT }, ANON, false],
    ['an account does not cover a service', { AWS: ACCOUNT }, CF, false],
    ['a role ARN covers that role', { AWS: ROLE }, ROLE_P, true],
    [
      'a role ARN covers its sessions',
      { AWS: ROLE },
      { type: 'AWS', id: `arn:aws:sts::${ACCOUNT}:assumed-role/Deployer/ci` },
      true,
    ],
    ['a role ARN does not cover another role', { AWS: `arn:aws:iam::${ACCOUNT}:role/Other` }, ROLE_P, false],
    ['an array of ARNs', { AWS: [`arn:aws:iam::${OTHER}:root`, ROLE] }, ROLE_P, true],
    ['a service principal', { Service: 'cloudfront.amazonaws.com' }, CF, true],
    ['a service array', { Service: ['logging.s3.amazonaws.com', 'cloudfront.amazonaws.com'] }, CF, true],
    ['another service', { Service: 'logging.s3.amazonaws.com' }, CF, false],
    ['a service principal is not an IAM principal', { Service: 'cloudfront.amazonaws.com' }, ROLE_P, false],
    ['a canonical user', { CanonicalUser: 'abc123' }, { type: 'CanonicalUser', id: 'abc123' }, true],
    ['another canonical user', { CanonicalUser: 'abc123' }, { type: 'CanonicalUser', id: 'def456' }, false],
    [
      'Federated never matches a resource-policy caller',
      { Federated: 'cognito-identity.amazonaws.com' },
      ROLE_P,
      false,
    ],
  ];
  it.each(cases)('%s', (_name, principal, caller, expected) => {
    expect(decide(allow({ Principal: principal }), { principal: caller })).toBe(
      expected ? 'Allow' : 'ImplicitDeny',
    );
  });

  it('NotPrincipal applies to everyone it does not name', () => {
    const s = allow({ Principal: undefined, NotPrincipal: { AWS: ROLE } });
    expect(decide(s, { principal: ROLE_P })).toBe('ImplicitDeny');
    expect(decide(s, { principal: { type: 'AWS', id: `arn:aws:iam::${ACCOUNT}:role/Other` } })).toBe('Allow');
    expect(decide(s, { principal: CF })).toBe('Allow');
    expect(decide(s, { principal: ANON })).toBe('Allow');
  });

  it('NotPrincipal naming an account spares every principal of that account', () => {
    const s: Statement = {
      Effect: 'Deny',
      NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 's3:*',
      Resource: '*',
    };
    expect(decide([allow(), s], { principal: ROLE_P })).toBe('Allow');
    expect(decide([allow(), s], { principal: { type: 'AWS', id: `arn:aws:iam::${OTHER}:role/X` } })).toBe(
      'ExplicitDeny',
    );
  });

  it('an alias of the caller matches too (OAI: canonical user and IAM ARN)', () => {
    const s = allow({ Principal: { CanonicalUser: 'c4n0n' } });
    expect(decide(s, { principal: { type: 'AWS', id: 'arn:aws:iam::cloudfront:user/X' } })).toBe(
      'ImplicitDeny',
    );
    expect(
      decide(s, {
        principal: { type: 'AWS', id: 'arn:aws:iam::cloudfront:user/X' },
        principalAliases: [{ type: 'CanonicalUser', id: 'c4n0n' }],
      }),
    ).toBe('Allow');
  });
});

describe('actions', () => {
  const cases: [string | string[], string, boolean][] = [
    ['*', 's3:GetObject', true],
    ['s3:*', 's3:GetObject', true],
    ['s3:Get*', 's3:GetObject', true],
    ['s3:Get*', 's3:PutObject', false],
    ['s3:?etObject', 's3:GetObject', true],
    ['s3:?etObject', 's3:PutObject', false],
    ['S3:getobject', 's3:GetObject', true],
    ['s3:GetObject', 's3:GetObjectAcl', false],
    ['s3:*Object', 's3:GetObject', true],
    ['kms:*', 's3:GetObject', false],
    [['s3:PutObject', 's3:GetObject'], 's3:GetObject', true],
  ];
  it.each(cases)('Action %j vs %s', (action, requested, expected) => {
    expect(decide(allow({ Action: action }), { action: requested })).toBe(
      expected ? 'Allow' : 'ImplicitDeny',
    );
  });

  it('NotAction applies to every action it does not list', () => {
    const s = allow({ Action: undefined, NotAction: ['s3:Put*', 's3:Delete*'] });
    expect(decide(s, { action: 's3:GetObject' })).toBe('Allow');
    expect(decide(s, { action: 's3:PutObject' })).toBe('ImplicitDeny');
  });
});

describe('resources', () => {
  const cases: [string | string[], string, boolean][] = [
    ['*', OBJECT, true],
    ['arn:aws:s3:::site/*', OBJECT, true],
    ['arn:aws:s3:::site', OBJECT, false],
    ['arn:aws:s3:::site', 'arn:aws:s3:::site', true],
    ['arn:aws:s3:::site/index.htm?', OBJECT, true],
    ['arn:aws:s3:::site/index.htm?', 'arn:aws:s3:::site/index.htm', false],
    ['arn:aws:s3:::site/Index.html', OBJECT, false], // case-sensitive
    ['arn:aws:s3:::sit*/*.html', OBJECT, true],
    ['arn:aws:s3:::*', OBJECT, true],
    ['arn:aws:s3:::other/*', OBJECT, false],
    [['arn:aws:s3:::other/*', 'arn:aws:s3:::site/*'], OBJECT, true],
    ['arn:aws:s3*', OBJECT, true], // a short ARN's trailing wildcard spans the missing parts
    ['arn:aws:s3', 'arn:aws:s3:::site', false],
  ];
  it.each(cases)('Resource %j vs %s', (resource, requested, expected) => {
    expect(decide(allow({ Resource: resource }), { resource: requested })).toBe(
      expected ? 'Allow' : 'ImplicitDeny',
    );
  });

  it('NotResource applies to every resource it does not list', () => {
    const s = allow({ Resource: undefined, NotResource: 'arn:aws:s3:::site/private/*' });
    expect(decide(s, { resource: OBJECT })).toBe('Allow');
    expect(decide(s, { resource: 'arn:aws:s3:::site/private/key' })).toBe('ImplicitDeny');
  });
});

type Ctx = PolicyRequest['context'];
describe('condition operators', () => {
  // [operator, key, policy values, request context, expected]
  const cases: [string, string, unknown, Ctx, boolean][] = [
    ['StringEquals', 'aws:SourceAccount', ACCOUNT, { 'aws:SourceAccount': ACCOUNT }, true],
    ['StringEquals', 'aws:SourceAccount', ACCOUNT, { 'aws:SourceAccount': OTHER }, false],
    ['StringEquals', 'aws:SourceAccount', [OTHER, ACCOUNT], { 'aws:SourceAccount': ACCOUNT }, true],
    ['StringEquals', 'aws:UserAgent', 'a*', { 'aws:UserAgent': 'ab' }, false], // no wildcards in Equals
    ['StringEquals', 'aws:UserAgent', 'a*', { 'aws:UserAgent': 'a*' }, true],
    ['StringEquals', 'aws:UserAgent', 'Curl', { 'aws:UserAgent': 'curl' }, false],
    ['StringNotEquals', 'aws:SourceAccount', ACCOUNT, { 'aws:SourceAccount': OTHER }, true],
    ['StringNotEquals', 'aws:SourceAccount', [OTHER, ACCOUNT], { 'aws:SourceAccount': ACCOUNT }, false],
    ['StringEqualsIgnoreCase', 'aws:UserAgent', 'Curl', { 'aws:UserAgent': 'cURL' }, true],
    ['StringNotEqualsIgnoreCase', 'aws:UserAgent', 'Curl', { 'aws:UserAgent': 'cURL' }, false],
    [
      'StringLike',
      'aws:Referer',
      'https://*.example.com/*',
      { 'aws:Referer': 'https://www.example.com/a' },
      true,
    ],
    [
      'StringLike',
      'aws:Referer',
      'https://?.example.com/',
      { 'aws:Referer': 'https://ww.example.com/' },
      false,
    ],
    [
      'StringNotLike',
      'aws:Referer',
      'https://*.example.com/*',
      { 'aws:Referer': 'https://evil.test/' },
      true,
    ],
    ['NumericEquals', 'aws:MultiFactorAuthAge', '60', { 'aws:MultiFactorAuthAge': '60' }, true],
    ['NumericNotEquals', 'aws:MultiFactorAuthAge', '60', { 'aws:MultiFactorAuthAge': '60.0' }, false],
    ['NumericLessThan', 'aws:MultiFactorAuthAge', 3600, { 'aws:MultiFactorAuthAge': '30' }, true],
    ['NumericLessThanEquals', 'aws:MultiFactorAuthAge', '30', { 'aws:MultiFactorAuthAge': '30' }, true],
    ['NumericGreaterThan', 'aws:MultiFactorAuthAge', '30', { 'aws:MultiFactorAuthAge': '30' }, false],
    ['NumericGreaterThanEquals', 'aws:MultiFactorAuthAge', '30', { 'aws:MultiFactorAuthAge': '31' }, true],
    ['NumericLessThan', 'aws:MultiFactorAuthAge', '30', { 'aws:MultiFactorAuthAge': 'soon' }, false],
    [
      'DateEquals',
      'aws:CurrentTime',
      '2025-01-01T00:00:00Z',
      { 'aws:CurrentTime': '2025-01-01T00:00:00.000Z' },
      true,
    ],
    [
      'DateNotEquals',
      'aws:CurrentTime',
      '2025-01-01T00:00:00Z',
      { 'aws:CurrentTime': '2025-01-02T00:00:00Z' },
      true,
    ],
    [
      'DateLessThan',
      'aws:CurrentTime',
      '2025-01-01T00:00:00Z',
      { 'aws:CurrentTime': '2024-12-31T23:59:59Z' },
      true,
    ],
    [
      'DateLessThanEquals',
      'aws:CurrentTime',
      '2025-01-01',
      { 'aws:CurrentTime': '2025-01-01T00:00:00Z' },
      true,
    ],
    [
      'DateGreaterThan',
      'aws:CurrentTime',
      '2025-01-01T00:00:00Z',
      { 'aws:CurrentTime': '2024-12-31T23:59:59Z' },
      false,
    ],
    [
      'DateGreaterThanEquals',
      'aws:EpochTime',
      '1700000000',
      { 'aws:EpochTime': '2030-01-01T00:00:00Z' },
      true,
    ],
    ['Bool', 'aws:SecureTransport', 'true', { 'aws:SecureTransport': true }, true],
    ['Bool', 'aws:SecureTransport', false, { 'aws:SecureTransport': 'false' }, true],
    ['Bool', 'aws:SecureTransport', 'false', { 'aws:SecureTransport': true }, false],
    ['BinaryEquals', 'aws:Referer', 'QmluYXJ5', { 'aws:Referer': 'QmluYXJ5' }, true],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.113.77' }, true],
    ['IpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': '203.0.114.1' }, false],
    ['IpAddress', 'aws:SourceIp', '0.0.0.0/0', { 'aws:SourceIp': '198.51.100.1' }, true],
    ['IpAddress', 'aws:SourceIp', '198.51.100.7', { 'aws:SourceIp': '198.51.100.7' }, true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db8:1::5' }, true],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '2001:db9::5' }, false],
    ['IpAddress', 'aws:SourceIp', '2001:db8::/32', { 'aws:SourceIp': '203.0.113.1' }, false],
    ['NotIpAddress', 'aws:SourceIp', ['203.0.113.0/24', '10.0.0.0/8'], { 'aws:SourceIp': '192.0.2.1' }, true],
    ['NotIpAddress', 'aws:SourceIp', ['203.0.113.0/24', '10.0.0.0/8'], { 'aws:SourceIp': '10.9.9.9' }, false],
    ['NotIpAddress', 'aws:SourceIp', '203.0.113.0/24', { 'aws:SourceIp': 'not-an-ip' }, false],
    [
      'ArnEquals',
      'aws:SourceArn',
      'arn:aws:cloudfront::1:distribution/E1',
      { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E1' },
      true,
    ],
    [
      'ArnLike',
      'aws:SourceArn',
      'arn:aws:cloudfront::*:distribution/*',
      { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E1' },
      true,
    ],
    // Each ARN part matches on its own: a wildcard never spans a colon.
    [
      'ArnLike',
      'aws:SourceArn',
      'arn:aws:*',
      { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E1' },
      false,
    ],
    [
      'ArnLike',
      'aws:SourceArn',
      'arn:aws:cloudfront::1:distribution/E?',
      { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E12' },
      false,
    ],
    [
      'ArnNotEquals',
      'aws:SourceArn',
      'arn:aws:cloudfront::1:distribution/E1',
      { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E2' },
      true,
    ],
    [
      'ArnNotLike',
      'aws:SourceArn',
      'arn:aws:cloudfront::1:*',
      { 'aws:SourceArn': 'arn:aws:cloudfront::1:distribution/E2' },
      false,
    ],
    ['ArnLike', 'aws:SourceArn', 'arn:aws:cloudfront::1:*', { 'aws:SourceArn': 'not-an-arn' }, false],
    ['Null', 'aws:SourceArn', 'true', {}, true],
    ['Null', 'aws:SourceArn', 'true', { 'aws:SourceArn': 'x' }, false],
    ['Null', 'aws:SourceArn', false, { 'aws:SourceArn': 'x' }, true],
  ];
  it.each(cases)('%s %s %j with %j → %s', (op, key, values, context, expected) => {
    const s = allow({ Condition: { [op]: { [key]: values } } as Statement['Condition'] });
    expect(decide(s, { context })).toBe(expected ? 'Allow' : 'ImplicitDeny');
  });

  const missing: [string, boolean][] = [
    ['StringEquals', false],
    ['StringLike', false],
    ['ArnLike', false],
    ['IpAddress', false],
    ['Bool', false],
    ['NumericLessThan', false],
    ['DateGreaterThan', false],
    ['BinaryEquals', false],
    ['StringNotEquals', true],
    ['StringNotLike', true],
    ['StringNotEqualsIgnoreCase', true],
    ['ArnNotEquals', true],
    ['ArnNotLike', true],
    ['NotIpAddress', true],
    ['NumericNotEquals', true],
    ['DateNotEquals', true],
    ['StringEqualsIfExists', true],
    ['ArnLikeIfExists', true],
    ['BoolIfExists', true],
    ['IpAddressIfExists', true],
    ['ForAllValues:StringEquals', true],
    ['ForAnyValue:StringEquals', false],
  ];
  it.each(missing)('a missing key makes %s %s', (op, expected) => {
    const s = allow({ Condition: { [op]: { 'aws:SourceArn': 'x' } } });
    expect(decide(s, { context: {} })).toBe(expected ? 'Allow' : 'ImplicitDeny');
  });

  it('IfExists evaluates the key normally when it is present', () => {
    const s = allow({ Condition: { StringEqualsIfExists: { 'aws:SourceAccount': ACCOUNT } } });
    expect(decide(s, { context: { 'aws:SourceAccount': OTHER } })).toBe('ImplicitDeny');
    expect(decide(s, { context: { 'aws:SourceAccount': ACCOUNT } })).toBe('Allow');
  });

  it('condition keys are case-insensitive', () => {
    const s = allow({ Condition: { StringEquals: { 'AWS:SourceArn': 'arn:x' } } });
    expect(decide(s, { context: { 'aws:sourcearn': 'arn:x' } })).toBe('Allow');
  });

  it('operators are ANDed, keys are ANDed, values are ORed', () => {
    const s = allow({
      Condition: {
        StringEquals: { 'aws:SourceAccount': [ACCOUNT, OTHER], 'aws:PrincipalOrgID': 'o-1' },
        Bool: { 'aws:SecureTransport': 'true' },
      },
    });
    const ok = { 'aws:SourceAccount': OTHER, 'aws:PrincipalOrgID': 'o-1', 'aws:SecureTransport': true };
    expect(decide(s, { context: ok })).toBe('Allow');
    expect(decide(s, { context: { ...ok, 'aws:PrincipalOrgID': 'o-2' } })).toBe('ImplicitDeny');
    expect(decide(s, { context: { ...ok, 'aws:SecureTransport': false } })).toBe('ImplicitDeny');
  });

  it('set operators test every / any request value', () => {
    const all = allow({ Condition: { 'ForAllValues:StringLike': { 'aws:TagKeys': ['env', 'team*'] } } });
    const any = allow({ Condition: { 'ForAnyValue:StringEquals': { 'aws:TagKeys': 'env' } } });
    expect(decide(all, { context: { 'aws:TagKeys': ['env', 'team-a'] } })).toBe('Allow');
    expect(decide(all, { context: { 'aws:TagKeys': ['env', 'cost'] } })).toBe('ImplicitDeny');
    expect(decide(all, { context: { 'aws:TagKeys': [] } })).toBe('Allow');
    expect(decide(any, { context: { 'aws:TagKeys': ['cost', 'env'] } })).toBe('Allow');
    expect(decide(any, { context: { 'aws:TagKeys': ['cost'] } })).toBe('ImplicitDeny');
    expect(decide(any, { context: { 'aws:TagKeys': [] } })).toBe('ImplicitDeny');
    // A single value is a set of one.
    expect(decide(any, { context: { 'aws:TagKeys': 'env' } })).toBe('Allow');
  });

  it('a single-valued operator never matches a multi-valued key', () => {
    const s = allow({ Condition: { StringEquals: { 'aws:TagKeys': 'env' } } });
    expect(decide(s, { context: { 'aws:TagKeys': ['env'] } })).toBe('ImplicitDeny');
  });

  it('an unknown operator is a parse error', () => {
    expect(() => decide(allow({ Condition: { StringSortOf: { 'aws:SourceArn': 'x' } } }))).toThrow(
      PolicyParseError,
    );
  });
});

describe('policy variables', () => {
  const perUser = allow({ Principal: '*', Resource: 'arn:aws:s3:::site/home/${aws:username}/*' });
  it('are substituted from the context in Resource', () => {
    const r = { resource: 'arn:aws:s3:::site/home/alice/a.txt' };
    expect(decide(perUser, { ...r, context: { 'aws:username': 'alice' } })).toBe('Allow');
    expect(decide(perUser, { ...r, context: { 'aws:username': 'bob' } })).toBe('ImplicitDeny');
    expect(decide(perUser, { ...r, context: {} })).toBe('ImplicitDeny');
  });

  it('take their default when the key is missing, and ${*} is a literal star', () => {
    const s = allow({ Resource: "arn:aws:s3:::site/${aws:username, 'guest'}/${*}" });
    expect(decide(s, { resource: 'arn:aws:s3:::site/guest/*', context: {} })).toBe('Allow');
    expect(decide(s, { resource: 'arn:aws:s3:::site/guest/x', context: {} })).toBe('ImplicitDeny');
  });

  it('work in String conditions', () => {
    const s = allow({ Condition: { StringEquals: { 'aws:PrincipalTag/team': '${aws:ResourceTag/team}' } } });
    expect(decide(s, { context: { 'aws:PrincipalTag/team': 'web', 'aws:ResourceTag/team': 'web' } })).toBe(
      'Allow',
    );
    expect(decide(s, { context: { 'aws:PrincipalTag/team': 'web', 'aws:ResourceTag/team': 'ops' } })).toBe(
      'ImplicitDeny',
    );
  });

  it('an unresolved variable in NotResource keeps the statement from applying', () => {
    const s: Statement = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      NotResource: 'arn:aws:s3:::site/${aws:username}/*',
    };
    expect(decide([allow(), s], { context: {} })).toBe('Allow');
    expect(decide([allow(), s], { context: { 'aws:username': 'bob' } })).toBe('ExplicitDeny');
  });

  it('are plain text in a 2008-10-17 policy', () => {
    const doc = {
      Version: '2008-10-17',
      Statement: [allow({ Resource: 'arn:aws:s3:::site/${aws:username}' })],
    };
    const r = req({ resource: 'arn:aws:s3:::site/${aws:username}', context: { 'aws:username': 'alice' } });
    expect(evaluateResourcePolicy(doc, r).decision).toBe('Allow');
  });
});

describe('decision', () => {
  const deny: Statement = {
    Sid: 'DenyInsecure',
    Effect: 'Deny',
    Principal: '*',
    Action: 's3:*',
    Resource: ['arn:aws:s3:::site', 'arn:aws:s3:::site/*'],
    Condition: { Bool: { 'aws:SecureTransport': 'false' } },
  };

  it('an explicit Deny wins over any Allow, and both are reported', () => {
    const policy = { Statement: [allow({ Sid: 'Public' }), deny, allow()] };
    const d = evaluateResourcePolicy(policy, req({ context: { 'aws:SecureTransport': false } }));
    expect(d).toEqual({
      decision: 'ExplicitDeny',
      allowedBy: [
        { index: 0, sid: 'Public', effect: 'Allow' },
        { index: 2, effect: 'Allow' },
      ],
      deniedBy: [{ index: 1, sid: 'DenyInsecure', effect: 'Deny' }],
    });
    expect(evaluateResourcePolicy(policy, req({ context: { 'aws:SecureTransport': true } })).decision).toBe(
      'Allow',
    );
  });

  it('nothing that applies is an implicit deny; no policy is one too', () => {
    expect(decide(allow({ Resource: 'arn:aws:s3:::other/*' }))).toBe('ImplicitDeny');
    expect(evaluateResourcePolicy(null, req())).toEqual({
      decision: 'ImplicitDeny',
      allowedBy: [],
      deniedBy: [],
    });
  });

  it('accepts text, a single Statement object, and a leading byte-order mark', () => {
    const text = `\uFEFF${JSON.stringify({ Version: '2012-10-17', Statement: allow() })}`;
    expect(evaluateResourcePolicy(text, req()).decision).toBe('Allow');
  });

  it.each([
    ['not JSON', '{"Statement": ['],
    ['no Statement', '{"Version":"2012-10-17"}'],
    ['a bad Effect', '{"Statement":[{"Effect":"allow","Principal":"*","Action":"*","Resource":"*"}]}'],
    [
      'both Action and NotAction',
      '{"Statement":[{"Effect":"Allow","Principal":"*","Action":"*","NotAction":"s3:*","Resource":"*"}]}',
    ],
    ['no Principal', '{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}'],
    [
      'an unknown principal type',
      '{"Statement":[{"Effect":"Allow","Principal":{"Aws":"*"},"Action":"*","Resource":"*"}]}',
    ],
  ])('rejects %s with PolicyParseError', (_name, text) => {
    expect(() => evaluateResourcePolicy(text, req())).toThrow(PolicyParseError);
  });
});

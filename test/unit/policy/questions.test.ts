// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are IAM policy variables, meant literally
import { describe, expect, it } from 'vitest';
import type { Statement } from '../../../functions/domain/policy/evaluate.ts';
import {
  cloudFrontGrantStatement,
  kmsGrantStatement,
  mergeStatement,
} from '../../../functions/domain/policy/merge.ts';
import {
  canList,
  cloudFrontCanRead,
  findGrantStatements,
  isPublicPolicy,
  kmsDecryptAllowed,
  oaiCanRead,
  oaiPrincipalArn,
  publicStatements,
} from '../../../functions/domain/policy/questions.ts';

const ACCOUNT = '111122223333';
const OTHER = '444455556666';
const DIST = `arn:aws:cloudfront::${ACCOUNT}:distribution/EDFDVBD6EXAMPLE`;
const DIST2 = `arn:aws:cloudfront::${ACCOUNT}:distribution/E2OTHER`;
const BUCKET = 'site-bucket';
const read = { bucket: BUCKET, key: 'index.html', distributionArn: DIST, account: ACCOUNT };

const policy = (...statements: Statement[]) =>
  JSON.stringify({ Version: '2012-10-17', Statement: statements });
const grant = cloudFrontGrantStatement({ bucket: BUCKET, distributionArn: DIST });
const denyInsecure: Statement = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [`arn:aws:s3:::${BUCKET}`, `arn:aws:s3:::${BUCKET}/*`],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

describe('cloudFrontCanRead', () => {
  it('allows through the documented OAC grant, despite a deny-insecure-transport statement', () => {
    const d = cloudFrontCanRead(policy(denyInsecure, grant), read);
    expect(d.decision).toBe('Allow');
    expect(d.allowedBy).toEqual([{ index: 1, sid: 'AllowCloudFrontServicePrincipal', effect: 'Allow' }]);
  });

  it('is an implicit deny when the grant names another distribution, or there is no policy', () => {
    expect(cloudFrontCanRead(policy(grant), { ...read, distributionArn: DIST2 }).decision).toBe(
      'ImplicitDeny',
    );
    expect(cloudFrontCanRead(null, read).decision).toBe('ImplicitDeny');
  });

  it('honours a grant pinned by aws:SourceAccount instead of aws:SourceArn', () => {
    const byAccount: Statement = { ...grant, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } };
    expect(cloudFrontCanRead(policy(byAccount), read).decision).toBe('Allow');
    expect(cloudFrontCanRead(policy(byAccount), { ...read, account: OTHER }).decision).toBe('ImplicitDeny');
  });

  it('names the Deny that blocks CloudFront', () => {
    const deny: Statement = {
      Sid: 'OnlyOurOrg',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: { StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' } },
    };
    const d = cloudFrontCanRead(policy(grant, deny), read);
    expect(d.decision).toBe('ExplicitDeny');
    expect(d.deniedBy).toEqual([{ index: 1, sid: 'OnlyOurOrg', effect: 'Deny' }]);
  });

  it('a Deny that exempts AWS services by aws:PrincipalIsAWSService leaves CloudFront alone', () => {
    const deny: Statement = {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:*',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
      Condition: {
        StringNotEquals: { 'aws:PrincipalOrgID': 'o-abc123' },
        BoolIfExists: { 'aws:PrincipalIsAWSService': 'false' },
      },
    };
    expect(cloudFrontCanRead(policy(grant, deny), read).decision).toBe('Allow');
  });
});

describe('oaiCanRead', () => {
  const oai = { bucket: BUCKET, key: 'a.css', oaiId: 'E1OAI', canonicalUserId: 'c4n0n1ca1' };
  const byArn: Statement = {
    Effect: 'Allow',
    Principal: { AWS: oaiPrincipalArn('E1OAI') },
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  };
  const byCanonical: Statement = { ...byArn, Principal: { CanonicalUser: 'c4n0n1ca1' } };

  it('matches the OAI by its IAM ARN or by its canonical user id', () => {
    expect(oaiCanRead(policy(byArn), oai).decision).toBe('Allow');
    expect(oaiCanRead(policy(byCanonical), oai).decision).toBe('Allow');
  });

  it('does not match another OAI', () => {
    expect(oaiCanRead(policy(byArn), { ...oai, oaiId: 'E2OAI', canonicalUserId: 'other' }).decision).toBe(
      'ImplicitDeny',
    );
  });
});

describe('canList', () => {
  it('asks for s3:ListBucket on the bucket ARN', () => {
    const list: Statement = {
      Effect: 'Allow',
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:ListBucket',
      Resource: `arn:aws:s3:::${BUCKET}`,
      Condition: { StringEquals: { 'AWS:SourceArn': DIST } },
    };
    const cf = { type: 'Service', id: 'cloudfront.amazonaws.com' } as const;
    expect(canList(policy(list), cf, BUCKET, { 'aws:SourceArn': DIST }).decision).toBe('Allow');
    expect(canList(policy(list), cf, BUCKET, { 'aws:SourceArn': DIST2 }).decision).toBe('ImplicitDeny');
    expect(canList(policy(grant), cf, BUCKET, { 'aws:SourceArn': DIST }).decision).toBe('ImplicitDeny');
  });
});

describe('isPublicPolicy', () => {
  const publicRead: Statement = {
    Sid: 'PublicRead',
    Effect: 'Allow',
    Principal: '*',
    Action: 's3:GetObject',
    Resource: `arn:aws:s3:::${BUCKET}/*`,
  };
  const cases: [string, Statement, boolean][] = [
    ['Principal "*"', publicRead, true],
    ['Principal {AWS:"*"}', { ...publicRead, Principal: { AWS: '*' } }, true],
    [
      '"*" among other principals',
      { ...publicRead, Principal: { AWS: ['*', `arn:aws:iam::${ACCOUNT}:root`] } },
      true,
    ],
    [
      'NotPrincipal',
      { ...publicRead, Principal: undefined, NotPrincipal: { AWS: `arn:aws:iam::${ACCOUNT}:root` } },
      true,
    ],
    ['the CloudFront OAC grant', grant, false],
    [
      'CloudFront without any condition (a fixed service principal)',
      { ...grant, Condition: undefined },
      false,
    ],
    ['an account principal', { ...publicRead, Principal: { AWS: ACCOUNT } }, false],
    ['a Deny with "*"', { ...publicRead, Effect: 'Deny' }, false],
    [
      '"*" pinned by aws:SourceArn',
      { ...publicRead, Condition: { StringEquals: { 'AWS:SourceArn': DIST } } },
      false,
    ],
    [
      '"*" pinned by ArnEquals aws:SourceArn',
      { ...publicRead, Condition: { ArnEquals: { 'aws:SourceArn': DIST } } },
      false,
    ],
    [
      '"*" pinned by aws:SourceAccount',
      { ...publicRead, Condition: { StringEquals: { 'aws:SourceAccount': ACCOUNT } } },
      false,
    ],
    [
      '"*" pinned by aws:SourceVpce',
      { ...publicRead, Condition: { StringEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } } },
      false,
    ],
    [
      '"*" pinned by aws:SourceVpc',
      { ...publicRead, Condition: { StringEquals: { 'aws:SourceVpc': 'vpc-111bbb22' } } },
      false,
    ],
    [
      '"*" pinned by aws:SourceOwner',
      { ...publicRead, Condition: { StringEquals: { 'aws:SourceOwner': ACCOUNT } } },
      false,
    ],
    [
      '"*" pinned by aws:PrincipalAccount',
      { ...publicRead, Condition: { StringEquals: { 'aws:PrincipalAccount': ACCOUNT } } },
      false,
    ],
    [
      '"*" pinned by aws:PrincipalOrgID',
      { ...publicRead, Condition: { StringEquals: { 'aws:PrincipalOrgID': 'o-abc123' } } },
      false,
    ],
    [
      '"*" pinned by aws:userid',
      { ...publicRead, Condition: { StringEquals: { 'aws:userid': 'AIDAEXAMPLE' } } },
      false,
    ],
    [
      '"*" pinned by a /24',
      { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
      false,
    ],
    [
      '"*" pinned by a single address',
      { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '203.0.113.9' } } },
      false,
    ],
    [
      '"*" with a /8 (not narrower than /8)',
      { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
      true,
    ],
    [
      '"*" with 0.0.0.0/0',
      { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } } },
      true,
    ],
    [
      '"*" with one wide range among narrow ones',
      { ...publicRead, Condition: { IpAddress: { 'aws:SourceIp': ['203.0.113.0/24', '0.0.0.0/1'] } } },
      true,
    ],
    [
      '"*" with NotIpAddress',
      { ...publicRead, Condition: { NotIpAddress: { 'aws:SourceIp': '203.0.113.0/24' } } },
      true,
    ],
    [
      '"*" with a wildcard SourceArn',
      {
        ...publicRead,
        Condition: { StringLike: { 'aws:SourceArn': 'arn:aws:cloudfront::*:distribution/*' } },
      },
      true,
    ],
    [
      '"*" with StringLike on a fixed value',
      { ...publicRead, Condition: { StringLike: { 'aws:SourceArn': DIST } } },
      false,
    ],
    [
      '"*" with a negated condition',
      { ...publicRead, Condition: { StringNotEquals: { 'aws:SourceAccount': OTHER } } },
      true,
    ],
    [
      '"*" with IfExists (absent key passes)',
      { ...publicRead, Condition: { StringEqualsIfExists: { 'aws:SourceArn': DIST } } },
      true,
    ],
    [
      '"*" with ForAllValues (absent key passes)',
      { ...publicRead, Condition: { 'ForAllValues:StringEquals': { 'aws:PrincipalOrgID': 'o-1' } } },
      true,
    ],
    [
      '"*" with a condition on an unlisted key',
      { ...publicRead, Condition: { StringEquals: { 'aws:Referer': 'https://example.com/' } } },
      true,
    ],
    [
      '"*" with only a transport condition',
      { ...publicRead, Condition: { Bool: { 'aws:SecureTransport': 'true' } } },
      true,
    ],
    [
      '"*" pinned by a policy variable (not fixed)',
      { ...publicRead, Condition: { StringEquals: { 'aws:PrincipalAccount': '${aws:SourceAccount}' } } },
      true,
    ],
  ];
  it.each(cases)('%s → public: %s', (_name, s, expected) => {
    expect(isPublicPolicy(policy(s))).toBe(expected);
  });

  it('names the public statements and treats no policy as not public', () => {
    expect(publicStatements(policy(denyInsecure, grant, { ...publicRead, Sid: 'P' }))).toEqual([
      { index: 2, sid: 'P', effect: 'Allow' },
    ]);
    expect(isPublicPolicy(null)).toBe(false);
  });
});

describe('findGrantStatements', () => {
  it('finds CloudFront grants whatever their conditions, with what they pin and cover', () => {
    const wrongDist = cloudFrontGrantStatement({ bucket: BUCKET, distributionArn: DIST2 });
    const otherBucket = cloudFrontGrantStatement({ bucket: 'other-bucket', distributionArn: DIST });
    const prefixed = cloudFrontGrantStatement({ bucket: BUCKET, distributionArn: DIST, prefix: '/assets' });
    const byAccount: Statement = {
      Effect: 'Allow',
      Principal: { Service: ['cloudfront.amazonaws.com'] },
      Action: ['s3:Get*'],
      Resource: '*',
      Condition: { StringEquals: { 'aws:SourceAccount': OTHER } },
    };
    const notAGrant: Statement = { ...grant, Action: 's3:ListBucket' };
    const deny: Statement = { ...grant, Effect: 'Deny' };
    const found = findGrantStatements(
      policy(denyInsecure, wrongDist, otherBucket, prefixed, byAccount, notAGrant, deny),
      BUCKET,
    );
    expect(found.map((g) => [g.index, g.sourceArns, g.sourceAccounts, g.bucketCoverage])).toEqual([
      [1, [DIST2], [], 'all'],
      [2, [DIST], [], 'none'],
      [3, [DIST], [], 'partial'],
      [4, [], [OTHER], 'all'],
    ]);
    expect(found[2]?.resources).toEqual([`arn:aws:s3:::${BUCKET}/assets/*`]);
    expect(found[0]?.statement).toEqual(wrongDist);
  });

  it('reads NotResource as the complement', () => {
    const s: Statement = { ...grant, Resource: undefined, NotResource: `arn:aws:s3:::${BUCKET}/private/*` };
    const all: Statement = { ...grant, Resource: undefined, NotResource: `arn:aws:s3:::${BUCKET}/*` };
    expect(findGrantStatements(policy(s, all), BUCKET).map((g) => [g.notResource, g.bucketCoverage])).toEqual(
      [
        [true, 'partial'],
        [true, 'none'],
      ],
    );
  });

  it('counts NotAction that spares s3:GetObject as a grant', () => {
    const s: Statement = { ...grant, Action: undefined, NotAction: 's3:Put*' };
    expect(findGrantStatements(policy(s), BUCKET)).toHaveLength(1);
    expect(findGrantStatements(policy({ ...s, NotAction: 's3:*' }), BUCKET)).toHaveLength(0);
  });
});

describe('kmsDecryptAllowed', () => {
  const defaultKeyPolicy: Statement = {
    Sid: 'Enable IAM User Permissions',
    Effect: 'Allow',
    Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
    Action: 'kms:*',
    Resource: '*',
  };

  it('is allowed once the documented key-policy statement is merged', () => {
    const before = policy(defaultKeyPolicy);
    expect(kmsDecryptAllowed(before, { distributionArn: DIST, account: ACCOUNT }).decision).toBe(
      'ImplicitDeny',
    );
    const after = mergeStatement(before, kmsGrantStatement({ distributionArn: DIST })).policy;
    expect(kmsDecryptAllowed(after, { distributionArn: DIST, account: ACCOUNT }).decision).toBe('Allow');
    expect(kmsDecryptAllowed(after, { distributionArn: DIST2, account: ACCOUNT }).decision).toBe(
      'ImplicitDeny',
    );
  });

  it('accepts the key ARN as the resource', () => {
    const after = policy(defaultKeyPolicy, kmsGrantStatement({ distributionArn: DIST }));
    const keyArn = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;
    expect(kmsDecryptAllowed(after, { distributionArn: DIST, account: ACCOUNT, keyArn }).decision).toBe(
      'Allow',
    );
  });
});

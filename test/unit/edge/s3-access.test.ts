// What the S3 REST origin decides for CloudFront's requester: bucket policy (iam-simulate), Block
// Public Access, ACLs, OAC/OAI identity, KMS, ListBucket, Host forwarding, ownership, Requester Pays.
import { describe, expect, it } from 'vitest';
import { bucketAccess, effectiveBpa } from '../../../sim/edge/access.ts';
import { KMS_DENIED_MESSAGE } from '../../../sim/edge/pages.ts';
import { forwardsViewerHost, objectKey, parseS3Domain } from '../../../sim/edge/s3-origin.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import {
  bucket,
  DIST_ARN,
  defaultBehavior,
  expectOk,
  expectS3Denied,
  firstOrigin,
  get,
  INDEX_BODY,
  loadScenario,
  OAC_GRANT,
  policyOf,
} from './helpers.ts';

const healthy = (): Scenario => loadScenario('healthy');
const PUBLIC_READ = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-site/*',
};

function withoutOac(s: Scenario): Scenario {
  firstOrigin(s).OriginAccessControlId = '';
  return s;
}

describe('endpoint parsing and keys', () => {
  it('recognises REST and website endpoint names', () => {
    expect(parseS3Domain('a.b.s3.us-east-1.amazonaws.com')).toEqual({ kind: 'rest', bucket: 'a.b' });
    expect(parseS3Domain('site.s3.amazonaws.com')).toEqual({ kind: 'rest', bucket: 'site' });
    expect(parseS3Domain('site.s3-eu-west-1.amazonaws.com')).toEqual({ kind: 'rest', bucket: 'site' });
    expect(parseS3Domain('site.s3-website-us-east-1.amazonaws.com')).toEqual({
      kind: 'website',
      bucket: 'site',
    });
    expect(parseS3Domain('site.s3-website.eu-central-1.amazonaws.com')).toEqual({
      kind: 'website',
      bucket: 'site',
    });
    expect(parseS3Domain('app.example.net')).toBeUndefined();
  });

  it('builds the key from OriginPath and the decoded URI', () => {
    expect(objectKey('', '/a%20b.html')).toBe('a b.html');
    expect(objectKey('/site', '/index.html')).toBe('site/index.html');
    expect(objectKey('/site/', '/')).toBe('site/');
  });

  it('serves through OriginPath and denies a wrong one', () => {
    const s = healthy();
    for (const o of bucket(s).Objects) o.Key = `site/${o.Key}`;
    firstOrigin(s).OriginPath = '/site';
    expectOk(get(s, '/index.html'), INDEX_BODY);
    firstOrigin(s).OriginPath = '/wrong';
    expectS3Denied(get(s, '/index.html'));
  });
});

describe('OAC', () => {
  it('is allowed by a grant for this distribution and denied by one for another', () => {
    const s = healthy();
    expectOk(get(s, '/index.html'), INDEX_BODY);
    const other = { ...OAC_GRANT, Condition: { StringEquals: { 'AWS:SourceArn': `${DIST_ARN}OTHER` } } };
    bucket(s).Policy = policyOf([other]);
    expectS3Denied(get(s, '/index.html'));
  });

  it('is refused by an explicit Deny even with a grant', () => {
    const s = healthy();
    const deny = {
      Sid: 'DenyAll',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-site/*',
    };
    bucket(s).Policy = policyOf([OAC_GRANT, deny]);
    const res = get(s, '/index.html');
    expectS3Denied(res);
    expect(res.trace.some((t) => t.endsWith(':ExplicitlyDenied:policy'))).toBe(true);
  });

  it('a missing OAC id or SigningBehavior never sends unsigned requests', () => {
    const s = healthy();
    firstOrigin(s).OriginAccessControlId = 'ENOSUCHOAC';
    expect(get(s, '/index.html').trace).toContain('origin:s3-rest:example-site:oac-missing:ENOSUCHOAC');
    expectS3Denied(get(s, '/index.html'));
    const t = healthy();
    const oac = t.cloudfront.originAccessControls?.[0];
    if (oac === undefined) throw new Error('fixture');
    oac.OriginAccessControlConfig.SigningBehavior = 'never';
    expectS3Denied(get(t, '/index.html'));
  });

  it('is not blocked by RestrictPublicBuckets, while a public grant is', () => {
    const s = healthy();
    expect(bucket(s).PublicAccessBlockConfiguration?.RestrictPublicBuckets).toBe(true);
    bucket(s).Policy = policyOf([OAC_GRANT, PUBLIC_READ]);
    expectOk(get(s, '/index.html'));
    expectS3Denied(get(withoutOac(s), '/index.html'));
  });
});

describe('Block Public Access and ACLs for anonymous requests', () => {
  function publicSite(): Scenario {
    const s = withoutOac(healthy());
    bucket(s).Policy = policyOf([PUBLIC_READ]);
    bucket(s).PublicAccessBlockConfiguration = null;
    return s;
  }

  it('a public policy works until bucket- or account-level RestrictPublicBuckets', () => {
    const s = publicSite();
    expectOk(get(s, '/index.html'), INDEX_BODY);
    s.s3.accountPublicAccessBlock = { RestrictPublicBuckets: true };
    expectS3Denied(get(s, '/index.html'));
    s.s3.accountPublicAccessBlock = null;
    bucket(s).PublicAccessBlockConfiguration = { RestrictPublicBuckets: true, BlockPublicPolicy: true };
    expectS3Denied(get(s, '/index.html'));
  });

  it('effectiveBpa combines bucket and account settings', () => {
    const s = publicSite();
    expect(effectiveBpa(bucket(s), { IgnorePublicAcls: true })).toEqual({
      restrictPublicBuckets: false,
      ignorePublicAcls: true,
    });
  });

  it('a public-read ACL works unless IgnorePublicAcls or BucketOwnerEnforced', () => {
    const s = withoutOac(healthy());
    const b = bucket(s);
    b.Policy = null;
    b.PublicReadAcl = true;
    b.PublicAccessBlockConfiguration = null;
    b.OwnershipControls = { Rules: [{ ObjectOwnership: 'ObjectWriter' }] };
    expectOk(get(s, '/index.html'), INDEX_BODY);
    b.PublicAccessBlockConfiguration = { IgnorePublicAcls: true };
    expectS3Denied(get(s, '/index.html'));
    b.PublicAccessBlockConfiguration = null;
    b.OwnershipControls = { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] };
    expectS3Denied(get(s, '/index.html'));
  });

  it('bucketAccess reports what decided', () => {
    const s = publicSite();
    const base = {
      bucket: bucket(s),
      account: s.account,
      requester: { kind: 'anonymous' } as const,
      action: 's3:GetObject' as const,
      key: 'index.html',
      secureTransport: true,
    };
    expect(bucketAccess({ ...base, bpa: { restrictPublicBuckets: false, ignorePublicAcls: false } })).toEqual(
      {
        decision: 'Allowed',
        via: 'policy',
      },
    );
    expect(bucketAccess({ ...base, bpa: { restrictPublicBuckets: true, ignorePublicAcls: false } })).toEqual({
      decision: 'ExplicitlyDenied',
      via: 'bpa-restrict-public-buckets',
    });
    bucket(s).Policy = '{not json';
    expect(
      bucketAccess({ ...base, bpa: { restrictPublicBuckets: false, ignorePublicAcls: false } }).decision,
    ).toBe('ImplicitlyDenied');
  });
});

describe('OAI', () => {
  function withOai(statementPrincipal: object): Scenario {
    const s = withoutOac(healthy());
    s.cloudfront.originAccessIdentities = [{ Id: 'E3OAIEXAMPLE', S3CanonicalUserId: 'canon79a59df9' }];
    firstOrigin(s).S3OriginConfig = {
      OriginAccessIdentity: 'origin-access-identity/cloudfront/E3OAIEXAMPLE',
    };
    bucket(s).Policy = policyOf([{ ...PUBLIC_READ, Sid: 'OAI', Principal: statementPrincipal }]);
    return s;
  }

  it('is allowed by a grant naming its ARN or its canonical user id', () => {
    const arn = 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E3OAIEXAMPLE';
    const s = withOai({ AWS: arn });
    expectOk(get(s, '/index.html'), INDEX_BODY);
    expect(get(s, '/index.html').trace).toContain('origin:s3-rest:example-site:oai:E3OAIEXAMPLE');
    expectOk(get(withOai({ CanonicalUser: 'canon79a59df9' }), '/index.html'), INDEX_BODY);
  });

  it('is denied when another OAI is granted or the OAI no longer exists', () => {
    const other = 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity EOTHER';
    expectS3Denied(get(withOai({ AWS: other }), '/index.html'));
    const s = withOai({ AWS: 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E3OAIEXAMPLE' });
    s.cloudfront.originAccessIdentities = [];
    const res = get(s, '/index.html');
    expectS3Denied(res);
    expect(res.trace).toContain('origin:s3-rest:example-site:oai-missing:E3OAIEXAMPLE');
  });
});

describe('SSE-KMS objects', () => {
  const KEY_ARN = 'arn:aws:kms:us-east-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  function kmsSite(grantCloudFront: boolean): Scenario {
    const s = healthy();
    const statements: object[] = [
      {
        Sid: 'Root',
        Effect: 'Allow',
        Principal: { AWS: 'arn:aws:iam::111122223333:root' },
        Action: 'kms:*',
        Resource: '*',
      },
    ];
    if (grantCloudFront) {
      statements.push({
        Sid: 'CloudFront',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        Resource: '*',
        Condition: { StringEquals: { 'AWS:SourceArn': DIST_ARN } },
      });
    }
    s.kms = {
      keys: [{ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab', Arn: KEY_ARN, Policy: policyOf(statements) }],
    };
    for (const o of bucket(s).Objects) {
      o.ServerSideEncryption = 'aws:kms';
      o.SSEKMSKeyId = KEY_ARN;
    }
    return s;
  }

  it('OAC reads when the key policy lets CloudFront decrypt for this distribution', () => {
    expectOk(get(kmsSite(true), '/index.html'), INDEX_BODY);
  });

  it('answers the KMS AccessDenied message otherwise', () => {
    const res = get(kmsSite(false), '/index.html');
    expectS3Denied(res, KMS_DENIED_MESSAGE);
    expect(res.trace.some((t) => t.startsWith('origin:s3-rest:kms-denied'))).toBe(true);
  });

  it('an OAI can never read an SSE-KMS object', () => {
    const s = withoutOac(kmsSite(true));
    s.cloudfront.originAccessIdentities = [{ Id: 'E3OAI', S3CanonicalUserId: 'c' }];
    firstOrigin(s).S3OriginConfig = { OriginAccessIdentity: 'origin-access-identity/cloudfront/E3OAI' };
    const oai = 'arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity E3OAI';
    bucket(s).Policy = policyOf([{ ...PUBLIC_READ, Principal: { AWS: oai } }]);
    expectS3Denied(get(s, '/index.html'), KMS_DENIED_MESSAGE);
  });
});

describe('missing objects: 404 only with ListBucket', () => {
  it('answers 403 without ListBucket and 404 NoSuchKey with it', () => {
    const s = healthy();
    expectS3Denied(get(s, '/missing.html'));
    const list = {
      ...OAC_GRANT,
      Sid: 'List',
      Action: 's3:ListBucket',
      Resource: 'arn:aws:s3:::example-site',
    };
    bucket(s).Policy = policyOf([OAC_GRANT, list]);
    const res = get(s, '/missing.html');
    expect(res.status).toBe(404);
    expect(res.headers.server).toBe('AmazonS3');
    expect(res.headers['x-cache']).toBe('Error from cloudfront');
    expect(res.body).toContain('<Code>NoSuchKey</Code>');
    expect(res.body).toContain('<Key>missing.html</Key>');
  });
});

describe('Host header forwarded to S3', () => {
  it('AllViewer or a policy forwarding host makes S3 answer 403', () => {
    const s = healthy();
    defaultBehavior(s).OriginRequestPolicyId = '216adef6-5c7f-47e4-b989-5492eafa07d3';
    const res = get(s, '/index.html');
    expectS3Denied(res);
    expect(res.trace).toContain('origin:s3-rest:host-header-forwarded');
    defaultBehavior(s).OriginRequestPolicyId = '88a5eaf4-2fd4-4709-b370-b4c650ea3fcf';
    expectOk(get(s, '/index.html'));
  });

  it('reads custom policies: whitelist host, allExcept, allViewer, legacy ForwardedValues', () => {
    const s = healthy();
    const behavior = defaultBehavior(s);
    const policy = (HeaderBehavior: 'whitelist' | 'allExcept' | 'allViewer' | 'none', items: string[]) => {
      s.cloudfront.originRequestPolicies = [
        {
          Id: 'custom-orp',
          OriginRequestPolicyConfig: {
            Name: 'custom',
            HeadersConfig: { HeaderBehavior, Headers: { Quantity: items.length, Items: items } },
            CookiesConfig: { CookieBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
          },
        },
      ];
      behavior.OriginRequestPolicyId = 'custom-orp';
      return forwardsViewerHost(s, behavior);
    };
    expect(policy('whitelist', ['Host'])).toBe(true);
    expect(policy('whitelist', ['Origin'])).toBe(false);
    expect(policy('allExcept', ['host'])).toBe(false);
    expect(policy('allExcept', ['origin'])).toBe(true);
    expect(policy('allViewer', [])).toBe(true);
    expect(policy('none', [])).toBe(false);
    behavior.OriginRequestPolicyId = undefined;
    behavior.ForwardedValues = {
      QueryString: false,
      Cookies: { Forward: 'none' },
      Headers: { Quantity: 1, Items: ['*'] },
    };
    expect(forwardsViewerHost(s, behavior)).toBe(true);
  });
});

describe('ownership and Requester Pays', () => {
  it('an object owned by another account is denied unless BucketOwnerEnforced', () => {
    const s = healthy();
    const object = bucket(s).Objects[0];
    if (object === undefined) throw new Error('fixture');
    object.OwnerAccount = '444455556666';
    expectOk(get(s, '/index.html'));
    bucket(s).OwnershipControls = { Rules: [{ ObjectOwnership: 'ObjectWriter' }] };
    const res = get(s, '/index.html');
    expectS3Denied(res);
    expect(res.trace).toContain('origin:s3-rest:object-owned-by:444455556666');
  });

  it('a Requester Pays bucket refuses CloudFront', () => {
    const s = healthy();
    bucket(s).Payer = 'Requester';
    const res = get(s, '/index.html');
    expectS3Denied(res);
    expect(res.trace).toContain('origin:s3-rest:requester-pays');
  });
});

describe('S3 website endpoint', () => {
  function website(): Scenario {
    const s = loadScenario('website-endpoint-origin');
    bucket(s).Policy = policyOf([PUBLIC_READ]);
    bucket(s).PublicAccessBlockConfiguration = null;
    return s;
  }

  it('serves a public bucket anonymously with index documents', () => {
    const s = website();
    expectOk(get(s, '/index.html'), INDEX_BODY);
    expectOk(get(s, '/about/'), '<h1>About</h1>');
    const redirect = get(s, '/about');
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('/about/');
  });

  it('answers the website 403 page when Block Public Access restricts the policy', () => {
    const s = website();
    s.s3.accountPublicAccessBlock = { RestrictPublicBuckets: true };
    const res = get(s, '/index.html');
    expect(res.status).toBe(403);
    expect(res.body).toContain('Code: AccessDenied');
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
  });

  it('RedirectAllRequestsTo answers 301', () => {
    const s = website();
    bucket(s).WebsiteConfiguration = {
      RedirectAllRequestsTo: { HostName: 'www.example.com', Protocol: 'https' },
    };
    const res = get(s, '/x.html');
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe('https://www.example.com/x.html');
  });
});

// Decisions of the IAM judge (iam-simulate) for a step's identity, and the errors services answer with.
import { AccessDenied as CloudFrontAccessDenied } from '@aws-sdk/client-cloudfront';
import { S3ServiceException } from '@aws-sdk/client-s3';
import { AuthorizationErrorException, KMSAccessDeniedException } from '@aws-sdk/client-sns';
import { describe, expect, it } from 'vitest';
import {
  type AuthzResult,
  accessDeniedError,
  authorize,
  firstDenial,
  type IamRequest,
  InvalidIdentityPolicyError,
  type ResourcePolicy,
  type StepIdentity,
} from '../../../sim/world/iam/index.ts';

const ACCOUNT = '111122223333';
const OTHER = '999988887777';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/cf403-apply`;
const SESSION = `arn:aws:sts::${ACCOUNT}:assumed-role/cf403-apply/cf403-apply-fn`;
const KEY = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`;

function identity(...statements: object[]): StepIdentity {
  return {
    step: 'apply',
    roleArn: ROLE,
    sessionArn: SESSION,
    functionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:cf403-apply-fn`,
    policies: [{ name: 'step', document: { Version: '2012-10-17', Statement: statements } }],
  };
}

function s3(action: string, resource: string, owner = ACCOUNT): IamRequest {
  return {
    action,
    resource,
    context: {
      's3:ResourceAccount': owner,
      'aws:SecureTransport': 'true',
      'aws:RequestedRegion': 'us-east-1',
    },
  };
}

function policy(account: string, ...statements: object[]): ResourcePolicy {
  return { account, document: { Version: '2012-10-17', Statement: statements } };
}

function denied(result: AuthzResult): Extract<AuthzResult, { allowed: false }> {
  if (result.allowed) throw new Error('expected a denial');
  return result;
}

const READ_SITE = { Effect: 'Allow', Action: 's3:GetBucketPolicy', Resource: 'arn:aws:s3:::site' };

describe('authorize', () => {
  it('allows what the identity policy grants', () => {
    expect(authorize(identity(READ_SITE), s3('s3:GetBucketPolicy', 'arn:aws:s3:::site'))).toEqual({
      allowed: true,
    });
  });

  it('denies an action no policy grants, in AWS’s words', () => {
    const result = denied(authorize(identity(READ_SITE), s3('s3:PutBucketPolicy', 'arn:aws:s3:::site')));
    expect(result.explicit).toBe(false);
    expect(result.message).toBe(
      `User: ${SESSION} is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::site" ` +
        'because no identity-based policy allows the s3:PutBucketPolicy action',
    );
  });

  it('denies a resource outside the granted ARNs', () => {
    const result = authorize(identity(READ_SITE), s3('s3:GetBucketPolicy', 'arn:aws:s3:::other'));
    expect(result.allowed).toBe(false);
  });

  it('lets an explicit Deny win over an Allow', () => {
    const id = identity(
      { Effect: 'Allow', Action: 'cloudfront:*', Resource: '*' },
      { Effect: 'Deny', Action: 'cloudfront:UpdateDistribution', Resource: '*' },
    );
    const req = {
      action: 'cloudfront:UpdateDistribution',
      resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/E1`,
    };
    const result = denied(authorize(id, req));
    expect(result.explicit).toBe(true);
    expect(result.message).toBe(
      `User: ${SESSION} is not authorized to perform: cloudfront:UpdateDistribution on resource: ` +
        `arn:aws:cloudfront::${ACCOUNT}:distribution/E1 with an explicit deny in an identity-based policy`,
    );
  });

  it('evaluates conditions against the request context', () => {
    const id = identity({
      Effect: 'Allow',
      Action: 's3:GetBucketPolicy',
      Resource: 'arn:aws:s3:::*',
      Condition: { StringEquals: { 's3:ResourceAccount': ACCOUNT } },
    });
    expect(authorize(id, s3('s3:GetBucketPolicy', 'arn:aws:s3:::site')).allowed).toBe(true);
    expect(authorize(id, s3('s3:GetBucketPolicy', 'arn:aws:s3:::site', OTHER)).allowed).toBe(false);
  });

  it('counts only `Resource: "*"` for actions without resource-level permissions', () => {
    const onArn = identity({
      Effect: 'Allow',
      Action: 'cloudfront:ListOriginAccessControls',
      Resource: `arn:aws:cloudfront::${ACCOUNT}:origin-access-control/*`,
    });
    const onStar = identity({
      Effect: 'Allow',
      Action: 'cloudfront:ListOriginAccessControls',
      Resource: '*',
    });
    const req = { action: 'cloudfront:ListOriginAccessControls', resource: '*' };
    const result = denied(authorize(onArn, req));
    expect(result.message).toBe(
      `User: ${SESSION} is not authorized to perform: cloudfront:ListOriginAccessControls ` +
        'because no identity-based policy allows the cloudfront:ListOriginAccessControls action',
    );
    expect(authorize(onStar, req).allowed).toBe(true);
  });

  it('sets the caller’s keys: aws:PrincipalArn is the role, not the session', () => {
    const id = identity({
      Effect: 'Allow',
      Action: 's3:GetBucketPolicy',
      Resource: '*',
      Condition: {
        ArnEquals: { 'aws:PrincipalArn': ROLE },
        StringEquals: { 'aws:PrincipalAccount': ACCOUNT },
      },
    });
    expect(authorize(id, s3('s3:GetBucketPolicy', 'arn:aws:s3:::site')).allowed).toBe(true);
  });
});

describe('authorize with resource policies', () => {
  const putSite = s3('s3:PutBucketPolicy', 'arn:aws:s3:::site');

  it('same account: a bucket policy naming the role grants what the identity policy does not', () => {
    const bucket = policy(ACCOUNT, {
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 's3:PutBucketPolicy',
      Resource: 'arn:aws:s3:::site',
    });
    expect(authorize(identity(READ_SITE), putSite, bucket)).toEqual({ allowed: true });
  });

  it('a bucket policy Deny wins over the identity’s Allow and is named as the reason', () => {
    const id = identity({ Effect: 'Allow', Action: 's3:*', Resource: '*' });
    const bucket = policy(ACCOUNT, {
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:PutBucketPolicy',
      Resource: 'arn:aws:s3:::site',
    });
    const result = denied(authorize(id, putSite, bucket));
    expect(result.explicit).toBe(true);
    expect(result.message).toMatch(/with an explicit deny in a resource-based policy$/);
  });

  it('another account’s bucket needs both the identity policy and the bucket policy', () => {
    const req = s3('s3:GetBucketPolicy', 'arn:aws:s3:::theirs', OTHER);
    const grant = policy(OTHER, {
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 's3:GetBucketPolicy',
      Resource: 'arn:aws:s3:::theirs',
    });
    const mayRead = identity({ Effect: 'Allow', Action: 's3:GetBucketPolicy', Resource: '*' });
    expect(authorize(identity(READ_SITE), req, grant).allowed).toBe(false);
    expect(denied(authorize(mayRead, req, policy(OTHER))).message).toMatch(/no resource-based policy allows/);
    expect(authorize(mayRead, req, grant).allowed).toBe(true);
  });

  it('KMS: a key policy that neither names the role nor delegates to the account denies', () => {
    const id = identity({ Effect: 'Allow', Action: 'kms:*', Resource: '*' });
    const req = { action: 'kms:PutKeyPolicy', resource: KEY, context: { 'kms:CallerAccount': ACCOUNT } };
    const adminsOnly = policy(ACCOUNT, {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:role/KeyAdmin` },
      Action: 'kms:*',
      Resource: '*',
    });
    const result = denied(authorize(id, req, adminsOnly));
    expect(result.message).toBe(
      `User: ${SESSION} is not authorized to perform: kms:PutKeyPolicy on resource: ${KEY} ` +
        'because no resource-based policy allows the kms:PutKeyPolicy action',
    );
    // without any key policy at all: the same
    expect(authorize(id, req).allowed).toBe(false);
  });

  it('KMS: delegation to the account root lets IAM policies count; naming the role is enough alone', () => {
    const req = { action: 'kms:GetKeyPolicy', resource: KEY };
    const delegating = policy(ACCOUNT, {
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` },
      Action: 'kms:*',
      Resource: '*',
    });
    const namingRole = policy(ACCOUNT, {
      Effect: 'Allow',
      Principal: { AWS: ROLE },
      Action: 'kms:GetKeyPolicy',
      Resource: '*',
    });
    const mayRead = identity({ Effect: 'Allow', Action: 'kms:GetKeyPolicy', Resource: KEY });
    expect(authorize(mayRead, req, delegating).allowed).toBe(true);
    expect(denied(authorize(identity(READ_SITE), req, delegating)).message).toMatch(
      /no identity-based policy allows the kms:GetKeyPolicy action$/,
    );
    expect(authorize(identity(READ_SITE), req, namingRole).allowed).toBe(true);
  });
});

describe('authorize bookkeeping', () => {
  it('caches decisions per identity and request', () => {
    const id = identity(READ_SITE);
    const req = s3('s3:PutBucketPolicy', 'arn:aws:s3:::site');
    const first = authorize(id, req);
    expect(authorize(id, { ...req, context: { ...req.context } })).toBe(first);
    expect(authorize(id, s3('s3:PutBucketPolicy', 'arn:aws:s3:::other'))).not.toBe(first);
  });

  it('refuses an identity policy IAM would not accept', () => {
    const bad = identity({
      Effect: 'Allow',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::b/*',
      Principal: '*',
    });
    expect(() => authorize(bad, s3('s3:GetObject', 'arn:aws:s3:::b/k'))).toThrow(InvalidIdentityPolicyError);
  });

  it('firstDenial returns the first request of a call that is denied', () => {
    const id = identity({ Effect: 'Allow', Action: 's3:PutObject', Resource: 'arn:aws:s3:::b/*' });
    const put = s3('s3:PutObject', 'arn:aws:s3:::b/k');
    const tag = s3('s3:PutObjectTagging', 'arn:aws:s3:::b/k');
    expect(firstDenial(id, [put])).toBeUndefined();
    expect(firstDenial(id, [put, tag])?.req).toBe(tag);
  });
});

describe('accessDeniedError', () => {
  const id = identity(READ_SITE);
  const req = s3('s3:PutBucketPolicy', 'arn:aws:s3:::site');
  const result = denied(authorize(id, req));

  it('S3: AccessDenied 403 with the message; HEAD answers a bodiless 403', () => {
    const error = accessDeniedError('s3', req, id, result, 'req-1');
    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error).toMatchObject({
      name: 'AccessDenied',
      Code: 'AccessDenied',
      message: result.message,
      $metadata: { httpStatusCode: 403, requestId: 'req-1' },
    });
    expect(accessDeniedError('s3', req, id, result, 'req-2', 'HeadObject')).toMatchObject({
      name: '403',
      message: 'UnknownError',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('CloudFront and SNS throw their modeled exceptions', () => {
    expect(accessDeniedError('cloudfront', req, id, result)).toBeInstanceOf(CloudFrontAccessDenied);
    const publish = { action: 'sns:Publish', resource: `arn:aws:sns:us-east-1:${ACCOUNT}:t` };
    const snsDenied = denied(authorize(id, publish));
    expect(snsDenied.message).toContain('perform: SNS:Publish on resource');
    const sns = accessDeniedError('sns', publish, id, snsDenied);
    expect(sns).toBeInstanceOf(AuthorizationErrorException);
    expect(sns).toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const viaKms = { action: 'kms:GenerateDataKey', resource: KEY };
    expect(accessDeniedError('sns', viaKms, id, denied(authorize(id, viaKms)))).toBeInstanceOf(
      KMSAccessDeniedException,
    );
  });

  it('CloudWatch keeps its Query-protocol AccessDenied 403', () => {
    expect(accessDeniedError('cloudwatch', req, id, result)).toMatchObject({
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('Lambda: AccessDeniedException 403', () => {
    expect(accessDeniedError('lambda', req, id, result)).toMatchObject({
      name: 'AccessDeniedException',
      $metadata: { httpStatusCode: 403 },
    });
  });

  it('JSON services: AccessDeniedException 400', () => {
    for (const service of ['kms', 'dynamodb', 'ssm', 'sfn', 'wafv2', 'logs'] as const) {
      expect(accessDeniedError(service, req, id, result)).toMatchObject({
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 400 },
      });
    }
  });
});

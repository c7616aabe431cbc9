// The whole catalog on one evidence: the S3 rules rank the root cause first and stay silent otherwise.
import { describe, expect, it } from 'vitest';
import { CAUSE_MODULES } from '../../../../functions/domain/causes/index.ts';
import { diagnose } from '../../../../functions/domain/diagnose.ts';
import {
  ALL_BLOCKED,
  bucketOf,
  DEPLOY,
  evidence,
  ok,
  PUBLIC_READ,
  policy,
  withoutIdentity,
  withWebsiteOrigin,
} from './fixtures.ts';

const S3_GROUP = [
  'PUBLIC_ACCESS_BLOCKED',
  'WEBSITE_ENDPOINT_ORIGIN',
  'BUCKET_POLICY_GRANT_MISSING',
  'SOURCE_ARN_MISMATCH',
  'EXPLICIT_DENY',
  'OAI_NOT_GRANTED',
  'OAC_MISCONFIGURED',
  'OBJECT_NOT_FOUND',
  'KMS_ACCESS_DENIED',
  'OBJECT_OWNERSHIP',
  'REQUESTER_PAYS',
  'HOST_HEADER_FORWARDED',
];

const TLS_ONLY = {
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: ['arn:aws:s3:::example-site', 'arn:aws:s3:::example-site/*'],
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
};

function ids(ev: ReturnType<typeof evidence>): string[] {
  return diagnose(ev).causes.map((c) => c.id);
}

describe('S3 causes in the full catalog', () => {
  it('registers every module of the group under its id', () => {
    const registered = CAUSE_MODULES.map((m) => m.id);
    for (const id of S3_GROUP) expect(registered).toContain(id);
  });

  it('public-access-blocked example: PUBLIC_ACCESS_BLOCKED first', () => {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(PUBLIC_READ, DEPLOY));
    bucketOf(ev).publicAccessBlock = ok({ ...ALL_BLOCKED });
    expect(ids(ev)[0]).toBe('PUBLIC_ACCESS_BLOCKED');
    expect(ids(ev)).not.toContain('ORIGIN_ACCESS_MISSING');
  });

  it('website-endpoint-origin example: WEBSITE_ENDPOINT_ORIGIN first', () => {
    expect(ids(withWebsiteOrigin(evidence()))[0]).toBe('WEBSITE_ENDPOINT_ORIGIN');
  });

  it('bucket-policy-grant-missing example: BUCKET_POLICY_GRANT_MISSING alone', () => {
    const ev = evidence();
    bucketOf(ev).policy = ok(policy(DEPLOY, TLS_ONLY));
    expect(ids(ev)).toEqual(['BUCKET_POLICY_GRANT_MISSING']);
  });

  it('origin-access-missing example: none of the S3 group competes with ORIGIN_ACCESS_MISSING', () => {
    const ev = withoutIdentity(evidence());
    bucketOf(ev).policy = ok(policy(DEPLOY, TLS_ONLY));
    expect(ids(ev)).toEqual(['ORIGIN_ACCESS_MISSING']);
  });

  it('an S3 refusal on a healthy configuration is explained by none of the S3 group', () => {
    expect(ids(evidence()).filter((id) => S3_GROUP.includes(id))).toEqual([]);
  });
});

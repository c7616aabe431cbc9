import { describe, expect, it } from 'vitest';
import {
  BUCKET_POLICY_MAX_BYTES,
  compactPolicyBytes,
  withinQuotas,
} from '../../../functions/domain/quotas.ts';
import type { Action, Evidence } from '../../../functions/domain/types.ts';

const statement = {
  Sid: 'AllowCloudFrontServicePrincipal',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::site/*',
  Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E1' } },
};
const grant: Action = {
  id: 'grant',
  cause: 'BUCKET_POLICY_GRANT_MISSING',
  risk: 'destructive',
  description: 'Merge a grant',
  change: { type: 'merge-bucket-policy-statement', bucket: 'site', statement },
  calls: [],
  diff: [],
};

function policyOf(bytes: number): string {
  const filler = { Sid: 'Filler', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'x' };
  const base = JSON.stringify({ Version: '2012-10-17', Statement: [filler] });
  filler.Resource = `arn:aws:s3:::site/${'a'.repeat(bytes - base.length)}`;
  return JSON.stringify({ Version: '2012-10-17', Statement: [filler] }, null, 2);
}

function evidence(policy: string | null): Evidence {
  return {
    buckets: { site: { name: 'site', policy: { ok: true, value: policy } } },
    kmsKeys: {},
  } as unknown as Evidence;
}

describe('size quotas at plan time', () => {
  it('measures a policy as S3 does, without insignificant whitespace', () => {
    expect(compactPolicyBytes('{ "a" : [ 1, 2 ] }')).toBe('{"a":[1,2]}'.length);
    expect(compactPolicyBytes('{"s":"é"}')).toBe(10);
  });

  it('keeps a merge that fits', () => {
    expect(withinQuotas(grant, evidence(policyOf(10_000)))).toBe(grant);
    expect(withinQuotas(grant, evidence(null))).toBe(grant);
  });

  it('escalates a merge that would pass the 20 KB bucket policy limit, saying why', () => {
    const out = withinQuotas(grant, evidence(policyOf(BUCKET_POLICY_MAX_BYTES - 100)));
    expect(out.change).toBeUndefined();
    expect(out.risk).toBe('manual');
    expect(out.description).toMatch(/over AWS's 20480-byte limit/);
  });

  it('does not count the whitespace of a pretty-printed policy', () => {
    const statements = Array.from({ length: 60 }, (_, i) => ({
      Sid: `Team${i}`,
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::111122223333:role/team-${i}` },
      Action: ['s3:PutObject'],
      Resource: `arn:aws:s3:::site/uploads/${i}/*`,
    }));
    // pretty-printed it is over 20 KB, compact it has room
    const wide = JSON.stringify({ Version: '2012-10-17', Statement: statements }, null, 8);
    expect(wide.length).toBeGreaterThan(BUCKET_POLICY_MAX_BYTES);
    expect(compactPolicyBytes(wide)).toBeLessThan(BUCKET_POLICY_MAX_BYTES - 1000);
    expect(withinQuotas(grant, evidence(wide))).toBe(grant);
  });
});

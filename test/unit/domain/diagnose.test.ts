// Ranking across modules: a cause proven in the configuration beats a deployment in flight, a Deny that
// refuses the request as sent beats a missing grant, and ties go to the cause that explains more requests.
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../functions/domain/diagnose.ts';
import type { Evidence } from '../../../functions/domain/types.ts';
import {
  bucketOf,
  DEPLOY,
  evidence,
  ok,
  policy,
  s3Denied,
  withoutIdentity,
  withRequests,
} from '../causes/s3/fixtures.ts';

function noAccess(): Evidence {
  const ev = withoutIdentity(evidence());
  bucketOf(ev).policy = ok(policy(DEPLOY));
  return ev;
}

const ids = (ev: Evidence) => diagnose(ev).causes.map((c) => c.id);

describe('diagnose ranking', () => {
  it('puts a cause proven in the configuration being deployed before DEPLOYMENT_IN_PROGRESS', () => {
    const ev = noAccess();
    ev.distribution.Status = 'InProgress';
    expect(ids(ev)).toEqual(['ORIGIN_ACCESS_MISSING', 'DEPLOYMENT_IN_PROGRESS']);
  });

  it('puts DEPLOYMENT_IN_PROGRESS first when the configuration shows nothing wrong', () => {
    const ev = evidence();
    ev.distribution.Status = 'InProgress';
    expect(ids(ev)[0]).toBe('DEPLOYMENT_IN_PROGRESS');
  });

  it('puts a Deny that refuses the unsigned requests now before the missing origin access', () => {
    const ev = noAccess();
    const denyOutsideVpce = {
      Sid: 'DenyOutsideVpce',
      Effect: 'Deny',
      Principal: '*',
      Action: 's3:GetObject',
      Resource: 'arn:aws:s3:::example-site/*',
      Condition: { StringNotEquals: { 'aws:SourceVpce': 'vpce-1a2b3c4d' } },
    };
    bucketOf(ev).policy = ok(policy(DEPLOY, denyOutsideVpce));
    expect(ids(ev)).toEqual(['EXPLICIT_DENY', 'ORIGIN_ACCESS_MISSING']);
  });

  it('breaks a confidence tie by the number of requests each cause keeps at 403', () => {
    const ev = noAccess();
    ev.distribution.DistributionConfig.DefaultRootObject = '';
    withRequests(ev, [
      ['/', s3Denied],
      ['/index.html', s3Denied],
      ['/app.js', s3Denied],
    ]);
    const causes = diagnose(ev).causes;
    expect(causes.map((c) => [c.id, c.confidence])).toEqual([
      ['ORIGIN_ACCESS_MISSING', 0.95],
      ['DEFAULT_ROOT_OBJECT_MISSING', 0.95],
    ]);
    expect(causes[0]?.requests).toEqual([0, 1, 2]);
    expect(causes[1]?.requests).toEqual([0]);
  });
});

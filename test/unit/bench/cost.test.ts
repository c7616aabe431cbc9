import { describe, expect, it } from 'vitest';
import {
  allowedLostSeconds,
  apiCallUsd,
  apiUsd,
  BILLING_MODEL,
  billedSeconds,
  costOf,
  gbSeconds,
  PRICES,
} from '../../../bench/cost.ts';

describe('the cost model', () => {
  it('bills each invocation its calls and its waiting, at its memory', () => {
    const waiting = { step: 'checkDeployment', waitedSeconds: 300, awsCalls: 150, memoryMb: 128 };
    expect(billedSeconds(waiting)).toBeCloseTo(
      BILLING_MODEL.secondsPerInvocation + 150 * BILLING_MODEL.secondsPerAwsCall + 300,
    );
    const quick = { step: 'plan', waitedSeconds: 0, awsCalls: 2, memoryMb: 256 };
    expect(gbSeconds([waiting, quick])).toBeCloseTo(billedSeconds(waiting) / 8 + billedSeconds(quick) / 4);
  });

  it('prices transitions, Lambda and API calls, and adds them up', () => {
    const c = costOf({ transitions: 200, lambdaRequests: 70, lambdaGbSeconds: 2, apiUsd: 0.0001 });
    expect(c.transitionsUsd).toBeCloseTo(0.005);
    expect(c.lambdaUsd).toBeCloseTo(70 * 0.2e-6 + 2 * 0.0000133334);
    expect(c.totalUsd).toBeCloseTo(c.transitionsUsd + c.lambdaUsd + 0.0001);
  });

  it('charges the paid APIs by request class and CloudFront nothing', () => {
    expect(apiCallUsd('s3', 'PutObject')).toBe(PRICES.s3Write);
    expect(apiCallUsd('s3', 'GetObject')).toBe(PRICES.s3Read);
    expect(apiCallUsd('s3', 'DeleteObject')).toBe(0);
    expect(apiCallUsd('dynamodb', 'PutItem')).toBe(PRICES.dynamoWrite);
    expect(apiCallUsd('dynamodb', 'GetItem')).toBe(PRICES.dynamoRead);
    expect(apiCallUsd('sns', 'Publish')).toBe(PRICES.snsPublish);
    expect(apiCallUsd('cloudfront', 'GetDistribution')).toBe(0);
    expect(apiUsd({ 'cloudfront:GetDistribution': 500, 's3:PutObject': 2, 'sns:Publish': 1 })).toBeCloseTo(
      2 * PRICES.s3Write + PRICES.snsPublish,
    );
  });

  it('allows max(2 % of CloudFront’s time, 3 s) of lost time', () => {
    expect(allowedLostSeconds(23)).toBe(3);
    expect(allowedLostSeconds(360)).toBeCloseTo(7.2);
    expect(allowedLostSeconds(1680)).toBeCloseTo(33.6);
  });
});

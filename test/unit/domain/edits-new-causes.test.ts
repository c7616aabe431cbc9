// Distribution edits issue 11 added: associating the index rewrite function, and an error response entry.
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { applyDistributionEdits, editsAreNoop } from '../../../functions/domain/edits.ts';
import { ChangeConflictError } from '../../../functions/errors.ts';

const ARN = 'arn:aws:cloudfront::111122223333:function/cf403-index-E1';

function config(
  associations: { FunctionARN: string; EventType: 'viewer-request' | 'viewer-response' }[] = [],
) {
  return {
    CallerReference: 'r',
    Comment: '',
    Enabled: true,
    Origins: { Quantity: 1, Items: [{ Id: 's3', DomainName: 'site.s3.us-east-1.amazonaws.com' }] },
    DefaultCacheBehavior: {
      TargetOriginId: 's3',
      ViewerProtocolPolicy: 'redirect-to-https',
      FunctionAssociations: { Quantity: associations.length, Items: associations },
    },
    CustomErrorResponses: {
      Quantity: 1,
      Items: [
        { ErrorCode: 404, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 10 },
      ],
    },
  } as unknown as DistributionConfig;
}

const associate = {
  op: 'associate-function' as const,
  pathPattern: 'Default (*)',
  eventType: 'viewer-request' as const,
  functionName: 'cf403-index-E1',
};

describe('associate-function', () => {
  it('adds the created function, resolved by name, beside a viewer-response function', () => {
    const before = config([{ FunctionARN: 'arn:x:function/headers', EventType: 'viewer-response' }]);
    const after = applyDistributionEdits(before, [associate], {}, { 'cf403-index-E1': ARN });
    expect(after.DefaultCacheBehavior?.FunctionAssociations).toEqual({
      Quantity: 2,
      Items: [
        { FunctionARN: 'arn:x:function/headers', EventType: 'viewer-response' },
        { FunctionARN: ARN, EventType: 'viewer-request' },
      ],
    });
    expect(editsAreNoop(after, [associate], {}, { 'cf403-index-E1': ARN })).toBe(true);
  });

  it('never replaces another viewer-request function, nor joins Lambda@Edge on viewer events', () => {
    const taken = config([{ FunctionARN: 'arn:x:function/other', EventType: 'viewer-request' }]);
    expect(() => applyDistributionEdits(taken, [associate], {}, { 'cf403-index-E1': ARN })).toThrow(
      ChangeConflictError,
    );
    const edge = config();
    const b = edge.DefaultCacheBehavior;
    if (b)
      b.LambdaFunctionAssociations = {
        Quantity: 1,
        Items: [
          { LambdaFunctionARN: 'arn:aws:lambda:us-east-1:1:function:f:1', EventType: 'viewer-response' },
        ],
      };
    expect(() => applyDistributionEdits(edge, [associate], {}, { 'cf403-index-E1': ARN })).toThrow(
      /Lambda@Edge/,
    );
    expect(() => applyDistributionEdits(config(), [associate])).toThrow(/no function/);
  });
});

describe('set-custom-error-response', () => {
  it('adds the 403 entry in ErrorCode order, and replaces an existing one', () => {
    const entry = {
      ErrorCode: 403,
      ResponsePagePath: '/index.html',
      ResponseCode: '200',
      ErrorCachingMinTTL: 10,
    };
    const after = applyDistributionEdits(config(), [{ op: 'set-custom-error-response', entry }]);
    expect(after.CustomErrorResponses?.Items?.map((e) => e.ErrorCode)).toEqual([403, 404]);
    const replaced = applyDistributionEdits(after, [
      { op: 'set-custom-error-response', entry: { ...entry, ResponseCode: '404' } },
    ]);
    expect(replaced.CustomErrorResponses).toMatchObject({
      Quantity: 2,
      Items: [{ ErrorCode: 403, ResponseCode: '404' }, {}],
    });
  });
});

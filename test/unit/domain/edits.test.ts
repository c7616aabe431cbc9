import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { applyDistributionEdits, editsAreNoop } from '../../../functions/domain/edits.ts';
import { ChangeConflictError } from '../../../functions/errors.ts';

const config = (): DistributionConfig =>
  ({
    CallerReference: 'x',
    Comment: '',
    Enabled: true,
    DefaultRootObject: '',
    Origins: {
      Quantity: 2,
      Items: [
        {
          Id: 's3',
          DomainName: 'b.s3.us-east-1.amazonaws.com',
          OriginAccessControlId: '',
          S3OriginConfig: { OriginAccessIdentity: 'origin-access-identity/cloudfront/E1' },
        },
        {
          Id: 'web',
          DomainName: 'b.s3-website-us-east-1.amazonaws.com',
          CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'http-only' },
        },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'https-only' },
    CacheBehaviors: {
      Quantity: 1,
      Items: [{ PathPattern: '/assets/*', TargetOriginId: 'web', ViewerProtocolPolicy: 'allow-all' }],
    },
  }) as unknown as DistributionConfig;

describe('applyDistributionEdits', () => {
  it('attaches the created OAC and clears the OAI, without touching the input', () => {
    const before = config();
    const after = applyDistributionEdits(before, [{ op: 'attach-oac', originId: 's3', oacRef: 'created' }], {
      s3: 'EOAC1',
    });
    expect(after.Origins?.Items?.[0]).toMatchObject({
      OriginAccessControlId: 'EOAC1',
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
    expect(before.Origins?.Items?.[0]?.OriginAccessControlId).toBe('');
  });

  it('switches a website origin to the REST endpoint', () => {
    const after = applyDistributionEdits(config(), [
      { op: 'switch-origin-to-rest', originId: 'web', domainName: 'b.s3.us-east-1.amazonaws.com' },
    ]);
    const o = after.Origins?.Items?.[1];
    expect(o?.DomainName).toBe('b.s3.us-east-1.amazonaws.com');
    expect(o && 'CustomOriginConfig' in o).toBe(false);
    expect(o?.S3OriginConfig).toEqual({ OriginAccessIdentity: '' });
    expect(after.Origins?.Quantity).toBe(after.Origins?.Items?.length);
  });

  it('edits behaviors by path pattern and the default behavior', () => {
    const after = applyDistributionEdits(config(), [
      { op: 'set-behavior-target', pathPattern: '/assets/*', targetOriginId: 's3' },
      { op: 'set-viewer-protocol', pathPattern: 'Default (*)', value: 'redirect-to-https' },
      { op: 'set-default-root-object', value: 'index.html' },
    ]);
    expect(after.CacheBehaviors?.Items?.[0]?.TargetOriginId).toBe('s3');
    expect(after.DefaultCacheBehavior?.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(after.DefaultRootObject).toBe('index.html');
  });

  it('refuses edits whose subject is gone instead of guessing', () => {
    expect(() =>
      applyDistributionEdits(config(), [
        { op: 'set-behavior-target', pathPattern: '/gone/*', targetOriginId: 's3' },
      ]),
    ).toThrow(ChangeConflictError);
    expect(() =>
      applyDistributionEdits(config(), [
        { op: 'set-behavior-target', pathPattern: '/assets/*', targetOriginId: 'nope' },
      ]),
    ).toThrow(/origin 'nope'/);
    expect(() =>
      applyDistributionEdits(config(), [{ op: 'attach-oac', originId: 's3', oacRef: 'created' }]),
    ).toThrow(/no OAC was created/);
  });

  it('drops one forwarded header from legacy cache settings, keeping Quantity equal to Items', () => {
    const c = config();
    const b = c.DefaultCacheBehavior as { ForwardedValues?: unknown };
    b.ForwardedValues = {
      QueryString: false,
      Cookies: { Forward: 'none' },
      Headers: { Quantity: 2, Items: ['Host', 'Origin'] },
    };
    const after = applyDistributionEdits(c, [
      { op: 'remove-forwarded-header', pathPattern: 'Default (*)', header: 'host' },
    ]);
    expect(after.DefaultCacheBehavior?.ForwardedValues?.Headers).toEqual({ Quantity: 1, Items: ['Origin'] });
  });

  it('knows when a re-run would change nothing', () => {
    const c = config();
    expect(editsAreNoop(c, [{ op: 'set-default-root-object', value: '' }])).toBe(true);
    expect(editsAreNoop(c, [{ op: 'set-default-root-object', value: 'index.html' }])).toBe(false);
  });
});

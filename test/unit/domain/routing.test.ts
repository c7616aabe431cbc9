import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { invalidationPaths } from '../../../functions/domain/invalidation.ts';
import {
  classifyOriginDomain,
  matchBehavior,
  objectKey,
  pathPatternMatches,
} from '../../../functions/domain/routing.ts';

describe('routing', () => {
  it('matches CloudFront path patterns', () => {
    expect(pathPatternMatches('/assets/*', '/assets/logo.svg')).toBe(true);
    expect(pathPatternMatches('assets/*', '/assets/a/b.js')).toBe(true);
    expect(pathPatternMatches('/assets/*', '/Assets/logo.svg')).toBe(false);
    expect(pathPatternMatches('/img/?.png', '/img/a.png')).toBe(true);
    expect(pathPatternMatches('/img/?.png', '/img/ab.png')).toBe(false);
    expect(pathPatternMatches('*.js', '/x/y.js')).toBe(true);
  });

  it('takes the first matching behavior, else the default', () => {
    const config = {
      DefaultCacheBehavior: { TargetOriginId: 'site' },
      CacheBehaviors: {
        Quantity: 2,
        Items: [
          { PathPattern: '/api/*', TargetOriginId: 'api' },
          { PathPattern: '*', TargetOriginId: 'all' },
        ],
      },
    } as unknown as DistributionConfig;
    expect(matchBehavior(config, '/api/x').behavior.TargetOriginId).toBe('api');
    expect(matchBehavior(config, '/x').behavior.TargetOriginId).toBe('all');
    const noBehaviors = { DefaultCacheBehavior: { TargetOriginId: 'site' } } as unknown as DistributionConfig;
    expect(matchBehavior(noBehaviors, '/x').index).toBe(-1);
  });

  it('classifies origin domains', () => {
    expect(classifyOriginDomain('site.s3.us-east-1.amazonaws.com')).toEqual({
      kind: 's3-rest',
      bucket: 'site',
      region: 'us-east-1',
    });
    expect(classifyOriginDomain('site.s3.amazonaws.com')).toEqual({ kind: 's3-rest', bucket: 'site' });
    expect(classifyOriginDomain('my.site.s3-website-eu-west-1.amazonaws.com')).toEqual({
      kind: 's3-website',
      bucket: 'my.site',
      region: 'eu-west-1',
    });
    expect(classifyOriginDomain('site.s3-website.eu-central-1.amazonaws.com').kind).toBe('s3-website');
    expect(classifyOriginDomain('site.s3.dualstack.us-west-2.amazonaws.com')).toEqual({
      kind: 's3-rest',
      bucket: 'site',
      region: 'us-west-2',
    });
    expect(classifyOriginDomain('site.s3-us-west-2.amazonaws.com')).toEqual({
      kind: 's3-rest',
      bucket: 'site',
      region: 'us-west-2',
    });
    expect(classifyOriginDomain('my.site.s3.cn-north-1.amazonaws.com.cn').bucket).toBe('my.site');
    expect(classifyOriginDomain('site.s3.amazonaws.com.').kind).toBe('s3-rest');
    expect(classifyOriginDomain('d123.cloudfront.net').kind).toBe('cloudfront');
    expect(classifyOriginDomain('api.example.com').kind).toBe('custom');
  });

  it('maps a viewer path to an S3 key', () => {
    expect(objectKey('', '/', 'index.html')).toBe('index.html');
    expect(objectKey('/prod', '/a%20b.html')).toBe('prod/a b.html');
    expect(objectKey('/prod/', '/x')).toBe('prod/x');
    expect(objectKey(undefined, '/', '')).toBe('');
  });

  it('invalidates the failing paths, or everything when there are many', () => {
    expect(
      invalidationPaths([
        'https://d.cloudfront.net/a.js?x=1',
        'https://d.cloudfront.net/',
        'https://d.cloudfront.net/a.js',
      ]),
    ).toEqual(['/', '/a.js']);
    expect(invalidationPaths(Array.from({ length: 20 }, (_, i) => `https://d.cloudfront.net/${i}`))).toEqual([
      '/*',
    ]);
    expect(invalidationPaths(['https://d.cloudfront.net/a*b'])).toEqual(['/a%2Ab']);
  });
});

import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, describe, expect, it } from 'vitest';
import {
  defaultRequests,
  parseStandardLog,
  StandardLogRequestLog,
} from '../../../functions/adapters/request-log.ts';
import type { DistributionEvidence } from '../../../functions/domain/types.ts';

const LOG = [
  '#Version: 1.0',
  '#Fields: date time x-edge-location sc-bytes c-ip cs-method cs(Host) cs-uri-stem sc-status cs(Referer) cs(User-Agent) cs-uri-query cs(Cookie) x-edge-result-type x-edge-request-id x-host-header cs-protocol',
  '2026-11-28\t00:00:01\tFRA56-C1\t512\t203.0.113.10\tGET\td111111abcdef8.cloudfront.net\t/index.html\t403\t-\tMozilla\t-\t-\tError\tid1\twww.example.com\thttps',
  '2026-11-28\t00:00:02\tFRA56-C1\t512\t203.0.113.10\tGET\td111111abcdef8.cloudfront.net\t/index.html\t403\t-\tMozilla\t-\t-\tError\tid2\twww.example.com\thttps',
  '2026-11-28\t00:00:03\tFRA56-C1\t512\t203.0.113.11\tGET\td111111abcdef8.cloudfront.net\t/app.js\t200\t-\tMozilla\t-\t-\tMiss\tid3\twww.example.com\thttps',
  '2026-11-28\t00:00:04\tFRA56-C1\t512\t198.51.100.7\tHEAD\td111111abcdef8.cloudfront.net\t/a.css\t403\t-\tMozilla\tv=2\t-\tError\tid4\twww.example.com\thttp',
].join('\n');

const dist = (logging: boolean): DistributionEvidence =>
  ({
    Id: 'E2QWRUHEXAMPLE',
    ARN: 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE',
    DomainName: 'd111111abcdef8.cloudfront.net',
    Status: 'Deployed',
    ETag: 'E1',
    DistributionConfig: {
      DefaultRootObject: 'index.html',
      Logging: {
        Enabled: logging,
        IncludeCookies: false,
        Bucket: 'site-logs.s3.amazonaws.com',
        Prefix: 'cf/',
      },
    },
  }) as unknown as DistributionEvidence;

describe('the failing requests, from the access logs', () => {
  const s3 = mockClient(S3Client);
  afterAll(() => s3.restore());

  it('keeps the distinct 403s of a standard log, with the viewer host and protocol', () => {
    expect(parseStandardLog(LOG)).toEqual([
      { url: 'https://www.example.com/index.html', method: 'GET', clientIp: '203.0.113.10' },
      { url: 'http://www.example.com/a.css?v=2', method: 'HEAD', clientIp: '198.51.100.7' },
    ]);
  });

  it('reads the newest gzipped log files of the logging bucket', async () => {
    s3.on(ListObjectsV2Command, { Bucket: 'site-logs', Prefix: 'cf/' }).resolves({
      Contents: [
        { Key: 'cf/E2QWRUHEXAMPLE.2026-11-28-00.abc.gz', LastModified: new Date('2026-11-28T00:05:00Z') },
      ],
    });
    s3.on(GetObjectCommand).resolves({ Body: sdkStreamMixin(Readable.from([gzipSync(LOG)])) });
    const requests = await new StandardLogRequestLog(new S3Client({ region: 'us-east-1' })).failingRequests(
      dist(true),
    );
    expect(requests.map((r) => r.url)).toEqual([
      'https://www.example.com/index.html',
      'http://www.example.com/a.css?v=2',
    ]);
  });

  it('falls back to the site root and the default root object without logs', async () => {
    const requests = await new StandardLogRequestLog(new S3Client({ region: 'us-east-1' })).failingRequests(
      dist(false),
    );
    expect(requests).toEqual(defaultRequests(dist(false)));
    expect(requests.map((r) => r.url)).toEqual([
      'https://d111111abcdef8.cloudfront.net/',
      'https://d111111abcdef8.cloudfront.net/index.html',
    ]);
  });
});

// The viewers' failing requests, read newest first from wherever the access logs are delivered (issue 10).

import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { CloudWatchLogsClient, DescribeDeliverySourcesCommand } from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  defaultRequests,
  parseStandardLog,
  StandardLogRequestLog,
} from '../../../functions/adapters/request-log.ts';
import { parseLogText, v2HourPrefix } from '../../../functions/domain/access-log.ts';
import type { DistributionEvidence } from '../../../functions/domain/types.ts';
import { simulatedClients } from '../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { World } from '../../../sim/world/index.ts';

const DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

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

describe('the failing requests, from standard logs (mocked S3)', () => {
  const s3 = mockClient(S3Client);
  const logs = mockClient(CloudWatchLogsClient);
  const noV2 = { logs: async () => new CloudWatchLogsClient({ region: 'us-east-1' }) };
  beforeEach(() => {
    s3.reset();
    logs.reset();
    logs.on(DescribeDeliverySourcesCommand).resolves({ deliverySources: [] });
  });
  afterAll(() => {
    s3.restore();
    logs.restore();
  });

  it('keeps the distinct 403s of a standard log, with the viewer host and protocol', () => {
    expect(parseStandardLog(LOG)).toEqual([
      { url: 'https://www.example.com/index.html', method: 'GET', clientIp: '203.0.113.10' },
      { url: 'http://www.example.com/a.css?v=2', method: 'HEAD', clientIp: '198.51.100.7' },
    ]);
  });

  it("lists the hour's dated prefix, every page of it, and reads the newest files first", async () => {
    const hour = 'cf/E2QWRUHEXAMPLE.2026-11-28-00.';
    s3.on(ListObjectsV2Command).callsFake((input: { Prefix?: string; ContinuationToken?: string }) => {
      if (input.Prefix !== hour) return {};
      return input.ContinuationToken === 'page-2'
        ? { Contents: [{ Key: `${hour}bbb.gz`, LastModified: new Date('2026-11-28T00:15:00Z') }] }
        : {
            IsTruncated: true,
            NextContinuationToken: 'page-2',
            Contents: [{ Key: `${hour}aaa.gz`, LastModified: new Date('2026-11-28T00:05:00Z') }],
          };
    });
    s3.on(GetObjectCommand).callsFake((input: { Key?: string }) => ({
      Body: sdkStreamMixin(
        Readable.from([
          gzipSync(input.Key?.endsWith('bbb.gz') ? LOG : LOG.split('\n').slice(0, 2).join('\n')),
        ]),
      ),
    }));
    const read = await new StandardLogRequestLog(new S3Client({ region: 'us-east-1' }), noV2).read(
      dist(true),
      new Date('2026-11-28T00:30:00Z'),
    );
    expect(read.requests.map((r) => [r.url, r.logged?.status, r.logged?.count])).toEqual([
      ['http://www.example.com/a.css?v=2', 403, 1],
      ['https://www.example.com/index.html', 403, 2],
    ]);
    const reads = s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key);
    expect(reads).toEqual([`${hour}bbb.gz`, `${hour}aaa.gz`]);
    // the whole prefix is never listed: its first page would hold the oldest files
    expect(s3.commandCalls(ListObjectsV2Command).every((c) => c.args[0].input.Prefix !== 'cf/')).toBe(true);
    expect(read.summary?.read[0]).toMatch(/standard-log s3:\/\/site-logs\/cf\/: 2 file\(s\) listed/);
  });

  it('falls back to the site root and the default root object without logs', async () => {
    const read = await new StandardLogRequestLog(new S3Client({ region: 'us-east-1' }), noV2).read(
      dist(false),
      new Date('2026-11-28T00:30:00Z'),
    );
    expect(read.requests).toEqual(defaultRequests(dist(false)));
    expect(read.requests.map((r) => r.url)).toEqual([
      'https://d111111abcdef8.cloudfront.net/',
      'https://d111111abcdef8.cloudfront.net/index.html',
    ]);
    expect(read.summary?.failing).toBe(0);
  });

  it('says which logs could not be read, and goes on', async () => {
    s3.on(ListObjectsV2Command).rejects(Object.assign(new Error('Access Denied'), { name: 'AccessDenied' }));
    const read = await new StandardLogRequestLog(new S3Client({ region: 'us-east-1' }), noV2).read(
      dist(true),
      new Date('2026-11-28T00:30:00Z'),
    );
    expect(read.summary?.unreadable[0]).toMatch(/^standard-log s3:\/\/site-logs\/cf\/: AccessDenied/);
    expect(read.requests).toEqual(defaultRequests(dist(true)));
  });
});

describe('log formats and v2 paths', () => {
  it('reads JSON and plain v2 records, country and URL-encoded user agent included', () => {
    const json = parseLogText(
      '{"timestamp":"1795823700.000","c-ip":"198.51.100.50","c-country":"br","cs-method":"GET","x-host-header":"www.example.com","cs-protocol":"https","cs-uri-stem":"/a","sc-status":"403","cs(User-Agent)":"Mozilla/5.0%20(X11)","x-edge-detailed-result-type":"ClientGeoBlocked"}',
      'v2',
    );
    expect(json[0]?.request).toEqual({
      url: 'https://www.example.com/a',
      method: 'GET',
      clientIp: '198.51.100.50',
      country: 'BR',
      headers: { 'user-agent': 'Mozilla/5.0 (X11)' },
    });
    expect(json[0]?.logged).toMatchObject({ status: 403, edgeDetailedResultType: 'ClientGeoBlocked' });
    const plain = parseLogText('198.51.100.9 GET www.example.com /b 403', 'v2', [
      'c-ip',
      'cs-method',
      'x-host-header',
      'cs-uri-stem',
      'sc-status',
    ]);
    expect(plain[0]?.request.url).toBe('https://www.example.com/b');
  });

  it("resolves a suffix path's variables for the hour, and lists from the static part otherwise", () => {
    const at = Date.parse('2026-11-27T23:00:00Z');
    const base = {
      basePrefix: 'cf/',
      distributionId: 'E2Q',
      account: '111122223333',
      hourMs: at,
      hive: false,
    };
    expect(v2HourPrefix({ ...base, suffixPath: '{DistributionId}/{yyyy}/{MM}/{dd}/{HH}' })).toEqual({
      prefix: 'cf/E2Q/2026/11/27/23/E2Q.2026-11-27-23.',
      nameFilter: 'E2Q.2026-11-27-23.',
    });
    expect(v2HourPrefix({ ...base, suffixPath: 'x/{unknown}/{HH}' }).prefix).toBe('cf/x/');
    expect(v2HourPrefix({ ...base, suffixPath: undefined, hive: true }).prefix).toBe('cf/');
  });
});

/** The product's reader against the simulated account's delivered log files and events. */
async function readWorld(name: string, edit?: (s: Scenario) => void) {
  const sc = loadScenario(`${DIR}${name}.json`);
  edit?.(sc);
  const world = new World(sc, { enforce: { model: false, iam: false } });
  const clients = simulatedClients(world);
  const d = world.distribution(sc.cloudfront.distributions[0]?.Id ?? '');
  const reader = new StandardLogRequestLog(clients.s3, { logs: async () => clients.logs });
  return { world, clients, read: await reader.read(d, new Date(world.now())) };
}

describe('the failing requests, from the logs the simulated account delivered', () => {
  it('finds the failing requests of a busy prefix whose first page holds day-old files', async () => {
    const { read, clients } = await readWorld('origin-access-missing-busy-log-prefix');
    expect(read.requests.map((r) => new URL(r.url).pathname)).toEqual(['/docs/api.html', '/docs/guide.html']);
    expect(read.requests[0]?.logged).toMatchObject({
      status: 403,
      contentType: 'application/xml',
      edgeResultType: 'Error',
    });
    // what a plain listing would have read: 1,000 of the oldest files, none from the last hours
    const page = await clients.s3.send(
      new ListObjectsV2Command({ Bucket: 'example-logs', Prefix: 'cloudfront/' }),
    );
    expect(page.KeyCount).toBe(1000);
    expect(page.IsTruncated).toBe(true);
    expect(page.Contents?.[999]?.Key).toMatch(/\.2026-11-27-0[0-9]\./);
  });

  it('reads standard logging v2 in S3 (JSON, partitioned) and in CloudWatch Logs', async () => {
    const s3 = await readWorld('origin-access-missing-v2-s3-logs');
    expect(s3.read.requests.map((r) => [new URL(r.url).pathname, r.country])).toEqual([
      ['/docs/api.html', 'DE'],
      ['/docs/guide.html', 'US'],
    ]);
    expect(s3.read.summary?.read[0]).toMatch(/^standard-log-v2 s3:\/\/example-v2-logs\/cloudfront\//);
    const cwl = await readWorld('origin-access-missing-v2-cloudwatch-logs');
    expect(cwl.read.requests).toHaveLength(2);
    expect(cwl.read.summary?.read[0]).toMatch(
      /cloudwatch-logs \/aws\/cloudfront\/example-site: \d+ event\(s\)/,
    );
  });

  it('sees only what has been delivered: logs a day late are not there yet', async () => {
    const { read } = await readWorld('origin-access-missing-busy-log-prefix', (s) => {
      s.logs = { ...(s.logs ?? {}), deliveryDelaySeconds: 86_400 };
    });
    expect(read.summary?.failing).toBe(0);
    expect(read.requests.map((r) => new URL(r.url).pathname)).toEqual(['/', '/index.html']);
  });

  it('says when a v2 destination writes a format it cannot read', async () => {
    const { read } = await readWorld('origin-access-missing-v2-s3-logs', (s) => {
      const d = s.cloudwatchLogs?.deliveryDestinations?.[0];
      if (d) d.outputFormat = 'parquet';
    });
    expect(read.summary?.read.join('\n')).toMatch(/parquet output is not read here/);
  });
});

// The simulated account's viewer side and regional facts (issue 10): S3 listing order and pages, log delivery,
// CloudWatch Logs deliveries, viewer metrics and the alarm, regional KMS keys and AWS managed keys, and the
// window GetSampledRequests accepts.
import { fileURLToPath } from 'node:url';
import { DescribeAlarmsCommand, GetMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { FilterLogEventsCommand } from '@aws-sdk/client-cloudwatch-logs';
import { DescribeKeyCommand, GetKeyPolicyCommand, PutKeyPolicyCommand } from '@aws-sdk/client-kms';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import { GetSampledRequestsCommand } from '@aws-sdk/client-wafv2';
import { describe, expect, it } from 'vitest';
import { SAMPLE_WINDOW_MS } from '../../../functions/adapters/collector.ts';
import { simulatedClients } from '../../../sim/runner/simulate.ts';
import { loadScenario } from '../../../sim/scenario/load.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { World } from '../../../sim/world/index.ts';
import { rejection } from './helpers.ts';

const DIR = fileURLToPath(new URL('../../scenarios/', import.meta.url));

function worldOf(name: string, edit?: (s: Scenario) => void) {
  const sc = loadScenario(`${DIR}${name}.json`);
  edit?.(sc);
  const world = new World(sc, { enforce: { model: false, iam: false } });
  return { world, clients: simulatedClients(world) };
}

describe('S3 listings of access logs', () => {
  it('lists keys in ascending order, 1,000 a page, and pages with the continuation token to the end', async () => {
    const { clients } = worldOf('origin-access-missing-busy-log-prefix');
    const keys: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await clients.s3.send(
        new ListObjectsV2Command({ Bucket: 'example-logs', Prefix: 'cloudfront/', ContinuationToken: token }),
      );
      keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
      token = page.NextContinuationToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(keys.length).toBeGreaterThan(2900);
    expect([...keys].sort()).toEqual(keys);
  });

  it('holds back a file until CloudFront delivers it', async () => {
    const { world, clients } = worldOf('origin-access-missing-busy-log-prefix', (s) => {
      s.logs = { requestsSecondsAgo: 60, deliveryDelaySeconds: 3600 };
    });
    const list = async () =>
      (await clients.s3.send(new ListObjectsV2Command({ Bucket: 'example-logs', Prefix: 'cloudfront/' })))
        .KeyCount;
    expect(await list()).toBe(0);
    world.advance(3600);
    expect(await list()).toBe(1);
  });
});

describe('CloudWatch Logs (standard logging v2)', () => {
  it('pages FilterLogEvents and finds only what was ingested in the window', async () => {
    const { world, clients } = worldOf('origin-access-missing-v2-cloudwatch-logs');
    const now = world.now();
    const first = await clients.logs.send(
      new FilterLogEventsCommand({
        logGroupIdentifier: '/aws/cloudfront/example-site',
        startTime: now - 6 * 3_600_000,
        endTime: now,
        limit: 500,
      }),
    );
    expect(first.events).toHaveLength(500);
    expect(first.nextToken).toBeDefined();
    const err = await rejection(
      clients.logs.send(new FilterLogEventsCommand({ logGroupIdentifier: 'no-such-group' })),
    );
    expect(err.name).toBe('ResourceNotFoundException');
  });
});

describe('the viewers in CloudWatch', () => {
  it('publish the error rate each minute, and the alarm returns to OK once they are served', async () => {
    const { world, clients } = worldOf('origin-access-missing-geo-allow-list-legacy-logs');
    const rate = async () => {
      const out = await clients.cloudwatch.send(
        new GetMetricDataCommand({
          StartTime: new Date(world.now() - 5 * 60_000),
          EndTime: new Date(world.now()),
          MetricDataQueries: [
            {
              Id: 'm',
              MetricStat: {
                Metric: {
                  Namespace: 'AWS/CloudFront',
                  MetricName: '403ErrorRate',
                  Dimensions: [
                    { Name: 'DistributionId', Value: 'E2QWRUHEXAMPLE' },
                    { Name: 'Region', Value: 'Global' },
                  ],
                },
                Period: 60,
                Stat: 'Average',
              },
            },
          ],
        }),
      );
      return out.MetricDataResults?.[0]?.Values ?? [];
    };
    const alarm = async () =>
      (await clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['cf403-E2QWRUHEXAMPLE-4xx'] })))
        .MetricAlarms?.[0]?.StateValue;
    expect(await rate()).toEqual([100, 100, 100, 100, 100]);
    expect(await alarm()).toBe('ALARM');
    // the bucket is made public-readable through CloudFront: the viewers are served from now on
    const bucket = world.state.buckets.get('example-site');
    if (!bucket) throw new Error('no bucket');
    bucket.Policy = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: 'arn:aws:s3:::example-site/*' },
      ],
    });
    bucket.PublicAccessBlockConfiguration = null;
    world.viewerMetrics.changed();
    world.advance(6 * 60);
    expect((await rate()).slice(0, 3)).toEqual([0, 0, 0]);
    expect(await alarm()).toBe('OK');
  });

  it('publish 403ErrorRate only with additional metrics on, and nothing without traffic', async () => {
    const q = (MetricName: string) =>
      new GetMetricDataCommand({
        StartTime: new Date(Date.UTC(2026, 10, 27, 23, 50)),
        EndTime: new Date(Date.UTC(2026, 10, 28)),
        MetricDataQueries: [
          {
            Id: 'm',
            MetricStat: {
              Metric: {
                Namespace: 'AWS/CloudFront',
                MetricName,
                Dimensions: [{ Name: 'DistributionId', Value: 'E2QWRUHEXAMPLE' }],
              },
              Period: 60,
              Stat: 'Average',
            },
          },
        ],
      });
    const plain = worldOf('origin-access-missing-geo-allow-list-excludes-probe').clients;
    expect((await plain.cloudwatch.send(q('403ErrorRate'))).MetricDataResults?.[0]?.Values).toEqual([]);
    expect((await plain.cloudwatch.send(q('4xxErrorRate'))).MetricDataResults?.[0]?.Values?.length).toBe(10);
    const quiet = worldOf('origin-access-missing-geo-unverifiable').clients;
    expect((await quiet.cloudwatch.send(q('4xxErrorRate'))).MetricDataResults?.[0]?.Values).toEqual([]);
  });
});

describe('KMS keys are regional', () => {
  it('finds a key only in its own region, by ARN, id or alias', async () => {
    const { clients } = worldOf('kms-access-denied-eu-west-1-alias-in-two-regions');
    const eu = await clients.kmsIn?.('eu-west-1');
    if (!eu) throw new Error('no regional client');
    const arn = 'arn:aws:kms:eu-west-1:111122223333:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    expect((await eu.send(new DescribeKeyCommand({ KeyId: 'alias/site-content' }))).KeyMetadata?.Arn).toBe(
      arn,
    );
    expect(
      (await eu.send(new DescribeKeyCommand({ KeyId: '1234abcd-12ab-34cd-56ef-1234567890ab' }))).KeyMetadata
        ?.Arn,
    ).toBe(arn);
    // the same alias in us-east-1 is another key; the eu key does not exist there
    expect(
      (await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/site-content' }))).KeyMetadata?.Arn,
    ).toMatch(/:us-east-1:.*9999abcd/);
    const err = await rejection(
      clients.kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' })),
    );
    expect(err.name).toBe('NotFoundException');
  });

  it('reports aws/s3 as an AWS managed key whose policy cannot be changed', async () => {
    const { clients } = worldOf('kms-access-denied-aws-managed-key');
    const meta = (await clients.kms.send(new DescribeKeyCommand({ KeyId: 'alias/aws/s3' }))).KeyMetadata;
    expect(meta?.KeyManager).toBe('AWS');
    const policy = (
      await clients.kms.send(new GetKeyPolicyCommand({ KeyId: meta?.Arn, PolicyName: 'default' }))
    ).Policy;
    const err = await rejection(
      clients.kms.send(new PutKeyPolicyCommand({ KeyId: meta?.Arn, PolicyName: 'default', Policy: policy })),
    );
    expect(err.name).toBe('AccessDeniedException');
  });
});

describe('GetSampledRequests', () => {
  const ask = (acl: string, startMsAgo: number) =>
    new GetSampledRequestsCommand({
      WebAclArn: acl,
      RuleMetricName: 'bot-control',
      Scope: 'CLOUDFRONT',
      TimeWindow: {
        StartTime: new Date(Date.UTC(2026, 10, 28) - startMsAgo),
        EndTime: new Date(Date.UTC(2026, 10, 28)),
      },
      MaxItems: 100,
    });

  it('covers at most the last three hours, and refuses a window that starts in the future', async () => {
    const { world, clients } = worldOf('bucket-policy-grant-missing-waf-bot-control');
    const acl = world.state.webAcls[0]?.ARN ?? '';
    const clamped = await clients.wafv2.send(ask(acl, 5 * 3_600_000));
    expect(clamped.TimeWindow?.StartTime?.toISOString()).toBe('2026-11-27T21:00:00.000Z');
    const asked = await clients.wafv2.send(ask(acl, SAMPLE_WINDOW_MS));
    expect(asked.TimeWindow?.StartTime?.getTime()).toBe(Date.UTC(2026, 10, 28) - SAMPLE_WINDOW_MS);
    expect(SAMPLE_WINDOW_MS).toBeLessThan(3 * 3_600_000);
    expect((await rejection(clients.wafv2.send(ask(acl, -60_000)))).name).toBe(
      'WAFInvalidParameterException',
    );
  });
});

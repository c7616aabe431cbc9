// Where the failing viewer requests come from: the distribution's access logs, read newest first for the last
// hours, wherever they are delivered: standard logging (legacy) to the `Logging` bucket, and standard logging
// (v2) deliveries (CloudWatch Logs delivery sources of the distribution) to S3 or to a CloudWatch Logs log
// group. Every list call pages to the end. Logs usually arrive within an hour and may be 24 hours late
// (CloudFront standard logging reference, "Timing of log file delivery"): they are evidence for the
// diagnosis, never for the verification.
import { gunzipSync } from 'node:zlib';
import {
  type CloudWatchLogsClient,
  type Delivery,
  DescribeDeliveriesCommand,
  DescribeDeliverySourcesCommand,
  FilterLogEventsCommand,
  GetDeliveryDestinationCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import {
  failingRequests,
  hourStamp,
  hoursBack,
  type LogRecord,
  parseLogText,
  STANDARD_LOG_FIELDS,
  v2HourPrefix,
} from '../domain/access-log.ts';
import type { AccessLogSummary, DistributionEvidence, ViewerRequest } from '../domain/types.ts';
import { awsCall, errorCode } from './aws-call.ts';
import { makeClient } from './clients.ts';

export interface LogRead {
  requests: ViewerRequest[];
  summary?: AccessLogSummary;
}

export interface RequestLog {
  failingRequests(dist: DistributionEvidence): Promise<ViewerRequest[]>;
  /** The failing requests and which logs they were read from; `now` ends the window read. */
  read?(dist: DistributionEvidence, now: Date): Promise<LogRead>;
}

export interface AccessLogOptions {
  /** how far back to read (default 6 hours: logs usually arrive within the hour of the requests) */
  hours?: number;
  /** files read per destination at most, newest first (default 40) */
  maxFiles?: number;
  /** the CloudWatch Logs client for v2 deliveries (us-east-1); default: a real client, made on first use */
  logs?: () => Promise<CloudWatchLogsClient>;
}

const NOTE =
  'Access logs usually arrive within an hour of the requests and may be up to 24 hours late: they inform the diagnosis, never the verification.';

/** Parses CloudFront standard (W3C) log lines and keeps the distinct 403s (url, method, client address). */
export function parseStandardLog(text: string): ViewerRequest[] {
  const seen = new Set<string>();
  const out: ViewerRequest[] = [];
  for (const r of parseLogText(text, 'standard-log')) {
    if (r.logged.status !== 403) continue;
    const key = `${r.request.method} ${r.request.url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ url: r.request.url, method: r.request.method, clientIp: r.request.clientIp });
  }
  return out;
}

function bucketOfDomain(domain: string): string {
  return domain.replace(/\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/, '');
}

function bucketOfArn(arn: string): { bucket: string; prefix: string } {
  const rest = arn.replace(/^arn:aws[a-z-]*:s3:::/, '');
  const slash = rest.indexOf('/');
  if (slash < 0) return { bucket: rest, prefix: '' };
  const prefix = rest.slice(slash + 1);
  return {
    bucket: rest.slice(0, slash),
    prefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
  };
}

interface Listed {
  key: string;
  at: number;
}

interface SourceRead {
  line: string;
  records: LogRecord[];
}

/** Standard logging (legacy and v2), read newest first. */
export class StandardLogRequestLog implements RequestLog {
  private readonly hours: number;
  private readonly maxFiles: number;
  private readonly logsClient: () => Promise<CloudWatchLogsClient>;

  constructor(
    private readonly s3: S3Client,
    options: AccessLogOptions = {},
  ) {
    this.hours = options.hours ?? 6;
    this.maxFiles = options.maxFiles ?? 40;
    let made: Promise<CloudWatchLogsClient> | undefined;
    this.logsClient = options.logs ?? (() => (made ??= makeClient('logs', 'us-east-1')));
  }

  async failingRequests(dist: DistributionEvidence): Promise<ViewerRequest[]> {
    return (await this.read(dist, new Date())).requests;
  }

  async read(dist: DistributionEvidence, now: Date): Promise<LogRead> {
    const from = new Date(now.getTime() - this.hours * 3_600_000);
    const read: string[] = [];
    const unreadable: string[] = [];
    const records: LogRecord[] = [];
    const attempt = async (what: string, fn: () => Promise<SourceRead | SourceRead[]>) => {
      try {
        const got = await fn();
        for (const s of Array.isArray(got) ? got : [got]) {
          read.push(s.line);
          records.push(...s.records);
        }
      } catch (err) {
        unreadable.push(
          `${what}: ${errorCode((err as { cause?: unknown })?.cause ?? err)}: ${(err as Error)?.message ?? String(err)}`,
        );
      }
    };
    const logging = dist.DistributionConfig.Logging;
    if (logging?.Enabled && logging.Bucket) {
      const bucket = bucketOfDomain(logging.Bucket);
      const prefix = logging.Prefix ?? '';
      await attempt(`standard-log s3://${bucket}/${prefix}`, () =>
        this.legacy(dist, bucket, prefix, from, now),
      );
    }
    await attempt('standard-log-v2 deliveries', () => this.v2(dist, from, now));
    const found = failingRequests(
      records.filter((r) => r.at === 0 || (r.at >= from.getTime() && r.at <= now.getTime())),
    );
    const summary: AccessLogSummary = {
      read,
      unreadable,
      failing: found.length,
      from: from.toISOString(),
      to: now.toISOString(),
      note: NOTE,
    };
    return { requests: found.length > 0 ? found : defaultRequests(dist), summary };
  }

  /** Keys under a prefix, every page (S3 answers 1,000 keys at most per page, oldest names first). */
  private async list(bucket: string, prefix: string): Promise<Listed[]> {
    const out: Listed[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall(`ListObjectsV2 s3://${bucket}/${prefix}`, () =>
        this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })),
      );
      for (const o of page.Contents ?? [])
        if (o.Key) out.push({ key: o.Key, at: o.LastModified?.getTime() ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  private async text(bucket: string, key: string): Promise<string> {
    const got = await awsCall(`GetObject s3://${bucket}/${key}`, () =>
      this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key })),
    );
    const bytes = (await got.Body?.transformToByteArray()) ?? new Uint8Array();
    return key.endsWith('.gz') || (bytes[0] === 0x1f && bytes[1] === 0x8b)
      ? gunzipSync(bytes).toString('utf-8')
      : Buffer.from(bytes).toString('utf-8');
  }

  /** Lists each hour's dated prefix, newest hour first, and reads the newest files up to maxFiles. */
  private async readHours(
    bucket: string,
    hourPrefix: (hourMs: number) => { prefix: string; nameFilter: string },
    from: Date,
    now: Date,
    parse: (text: string, key: string) => LogRecord[],
  ): Promise<{ listed: number; files: Listed[]; records: LogRecord[] }> {
    let listed = 0;
    const files: Listed[] = [];
    const records: LogRecord[] = [];
    const listedPrefixes = new Map<string, Listed[]>();
    for (const hour of hoursBack(from, now)) {
      if (files.length >= this.maxFiles) break;
      const { prefix, nameFilter } = hourPrefix(hour);
      let keys = listedPrefixes.get(prefix);
      if (keys === undefined) {
        keys = await this.list(bucket, prefix);
        listedPrefixes.set(prefix, keys);
        listed += keys.length;
      }
      const hourFiles = keys
        .filter((k) => k.key.slice(k.key.lastIndexOf('/') + 1).includes(nameFilter))
        .sort((a, b) => b.at - a.at || b.key.localeCompare(a.key))
        .slice(0, this.maxFiles - files.length);
      for (const f of hourFiles) {
        files.push(f);
        records.push(...parse(await this.text(bucket, f.key), f.key));
      }
    }
    return { listed, files, records };
  }

  private describe(
    kind: string,
    where: string,
    r: { listed: number; files: Listed[]; records: LogRecord[] },
  ): string {
    const newest = r.records.reduce((m, x) => Math.max(m, x.at), 0);
    return `${kind} ${where}: ${r.listed} file(s) listed under dated prefixes, ${r.files.length} read newest first, ${r.records.filter((x) => x.logged.status === 403).length} 403 record(s)${newest > 0 ? `, newest record ${new Date(newest).toISOString()}` : ''}`;
  }

  private async legacy(
    dist: DistributionEvidence,
    bucket: string,
    prefix: string,
    from: Date,
    now: Date,
  ): Promise<SourceRead> {
    const r = await this.readHours(
      bucket,
      (hour) => {
        const name = `${dist.Id}.${hourStamp(hour)}.`;
        return { prefix: `${prefix}${name}`, nameFilter: name };
      },
      from,
      now,
      (text, key) => parseLogText(text, `standard-log s3://${bucket}/${key}`),
    );
    return { line: this.describe('standard-log', `s3://${bucket}/${prefix}`, r), records: r.records };
  }

  /** Standard logging (v2): the distribution's delivery sources, their deliveries and destinations. */
  private async v2(dist: DistributionEvidence, from: Date, now: Date): Promise<SourceRead[]> {
    const logs = await this.logsClient();
    const sources: string[] = [];
    let token: string | undefined;
    do {
      const page = await awsCall('DescribeDeliverySources', () =>
        logs.send(new DescribeDeliverySourcesCommand({ nextToken: token })),
      );
      for (const s of page.deliverySources ?? [])
        if (s.name && (s.resourceArns ?? []).includes(dist.ARN)) sources.push(s.name);
      token = page.nextToken;
    } while (token);
    if (sources.length === 0) return [];
    const deliveries: Delivery[] = [];
    token = undefined;
    do {
      const page = await awsCall('DescribeDeliveries', () =>
        logs.send(new DescribeDeliveriesCommand({ nextToken: token })),
      );
      for (const d of page.deliveries ?? [])
        if (d.deliverySourceName && sources.includes(d.deliverySourceName)) deliveries.push(d);
      token = page.nextToken;
    } while (token);
    const out: SourceRead[] = [];
    for (const delivery of deliveries) {
      const name = /:delivery-destination:(.+)$/.exec(delivery.deliveryDestinationArn ?? '')?.[1] ?? '';
      const got = await awsCall(`GetDeliveryDestination ${name}`, () =>
        logs.send(new GetDeliveryDestinationCommand({ name })),
      );
      const destination = got.deliveryDestination;
      const target = destination?.deliveryDestinationConfiguration?.destinationResourceArn ?? '';
      const format = destination?.outputFormat ?? (target.includes(':s3:::') ? 'w3c' : 'json');
      const fields = delivery.recordFields?.length ? delivery.recordFields : [...STANDARD_LOG_FIELDS];
      if (format === 'parquet') {
        out.push({
          line: `standard-log-v2 ${target}: parquet output is not read here (choose w3c, plain or json)`,
          records: [],
        });
        continue;
      }
      if (target.includes(':s3:::')) out.push(await this.v2S3(dist, target, delivery, fields, from, now));
      else if (target.includes(':log-group:'))
        out.push(await this.v2Logs(logs, target, delivery, fields, from, now));
      else
        out.push({
          line: `standard-log-v2 ${target}: not a destination that can be read back (Firehose)`,
          records: [],
        });
    }
    return out;
  }

  private async v2S3(
    dist: DistributionEvidence,
    target: string,
    delivery: Delivery,
    fields: readonly string[],
    from: Date,
    now: Date,
  ): Promise<SourceRead> {
    const { bucket, prefix } = bucketOfArn(target);
    const account = dist.ARN.split(':')[4] ?? '';
    const r = await this.readHours(
      bucket,
      (hour) =>
        v2HourPrefix({
          basePrefix: prefix,
          suffixPath: delivery.s3DeliveryConfiguration?.suffixPath,
          hive: delivery.s3DeliveryConfiguration?.enableHiveCompatiblePath === true,
          distributionId: dist.Id,
          account,
          hourMs: hour,
        }),
      from,
      now,
      (text, key) =>
        parseLogText(text, `standard-log-v2 s3://${bucket}/${key}`, fields, delivery.fieldDelimiter),
    );
    return { line: this.describe('standard-log-v2', `s3://${bucket}/${prefix}`, r), records: r.records };
  }

  /** FilterLogEvents hour by hour, newest hour first, every page of each. */
  private async v2Logs(
    logs: CloudWatchLogsClient,
    target: string,
    delivery: Delivery,
    fields: readonly string[],
    from: Date,
    now: Date,
  ): Promise<SourceRead> {
    const group = /:log-group:([^:]+)/.exec(target)?.[1] ?? target;
    const records: LogRecord[] = [];
    let events = 0;
    for (const hour of hoursBack(from, now)) {
      let token: string | undefined;
      do {
        const page = await awsCall(`FilterLogEvents ${group}`, () =>
          logs.send(
            new FilterLogEventsCommand({
              logGroupIdentifier: group,
              startTime: Math.max(hour, from.getTime()),
              endTime: Math.min(hour + 3_599_999, now.getTime()),
              nextToken: token,
            }),
          ),
        );
        for (const e of page.events ?? []) {
          events++;
          records.push(
            ...parseLogText(
              e.message ?? '',
              `standard-log-v2 cloudwatch-logs ${group}`,
              fields,
              delivery.fieldDelimiter,
            ),
          );
        }
        token = page.nextToken;
      } while (token);
    }
    const failing = records.filter((r) => r.logged.status === 403).length;
    return {
      line: `standard-log-v2 cloudwatch-logs ${group}: ${events} event(s) read hour by hour, newest first, ${failing} 403 record(s)`,
      records,
    };
  }
}

/** Without logs: the site root and the default root object are what every viewer asks for first. */
export function defaultRequests(dist: DistributionEvidence): ViewerRequest[] {
  const base = `https://${dist.DomainName}`;
  const root = dist.DistributionConfig.DefaultRootObject;
  return [{ url: `${base}/`, method: 'GET' }, ...(root ? [{ url: `${base}/${root}`, method: 'GET' }] : [])];
}

/** Fixed URLs given by an operator (`cf403 diagnose --url`). */
export class StaticRequestLog implements RequestLog {
  constructor(private readonly requests: ViewerRequest[]) {}

  async failingRequests(): Promise<ViewerRequest[]> {
    return this.requests;
  }
}

// The distribution's access logs, written where the account's logging configuration delivers them (issue 10):
// standard logging (legacy) to `DistributionConfig.Logging`'s bucket, and standard logging (v2) deliveries to
// S3 or CloudWatch Logs. Records are the scenario's `requests` (and `logs.history`, `logs.filler`), each with the
// response the edge model gives that viewer when the simulation starts. Files appear only once delivered.
//
// Formats and names (CloudFront Developer Guide): legacy files are
// `<prefix><distribution ID>.<YYYY-MM-DD-HH>.<unique ID>.gz`, W3C with a `#Fields:` line and the 33 fields of
// the standard logging reference, in that order; v2 adds output formats (w3c, plain, json, parquet), record
// field selection and, for S3, a suffix path with `{DistributionId}`, `{yyyy}`, `{MM}`, `{dd}`, `{HH}`,
// `{accountid}` (CloudWatch Logs API S3DeliveryConfiguration.suffixPath). Delivery: "usually within an hour
// ... sometimes delayed by up to 24 hours", filed under the hour the requests occurred in (standard logging
// reference, "Timing of log file delivery").
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { Delivery, DeliveryDestination } from '@aws-sdk/client-cloudwatch-logs';
import type { LoggedResponse, ViewerRequest } from '../../functions/domain/types.ts';
import { respond } from '../edge/index.ts';
import { logRecordOf } from '../edge/log-record.ts';
import type { Scenario, ScenarioDistribution } from '../scenario/types.ts';
import type { World } from './world.ts';

/** The legacy standard log fields, in file order (standard logging reference, "Log file fields"). */
export const STANDARD_FIELDS = [
  'date',
  'time',
  'x-edge-location',
  'sc-bytes',
  'c-ip',
  'cs-method',
  'cs(Host)',
  'cs-uri-stem',
  'sc-status',
  'cs(Referer)',
  'cs(User-Agent)',
  'cs-uri-query',
  'cs(Cookie)',
  'x-edge-result-type',
  'x-edge-request-id',
  'x-host-header',
  'cs-protocol',
  'cs-bytes',
  'time-taken',
  'x-forwarded-for',
  'ssl-protocol',
  'ssl-cipher',
  'x-edge-response-result-type',
  'cs-protocol-version',
  'fle-status',
  'fle-encrypted-fields',
  'c-port',
  'time-to-first-byte',
  'x-edge-detailed-result-type',
  'sc-content-type',
  'sc-content-len',
  'sc-range-start',
  'sc-range-end',
] as const;

/** Where the simulation puts v2 logs in S3 when a delivery names no suffix path (an assumption of the simulator). */
export const DEFAULT_V2_SUFFIX = 'AWSLogs/{accountid}/CloudFront/';

/** A delivered log file: gzipped on first read (a busy scenario writes thousands; the workflow reads a few). */
export class LogObject {
  private gzipped: Uint8Array | undefined;

  constructor(
    private readonly text: string,
    /** simulated epoch ms at which CloudFront delivers it (LastModified) */
    readonly deliveredAt: number,
  ) {}

  get body(): Uint8Array {
    this.gzipped ??= new Uint8Array(gzipSync(this.text));
    return this.gzipped;
  }

  /** bytes of the file as stored (gzipped): listings show it, so only listed files are compressed */
  get size(): number {
    return this.body.length;
  }

  /** opaque, as ETags are to clients; the same in listings and GetObject */
  get etag(): string {
    return `"${createHash('md5').update(this.text).digest('hex')}"`;
  }
}

export interface LogEvent {
  timestamp: number;
  ingestionTime: number;
  message: string;
  logStreamName: string;
}

interface Rec {
  at: number;
  /** records of one file: a 5-minute window of viewer traffic, or one filler file */
  file: string;
  request: ViewerRequest;
  logged: LoggedResponse;
  distribution: ScenarioDistribution;
}

type Row = Record<string, string>;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

function hourStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}`;
}

function row(rec: Rec, account: string): Row {
  const url = new URL(rec.request.url);
  const d = new Date(rec.at);
  const headers = Object.fromEntries(
    Object.entries(rec.request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const dash = (v: string | undefined) => (v === undefined || v === '' ? '-' : v);
  // an opaque, reproducible request id (x-edge-request-id)
  const id = Buffer.from(`${rec.at}:${rec.request.clientIp ?? ''}:${rec.request.url}`).toString('base64');
  return {
    date: `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`,
    time: `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`,
    timestamp: (rec.at / 1000).toFixed(3),
    'x-edge-location': dash(rec.logged.edgeLocation),
    'sc-bytes': '512',
    'c-ip': dash(rec.request.clientIp),
    'c-country': dash(rec.request.country),
    'cs-method': rec.request.method,
    'cs(Host)': rec.distribution.DomainName,
    'cs-host': rec.distribution.DomainName,
    'cs-uri-stem': url.pathname,
    'sc-status': String(rec.logged.status),
    'cs(Referer)': dash(headers.referer),
    // the User-Agent is URL-encoded in the log (standard logging reference: cs(User-Agent))
    'cs(User-Agent)': dash(
      headers['user-agent'] === undefined ? undefined : encodeURI(headers['user-agent']),
    ),
    'cs-user-agent': dash(headers['user-agent'] === undefined ? undefined : encodeURI(headers['user-agent'])),
    'cs-uri-query': dash(url.search.replace(/^\?/, '')),
    'cs(Cookie)': '-',
    'x-edge-result-type': dash(rec.logged.edgeResultType),
    'x-edge-request-id': id.slice(0, 56),
    'x-host-header': url.host,
    'cs-protocol': url.protocol.replace(/:$/, ''),
    'cs-bytes': '120',
    'time-taken': '0.002',
    'x-forwarded-for': '-',
    'ssl-protocol': url.protocol === 'https:' ? 'TLSv1.3' : '-',
    'ssl-cipher': url.protocol === 'https:' ? 'TLS_AES_128_GCM_SHA256' : '-',
    'x-edge-response-result-type': dash(rec.logged.edgeResultType),
    'cs-protocol-version': 'HTTP/2.0',
    'fle-status': '-',
    'fle-encrypted-fields': '-',
    'c-port': '443',
    'time-to-first-byte': '0.002',
    'x-edge-detailed-result-type': dash(rec.logged.edgeDetailedResultType),
    'sc-content-type': dash(rec.logged.contentType),
    'sc-content-len': '-',
    'sc-range-start': '-',
    'sc-range-end': '-',
    'x-account': account,
  };
}

function render(rows: readonly Row[], fields: readonly string[], format: string, delimiter: string): string {
  if (format === 'json') {
    return rows
      .map((r) => JSON.stringify(Object.fromEntries(fields.map((f) => [f, r[f] ?? '-']))))
      .join('\n');
  }
  const lines = rows.map((r) => fields.map((f) => r[f] ?? '-').join(delimiter));
  if (format === 'w3c') return ['#Version: 1.0', `#Fields: ${fields.join(' ')}`, ...lines, ''].join('\n');
  return [...lines, ''].join('\n');
}

function resolveSuffix(suffix: string, dist: ScenarioDistribution, account: string, ms: number): string {
  const d = new Date(ms);
  return suffix
    .replaceAll('{DistributionId}', dist.Id)
    .replaceAll('{distributionid}', dist.Id)
    .replaceAll('{accountid}', account)
    .replaceAll('{account-id}', account)
    .replaceAll('{yyyy}', String(d.getUTCFullYear()))
    .replaceAll('{MM}', pad(d.getUTCMonth() + 1))
    .replaceAll('{dd}', pad(d.getUTCDate()))
    .replaceAll('{HH}', pad(d.getUTCHours()));
}

/** Hive-compatible paths name each partition `key=value` (the simulation's rendering of it). */
function hivePath(dist: ScenarioDistribution, account: string, ms: number): string {
  const d = new Date(ms);
  return `AWSLogs/aws-account-id=${account}/CloudFront/DistributionId=${dist.Id}/year=${d.getUTCFullYear()}/month=${pad(d.getUTCMonth() + 1)}/day=${pad(d.getUTCDate())}/hour=${pad(d.getUTCHours())}/`;
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

/** `name.s3.amazonaws.com` / `name.s3.REGION.amazonaws.com` → name (the form Logging.Bucket takes). */
export function bucketOfLoggingDomain(domain: string): string {
  return domain.replace(/\.s3([.-][a-z0-9-]+)?\.amazonaws\.com(\.cn)?$/, '');
}

export class AccessLogStore {
  /** bucket → key → object, every file ever delivered or to be delivered */
  private readonly objects = new Map<string, Map<string, LogObject>>();
  /** log group name → events */
  private readonly groups = new Map<string, LogEvent[]>();
  private readonly sortedKeys = new Map<string, string[]>();

  /** `sc`: the scenario the world was loaded from (the world's current state answers the edge model) */
  constructor(
    private readonly world: World,
    private readonly sc: Scenario,
  ) {
    const records = this.records(sc);
    for (const dist of sc.cloudfront.distributions) {
      const mine = records.filter((r) => r.distribution.Id === dist.Id);
      if (mine.length === 0) continue;
      this.writeLegacy(dist, mine);
      for (const { delivery, destination } of this.deliveriesOf(sc, dist))
        this.writeV2(dist, mine, delivery, destination);
    }
    for (const [bucket, objects] of this.objects)
      this.sortedKeys.set(bucket, [...objects.keys()].sort(byteOrder));
  }

  /** True when the bucket holds access logs (it may be no scenario bucket of its own). */
  hasBucket(bucket: string): boolean {
    return this.objects.has(bucket);
  }

  /** Keys under `prefix` of files delivered by `now`, in S3's (UTF-8 binary) listing order. */
  keys(bucket: string, prefix: string, now: number): { key: string; object: LogObject }[] {
    const objects = this.objects.get(bucket);
    const sorted = this.sortedKeys.get(bucket) ?? [];
    if (objects === undefined) return [];
    // keys are ASCII, where string order is byte order: start at the prefix, stop past it
    let lo = 0;
    let hi = sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((sorted[mid] ?? '') < prefix) lo = mid + 1;
      else hi = mid;
    }
    const out: { key: string; object: LogObject }[] = [];
    for (let i = lo; i < sorted.length; i++) {
      const key = sorted[i] ?? '';
      if (!key.startsWith(prefix)) break;
      const object = objects.get(key);
      if (object !== undefined && object.deliveredAt <= now) out.push({ key, object });
    }
    return out;
  }

  object(bucket: string, key: string, now: number): LogObject | undefined {
    const object = this.objects.get(bucket)?.get(key);
    return object !== undefined && object.deliveredAt <= now ? object : undefined;
  }

  hasLogGroup(name: string): boolean {
    return this.groups.has(name);
  }

  /** Events ingested by `now`, oldest first. */
  events(group: string, now: number): LogEvent[] {
    return (this.groups.get(group) ?? []).filter((e) => e.ingestionTime <= now);
  }

  private get delayMs(): number {
    return (this.sc.logs?.deliveryDelaySeconds ?? 600) * 1000;
  }

  private records(sc: Scenario): Rec[] {
    const start = this.world.now();
    const logs = sc.logs ?? {};
    const byDomain = (url: string) => {
      let host = '';
      try {
        host = new URL(url).hostname.toLowerCase();
      } catch {
        host = '';
      }
      return (
        sc.cloudfront.distributions.find(
          (d) =>
            d.DomainName.toLowerCase() === host ||
            (d.DistributionConfig.Aliases?.Items ?? []).some((a) => a.toLowerCase() === host),
        ) ?? sc.cloudfront.distributions[0]
      );
    };
    const answer = (r: ViewerRequest): LoggedResponse => {
      const country = r.country ?? 'US';
      const res = respond(this.world.edge, {
        url: r.url,
        method: r.method,
        headers: r.headers,
        country,
        clientIp: r.clientIp ?? '198.51.100.1',
      });
      return logRecordOf(res, country);
    };
    const out: Rec[] = [];
    // viewer traffic goes to one file per 5 minutes: CloudFront delivers "up to several times an hour"
    const window = (at: number) => `window-${Math.floor(at / 300_000)}`;
    const requestsAgo = (logs.requestsSecondsAgo ?? 1200) * 1000;
    sc.requests.forEach((r, i) => {
      const distribution = byDomain(r.url);
      // a second apart, so each viewer's record has its own time
      if (distribution)
        out.push({
          at: start - requestsAgo + i * 1000,
          file: window(start - requestsAgo),
          request: r,
          logged: answer(r),
          distribution,
        });
    });
    for (const h of logs.history ?? []) {
      const { secondsAgo, status, ...request } = h;
      const distribution = byDomain(request.url);
      if (!distribution) continue;
      const logged = answer(request);
      out.push({
        at: start - secondsAgo * 1000,
        file: window(start - secondsAgo * 1000),
        request,
        logged:
          status === undefined
            ? logged
            : { ...logged, status, edgeResultType: status >= 400 ? 'Error' : 'Hit' },
        distribution,
      });
    }
    const filler = logs.filler;
    const first = sc.cloudfront.distributions[0];
    if (filler && first) {
      const span = filler.hours * 3_600_000;
      for (let f = 0; f < filler.files; f++) {
        const at = start - span + Math.floor(((f + 0.5) * span) / filler.files);
        for (let k = 0; k < (filler.recordsPerFile ?? 2); k++) {
          out.push({
            at: at + k,
            file: `filler-${f}`,
            request: {
              url: `https://${first.DomainName}/assets/chunk-${f % 97}-${k}.js`,
              method: 'GET',
              clientIp: `198.18.${(f >> 8) & 255}.${f & 255}`,
              country: 'US',
              headers: {
                'user-agent':
                  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
              },
            },
            logged: {
              status: 200,
              edgeLocation: 'IAD89-P1',
              edgeResultType: 'Hit',
              edgeDetailedResultType: 'Hit',
              contentType: 'application/javascript',
            },
            distribution: first,
          });
        }
      }
    }
    return out.sort((a, b) => a.at - b.at);
  }

  /** Records grouped as CloudFront writes them, several files an hour: each file's records, oldest first. */
  private batches(records: readonly Rec[]): Rec[][] {
    const groups = new Map<string, Rec[]>();
    for (const r of records) {
      const group = groups.get(r.file);
      if (group) group.push(r);
      else groups.set(r.file, [r]);
    }
    return [...groups.values()];
  }

  private put(bucket: string, key: string, text: string, deliveredAt: number): void {
    const objects = this.objects.get(bucket) ?? new Map<string, LogObject>();
    objects.set(key, new LogObject(text, deliveredAt));
    this.objects.set(bucket, objects);
  }

  private fileName(dist: ScenarioDistribution, batch: readonly Rec[]): string {
    const at = batch[0]?.at ?? 0;
    const unique = createHash('sha256').update(`${dist.Id}:${at}:${batch.length}`).digest('hex').slice(0, 8);
    return `${dist.Id}.${hourStamp(at)}.${unique}.gz`;
  }

  private writeLegacy(dist: ScenarioDistribution, records: readonly Rec[]): void {
    const logging = dist.DistributionConfig.Logging;
    if (!logging?.Enabled || !logging.Bucket) return;
    const bucket = bucketOfLoggingDomain(logging.Bucket);
    const account = this.world.account;
    for (const batch of this.batches(records)) {
      const text = render(
        batch.map((r) => row(r, account)),
        STANDARD_FIELDS,
        'w3c',
        '\t',
      );
      const last = batch[batch.length - 1]?.at ?? 0;
      this.put(bucket, `${logging.Prefix ?? ''}${this.fileName(dist, batch)}`, text, last + this.delayMs);
    }
  }

  private deliveriesOf(
    sc: Scenario,
    dist: ScenarioDistribution,
  ): { delivery: Delivery; destination: DeliveryDestination }[] {
    const cwl = sc.cloudwatchLogs;
    const sources = (cwl?.deliverySources ?? []).filter((s) => (s.resourceArns ?? []).includes(dist.ARN));
    const out: { delivery: Delivery; destination: DeliveryDestination }[] = [];
    for (const source of sources) {
      for (const delivery of (cwl?.deliveries ?? []).filter((d) => d.deliverySourceName === source.name)) {
        const destination = (cwl?.deliveryDestinations ?? []).find(
          (d) => d.arn === delivery.deliveryDestinationArn,
        );
        if (destination) out.push({ delivery, destination });
      }
    }
    return out;
  }

  private writeV2(
    dist: ScenarioDistribution,
    records: readonly Rec[],
    delivery: Delivery,
    destination: DeliveryDestination,
  ): void {
    const target = destination.deliveryDestinationConfiguration?.destinationResourceArn ?? '';
    const fields = delivery.recordFields?.length ? delivery.recordFields : [...STANDARD_FIELDS];
    const account = this.world.account;
    if (target.includes(':s3:::')) {
      const format = destination.outputFormat ?? 'w3c';
      const { bucket, prefix } = bucketOfArn(target);
      const s3 = delivery.s3DeliveryConfiguration;
      for (const batch of this.batches(records)) {
        const at = batch[0]?.at ?? 0;
        const dir = s3?.enableHiveCompatiblePath
          ? hivePath(dist, account, at)
          : resolveSuffix(s3?.suffixPath ?? DEFAULT_V2_SUFFIX, dist, account, at);
        const folder = dir === '' || dir.endsWith('/') ? dir : `${dir}/`;
        const text =
          format === 'parquet'
            ? 'PAR1 (columnar data the simulator does not render)'
            : render(
                batch.map((r) => row(r, account)),
                fields,
                format,
                delivery.fieldDelimiter ?? '\t',
              );
        const last = batch[batch.length - 1]?.at ?? 0;
        this.put(bucket, `${prefix}${folder}${this.fileName(dist, batch)}`, text, last + this.delayMs);
      }
      return;
    }
    const group = /:log-group:([^:]+)/.exec(target)?.[1];
    if (group === undefined) return;
    const format = destination.outputFormat ?? 'json';
    const events = this.groups.get(group) ?? [];
    for (const r of records) {
      const message = render(
        [row(r, account)],
        fields,
        format === 'w3c' ? 'plain' : format,
        delivery.fieldDelimiter ?? ' ',
      ).trim();
      events.push({
        timestamp: r.at,
        ingestionTime: r.at + this.delayMs,
        message,
        logStreamName: `CloudFront_${dist.Id}`,
      });
    }
    this.groups.set(
      group,
      events.sort((a, b) => a.timestamp - b.timestamp),
    );
  }
}

/** S3 lists keys in UTF-8 binary order. */
function byteOrder(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

// Reading CloudFront access-log records (pure): the formats of standard logging (legacy: W3C with a `#Fields:`
// line) and standard logging (v2: w3c, plain, json), and where a given hour's files are. Field names and
// meanings: CloudFront Developer Guide, standard logging reference, "Log file fields"; v2 may also carry
// real-time log fields such as `c-country`. Legacy file names are
// `<prefix><distribution ID>.<YYYY-MM-DD-HH>.<unique ID>.gz`, filed under the hour the requests occurred in
// (standard logging reference, "Timing of log file delivery"); S3 lists keys in ascending order, so the hour's
// dated prefix, not the whole prefix, finds the newest files of a busy distribution.
import type { LoggedResponse, ViewerRequest } from './types.ts';

/** The legacy standard log fields, in file order: a v2 `plain` record without field selection has them too. */
export const STANDARD_LOG_FIELDS = [
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

/** One access-log record, as a viewer request with what the log shows of the response. */
export interface LogRecord {
  request: ViewerRequest;
  logged: LoggedResponse;
  /** epoch ms of the record, 0 when the record has no time */
  at: number;
}

type Fields = Record<string, string>;

function value(f: Fields, ...names: string[]): string | undefined {
  for (const n of names) {
    const v = f[n];
    if (v !== undefined && v !== '' && v !== '-') return v;
  }
  return undefined;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A record from its named fields, or undefined when it lacks what a request needs. */
export function recordOf(f: Fields, source: string): LogRecord | undefined {
  const status = Number(value(f, 'sc-status'));
  const host = value(f, 'x-host-header', 'cs(Host)', 'cs-host');
  const stem = value(f, 'cs-uri-stem');
  if (!Number.isInteger(status) || host === undefined || stem === undefined) return undefined;
  const query = value(f, 'cs-uri-query');
  const protocol = value(f, 'cs-protocol') ?? 'https';
  const ua = value(f, 'cs(User-Agent)', 'cs-user-agent');
  const date = value(f, 'date');
  const time = value(f, 'time');
  const stamp = value(f, 'timestamp', 'timestamp(ms)');
  const at = stamp
    ? Number(stamp) * (stamp.includes('.') || Number(stamp) < 1e11 ? 1000 : 1)
    : date && time
      ? Date.parse(`${date}T${time}Z`)
      : 0;
  const clientIp = value(f, 'c-ip');
  const country = value(f, 'c-country');
  const request: ViewerRequest = {
    url: `${protocol}://${host}${stem}${query ? `?${query}` : ''}`,
    method: value(f, 'cs-method') ?? 'GET',
    ...(clientIp ? { clientIp } : {}),
    ...(country ? { country: country.toUpperCase() } : {}),
    ...(ua ? { headers: { 'user-agent': decode(ua) } } : {}),
  };
  const edgeLocation = value(f, 'x-edge-location');
  const edgeResultType = value(f, 'x-edge-result-type');
  const edgeDetailedResultType = value(f, 'x-edge-detailed-result-type');
  const contentType = value(f, 'sc-content-type');
  const logged: LoggedResponse = {
    status,
    ...(Number.isFinite(at) && at > 0 ? { time: new Date(at).toISOString() } : {}),
    ...(edgeLocation ? { edgeLocation } : {}),
    ...(edgeResultType ? { edgeResultType } : {}),
    ...(edgeDetailedResultType ? { edgeDetailedResultType } : {}),
    ...(contentType ? { contentType } : {}),
    source,
  };
  return { request, logged, at: Number.isFinite(at) ? at : 0 };
}

/**
 * Parses a log file or log events in any format standard logging writes: W3C (a `#Fields:` line names the
 * columns), JSON lines, or plain records whose columns are `fields` (the delivery's record fields).
 */
export function parseLogText(
  text: string,
  source: string,
  fields: readonly string[] = STANDARD_LOG_FIELDS,
  delimiter?: string,
): LogRecord[] {
  let columns: readonly string[] = fields;
  const out: LogRecord[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (line.startsWith('#Fields:')) {
      columns = line.slice('#Fields:'.length).trim().split(/\s+/);
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) continue;
    let named: Fields;
    if (line.startsWith('{')) {
      try {
        const obj = JSON.parse(line) as Record<string, unknown>;
        named = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, v === null ? '-' : String(v)]));
      } catch {
        continue;
      }
    } else {
      const cells =
        delimiter !== undefined
          ? line.split(delimiter)
          : line.includes('\t')
            ? line.split('\t')
            : line.split(/\s+/);
      named = Object.fromEntries(columns.map((c, i) => [c, cells[i] ?? '']));
    }
    const rec = recordOf(named, source);
    if (rec) out.push(rec);
  }
  return out;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

/** `YYYY-MM-DD-HH` of an hour, as file names carry it. */
export function hourStamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}-${pad(d.getUTCHours())}`;
}

/** The start of each hour from `to` back to `from`, newest first. */
export function hoursBack(from: Date, to: Date): number[] {
  const out: number[] = [];
  const first = Math.floor(from.getTime() / 3_600_000) * 3_600_000;
  for (let h = Math.floor(to.getTime() / 3_600_000) * 3_600_000; h >= first; h -= 3_600_000) out.push(h);
  return out;
}

/**
 * Where a v2 S3 delivery puts one hour's files: the key prefix to list, and the name filter for what the
 * prefix alone cannot narrow. A suffix path's variables (`{DistributionId}`, `{yyyy}`, `{MM}`, `{dd}`, `{HH}`,
 * `{accountid}`; CloudWatch Logs API S3DeliveryConfiguration) are resolved for that hour; a path with other
 * variables, or Hive-compatible paths, are listed from their static part and filtered by file name.
 */
export function v2HourPrefix(opts: {
  /** the destination bucket ARN's key prefix (`arn:aws:s3:::bucket/prefix`), '' or ending in '/' */
  basePrefix: string;
  suffixPath: string | undefined;
  hive: boolean;
  distributionId: string;
  account: string;
  hourMs: number;
}): { prefix: string; nameFilter: string } {
  const d = new Date(opts.hourMs);
  const name = `${opts.distributionId}.${hourStamp(opts.hourMs)}.`;
  if (opts.hive || opts.suffixPath === undefined) return { prefix: opts.basePrefix, nameFilter: name };
  const resolved = opts.suffixPath
    .replaceAll('{DistributionId}', opts.distributionId)
    .replaceAll('{distributionid}', opts.distributionId)
    .replaceAll('{accountid}', opts.account)
    .replaceAll('{account-id}', opts.account)
    .replaceAll('{yyyy}', String(d.getUTCFullYear()))
    .replaceAll('{MM}', pad(d.getUTCMonth() + 1))
    .replaceAll('{dd}', pad(d.getUTCDate()))
    .replaceAll('{HH}', pad(d.getUTCHours()));
  const open = resolved.indexOf('{');
  if (open >= 0) return { prefix: `${opts.basePrefix}${resolved.slice(0, open)}`, nameFilter: name };
  const folder = resolved === '' || resolved.endsWith('/') ? resolved : `${resolved}/`;
  return { prefix: `${opts.basePrefix}${folder}${name}`, nameFilter: name };
}

/** At most this many distinct failing requests go on to the probes and the diagnosis. */
export const MAX_FAILING = 20;
/** Records of one method and URL kept apart by client (viewers in several countries or networks). */
const PER_URL = 3;

/** The distinct failing (403) requests of the records, newest first, each counting its duplicates. */
export function failingRequests(records: readonly LogRecord[]): ViewerRequest[] {
  const newestFirst = [...records].filter((r) => r.logged.status === 403).sort((a, b) => b.at - a.at);
  const byKey = new Map<string, ViewerRequest & { logged: LoggedResponse }>();
  const perUrl = new Map<string, number>();
  for (const r of newestFirst) {
    const url = `${r.request.method} ${r.request.url}`;
    const key = `${url} ${r.request.clientIp ?? ''}`;
    const seen = byKey.get(key);
    if (seen) {
      seen.logged.count = (seen.logged.count ?? 1) + 1;
      continue;
    }
    if ((perUrl.get(url) ?? 0) >= PER_URL || byKey.size >= MAX_FAILING) continue;
    perUrl.set(url, (perUrl.get(url) ?? 0) + 1);
    byKey.set(key, { ...r.request, logged: { ...r.logged, count: 1 } });
  }
  return [...byKey.values()];
}

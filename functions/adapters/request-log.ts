// Where the failing viewer requests come from: the distribution's standard access logs in S3.
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type { DistributionEvidence, ViewerRequest } from '../domain/types.ts';
import { awsCall } from './aws-call.ts';

export interface RequestLog {
  failingRequests(dist: DistributionEvidence): Promise<ViewerRequest[]>;
}

const MAX_REQUESTS = 20;

/** Parses CloudFront standard (W3C) log lines and keeps distinct 403s. */
export function parseStandardLog(text: string): ViewerRequest[] {
  let fields: string[] = [];
  const out: ViewerRequest[] = [];
  const seen = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#Fields:')) {
      fields = line.slice('#Fields:'.length).trim().split(/\s+/);
      continue;
    }
    if (!line || line.startsWith('#')) continue;
    const cols = line.split('\t');
    const get = (name: string) => cols[fields.indexOf(name)] ?? '';
    if (get('sc-status') !== '403') continue;
    const host = get('x-host-header') || get('cs(Host)');
    const query = get('cs-uri-query');
    const url = `${get('cs-protocol') || 'https'}://${host}${get('cs-uri-stem')}${query && query !== '-' ? `?${query}` : ''}`;
    const method = get('cs-method') || 'GET';
    const key = `${method} ${url}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ url, method, clientIp: get('c-ip') || undefined });
  }
  return out;
}

export class StandardLogRequestLog implements RequestLog {
  constructor(private readonly s3: S3Client) {}

  async failingRequests(dist: DistributionEvidence): Promise<ViewerRequest[]> {
    const logging = dist.DistributionConfig.Logging;
    const fromLogs =
      logging?.Enabled && logging.Bucket ? await this.fromLogs(logging.Bucket, logging.Prefix ?? '') : [];
    return fromLogs.length > 0 ? fromLogs.slice(0, MAX_REQUESTS) : defaultRequests(dist);
  }

  private async fromLogs(bucketDomain: string, prefix: string): Promise<ViewerRequest[]> {
    const bucket = bucketDomain.replace(/\.s3(\.[a-z0-9-]+)?\.amazonaws\.com$/, '');
    const listed = await awsCall(`ListObjectsV2 s3://${bucket}/${prefix}`, () =>
      this.s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, MaxKeys: 1000 })),
    );
    const newest = (listed.Contents ?? [])
      .filter((o) => o.Key)
      .sort((a, b) => (b.LastModified?.getTime() ?? 0) - (a.LastModified?.getTime() ?? 0))
      .slice(0, 5);
    const out: ViewerRequest[] = [];
    for (const o of newest) {
      const got = await awsCall(`GetObject s3://${bucket}/${o.Key}`, () =>
        this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: o.Key })),
      );
      const bytes = await got.Body?.transformToByteArray();
      if (!bytes) continue;
      const text = o.Key?.endsWith('.gz')
        ? gunzipSync(bytes).toString('utf-8')
        : Buffer.from(bytes).toString('utf-8');
      out.push(...parseStandardLog(text));
    }
    return out;
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

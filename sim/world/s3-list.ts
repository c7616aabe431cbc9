// ListObjectsV2 over every object the world holds, and GetObject for delivered access-log files. S3 returns
// keys in UTF-8 binary order, at most 1,000 per page, with a continuation token while truncated (Amazon S3
// API Reference, ListObjectsV2): one page of a busy log prefix holds its oldest files.
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  _Object,
  GetObjectCommandInput,
  GetObjectCommandOutput,
  ListObjectsV2CommandInput,
  ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

const MAX_KEYS = 1000;

function noSuchBucket(): Error {
  return serviceError({
    service: 's3',
    name: 'NoSuchBucket',
    message: 'The specified bucket does not exist',
    status: 404,
  });
}

function md5Etag(bytes: Uint8Array): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

interface Listed {
  key: string;
  size: number;
  lastModified: number;
  etag: string;
}

/**
 * UTF-8 byte order. JavaScript compares UTF-16 code units, which agrees with it except between astral
 * characters and U+E000..U+FFFF: those compare as bytes.
 */
function keyOrder(a: string, b: string): number {
  if (/[\ue000-\uffff\ud800-\udfff]/.test(a + b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : a > b ? 1 : 0;
}

function byteOrder(a: Listed, b: Listed): number {
  return keyOrder(a.key, b.key);
}

/** `base`: the world's other S3 handlers; GetObject falls back to them for anything but log files. */
export function s3ListHandlers(world: World, base: Handlers): Handlers {
  const st = world.state;

  /** Objects of the bucket under `prefix`, in listing order; undefined when the world has no such bucket. */
  const listing = (bucket: string, prefix: string): Listed[] | undefined => {
    const out: Listed[] = [];
    let known = false;
    const scenario = st.buckets.get(bucket);
    if (scenario) {
      known = true;
      for (const o of scenario.Objects) {
        if (!o.Key.startsWith(prefix)) continue;
        const body = new TextEncoder().encode(o.Body ?? '');
        out.push({ key: o.Key, size: body.length, lastModified: 0, etag: md5Etag(body) });
      }
    }
    const system = st.systemBuckets.get(bucket);
    if (system) {
      known = true;
      for (const [key, o] of system)
        if (key.startsWith(prefix))
          out.push({ key, size: o.body.length, lastModified: o.lastModified, etag: md5Etag(o.body) });
    }
    const logs = world.accessLogs;
    if (logs?.hasBucket(bucket)) {
      known = true;
      // a listing shows no ETag of a log file: computing it would gzip every file of a busy prefix
      for (const { key, object } of logs.keys(bucket, prefix, world.now()))
        out.push({ key, size: object.size, lastModified: object.deliveredAt, etag: '' });
    }
    return known ? out.sort(byteOrder) : undefined;
  };

  const getObject = base.GetObject;

  return {
    ListObjectsV2: handler<ListObjectsV2CommandInput, Out<ListObjectsV2CommandOutput>>((input) => {
      const bucket = input.Bucket ?? '';
      const prefix = input.Prefix ?? '';
      const all = listing(bucket, prefix);
      if (all === undefined) throw noSuchBucket();
      const max = Math.min(Math.max(input.MaxKeys ?? MAX_KEYS, 0), MAX_KEYS);
      const after = input.ContinuationToken
        ? Buffer.from(input.ContinuationToken, 'base64').toString('utf8')
        : (input.StartAfter ?? '');
      const matching = all.filter(
        (o) => after === '' || Buffer.compare(Buffer.from(o.key), Buffer.from(after)) > 0,
      );
      const page = matching.slice(0, max);
      const truncated = matching.length > page.length;
      const last = page[page.length - 1];
      const contents: _Object[] = page.map((o) => ({
        Key: o.key,
        LastModified: new Date(o.lastModified),
        ETag: o.etag,
        Size: o.size,
        StorageClass: 'STANDARD',
      }));
      return {
        Name: bucket,
        Prefix: prefix,
        MaxKeys: max,
        KeyCount: page.length,
        IsTruncated: truncated,
        ...(contents.length > 0 ? { Contents: contents } : {}),
        ...(input.ContinuationToken ? { ContinuationToken: input.ContinuationToken } : {}),
        ...(input.StartAfter ? { StartAfter: input.StartAfter } : {}),
        ...(truncated && last ? { NextContinuationToken: Buffer.from(last.key).toString('base64') } : {}),
      };
    }),

    GetObject: handler<GetObjectCommandInput, Out<GetObjectCommandOutput>>((input) => {
      const logs = world.accessLogs;
      const found =
        logs !== undefined && typeof input.Bucket === 'string' && typeof input.Key === 'string'
          ? logs.object(input.Bucket, input.Key, world.now())
          : undefined;
      if (found === undefined) {
        if (getObject === undefined) throw new Error('World: no GetObject handler');
        if (logs?.hasBucket(input.Bucket ?? '') && !st.buckets.has(input.Bucket ?? ''))
          throw serviceError({
            service: 's3',
            name: 'NoSuchKey',
            message: 'The specified key does not exist.',
            status: 404,
          });
        return getObject(input) as Out<GetObjectCommandOutput>;
      }
      return {
        Body: sdkStreamMixin(Readable.from([Buffer.from(found.body)])),
        AcceptRanges: 'bytes',
        LastModified: new Date(found.deliveredAt),
        ContentLength: found.body.length,
        ContentType: 'application/x-gzip',
        ETag: found.etag,
        ServerSideEncryption: 'AES256',
      };
    }),
  };
}

// Cause 15: the object does not exist, and S3 says 403 rather than 404 because the origin's identity
// may not s3:ListBucket. Includes an OriginPath that points the keys at the wrong prefix.
import { matchBehavior, objectKey, type ResolvedRequest } from '../routing.ts';
import type { Evidence } from '../types.ts';
import { misroutedIndices } from './behavior-misrouted.ts';
import type { CauseModule } from './cause.ts';
import { directoryIndexExists, websiteFeaturesFor } from './shared/missing-keys.ts';
import {
  configOrigin,
  describeIdentity,
  headLine,
  identityCanList,
  identityCanRead,
  keyMissing,
  originIdentity,
  probeLine,
  readPolicy,
  refusedBuckets,
  servedElsewhere,
} from './shared/s3-access.ts';
import { objectExists } from './shared/s3-origin.ts';
import { probedIndices } from './shared/viewer.ts';
import { spaRefusals } from './spa-fallback-404-only.ts';

/**
 * The CustomErrorResponses entry that answers S3's 403 with a page and another status (a single-page
 * app serving its routes from index.html): missing keys then reach viewers as that page, not as a 403.
 * Undefined when there is none, or when its page is known not to exist.
 */
function errorPageFor403(ev: Evidence): string | undefined {
  const config = ev.distribution.DistributionConfig;
  const entry = config.CustomErrorResponses?.Items?.find((e) => e.ErrorCode === 403);
  const page = entry?.ResponsePagePath ?? '';
  const code = entry?.ResponseCode ?? '';
  if (!entry || page === '' || code === '' || code === '403') return undefined;
  const origin = ev.origins.find((o) => o.id === matchBehavior(config, page).behavior.TargetOriginId);
  const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
  if (origin && bucket && keyMissing(bucket, objectKey(origin.originPath, page))) return undefined;
  return `${page} (ResponseCode ${code})`;
}

export const objectNotFound: CauseModule = {
  id: 'OBJECT_NOT_FOUND',
  risk: 'manual',
  detect({ ev, failing, resolved }) {
    const root = ev.distribution.DistributionConfig.DefaultRootObject;
    // Once access works, a missing key is answered with the error page, not with a 403.
    if (errorPageFor403(ev) !== undefined) return null;
    // Server calls sent to the S3 origin are BEHAVIOR_MISROUTED's: there is no object to restore.
    const misrouted = misroutedIndices(ev, failing);
    // A single-page app's routes are SPA_FALLBACK_404_ONLY's: its fix serves every missing key.
    const spa = new Set(spaRefusals({ ev, failing, resolved }).map((s) => s.originId));
    for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
      if (spa.has(originId)) continue;
      // `/` without a root object is DEFAULT_ROOT_OBJECT_MISSING; an object another origin holds is
      // BEHAVIOR_MISROUTED; an SSE-KMS refusal means the object exists.
      const gone = reqs.filter(
        (r): r is ResolvedRequest & { key: string } =>
          r.key !== undefined &&
          r.key !== '' &&
          !(r.path === '/' && !root) &&
          r.probe?.fingerprint.kind !== 's3-kms-denied' &&
          keyMissing(bucket, r.key) &&
          !misrouted.has(r.index) &&
          servedElsewhere(ev, r) === undefined &&
          // a directory URL whose index exists, a key a website redirect stood for: issue 11's causes
          directoryIndexExists(bucket, r) === undefined &&
          websiteFeaturesFor(bucket, r.key).length === 0,
      );
      if (gone.length === 0) continue;
      const identity = originIdentity(ev, origin);
      const policy = readPolicy(bucket);
      const list = policy === undefined ? undefined : identityCanList(ev, identity, bucket.name, policy);
      // With s3:ListBucket S3 would have answered 404: the 403 comes from somewhere else.
      if (list?.decision === 'Allow') continue;
      const readable = gone.every(
        (r) =>
          policy !== undefined &&
          identityCanRead(ev, identity, bucket.name, policy, r.key)?.decision === 'Allow',
      );
      const originPath = origin.originPath;
      const underRoot = (r: ResolvedRequest) => objectKey('', r.uri, root);
      const wrongPath = originPath !== '' && gone.every((r) => objectExists(bucket, underRoot(r)));
      const evidence = [
        ...gone.map((r) => headLine(bucket, r.key)),
        list === undefined
          ? `GetBucketPolicy ${bucket.name}: unreadable, s3:ListBucket of ${describeIdentity(identity)} unknown`
          : `GetBucketPolicy ${bucket.name}: s3:ListBucket is ${list.decision} for ${describeIdentity(identity)}, so S3 answers 403 instead of 404`,
        ...(wrongPath
          ? [
              `GetDistributionConfig: origin ${originId} OriginPath = ${originPath}`,
              ...gone.map((r) => headLine(bucket, underRoot(r))),
            ]
          : []),
        ...gone.map(probeLine),
      ];
      const keys = gone.map((r) => r.key);
      return {
        id: 'OBJECT_NOT_FOUND',
        // Lower when access is refused as well: then the missing key is the second problem, not the first.
        confidence: wrongPath ? 0.92 : readable ? 0.9 : 0.6,
        summary: wrongPath
          ? `Origin ${originId}'s OriginPath ${originPath} sends requests to keys that do not exist in bucket ${bucket.name}, while the objects exist without that prefix`
          : `The requested objects (${keys.join(', ')}) do not exist in bucket ${bucket.name}, and S3 answers 403 because the origin identity may not list the bucket`,
        evidence,
        subject: {
          originId,
          bucket: bucket.name,
          keys: keys.join('\n'),
          ...(wrongPath ? { originPath, wrongOriginPath: 'true' } : {}),
        },
        requests: probedIndices(gone),
      };
    }
    return null;
  },
  plan(finding, { ev }) {
    const s = finding.subject;
    if (!s?.bucket || !s.originId) return [];
    const index = configOrigin(ev, s.originId)?.index ?? -1;
    const keys = (s.keys ?? '').split('\n');
    const directories = keys.some((k) => k.endsWith('/'));
    const description = s.wrongOriginPath
      ? `Origin ${s.originId} has OriginPath '${s.originPath ?? ''}', but the objects are stored without that prefix in bucket ${s.bucket}: set Origins.Items[${index}].OriginPath to '' (or upload the objects under the prefix ${(s.originPath ?? '').replace(/^\/+/, '')}/)`
      : `Upload (or restore from a previous version) the missing objects ${keys.join(', ')} in bucket ${s.bucket}, or fix the links that ask for them.${directories ? ' Keys ending in / are directory URLs: the REST endpoint serves no index document, so add a viewer-request CloudFront Function that appends index.html.' : ''} Optionally allow the origin identity s3:ListBucket on arn:aws:s3:::${s.bucket} so missing keys answer 404 instead of 403`;
    return [
      {
        id: `object-not-found:${s.bucket}`,
        cause: 'OBJECT_NOT_FOUND',
        risk: 'manual',
        description,
        calls: [],
        diff: s.wrongOriginPath
          ? [{ path: `Origins.Items[${index}].OriginPath`, before: s.originPath ?? '', after: '' }]
          : [],
      },
    ];
  },
};

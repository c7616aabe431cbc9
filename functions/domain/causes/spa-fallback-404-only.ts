// A single-page app maps 404 to its index page, but S3 answers a missing key with 403 when the requester may
// not s3:ListBucket (S3 User Guide, "How Amazon S3 authorizes a request for an object operation"), so the
// fallback never applies and app routes (`/dashboard`) are refused.
//
// The fix grants this distribution's OAC s3:ListBucket, so S3 says 404 and the fallback the site already has
// applies. Mapping 403 to the page as well also works, but turns every future access failure (a broken grant,
// a KMS key, a Deny) into a 200 with the app shell: the outage stops being visible, to viewers and alarms
// alike. The mapping is the fallback when the grant cannot be made safely: no OAC (an OAI or public read), no
// DefaultRootObject (with ListBucket, a request for `/` would list the bucket: CloudFront Developer Guide,
// "Specify a default root object"), or a policy the workflow may not edit.

import { mergeStatement } from '../policy/merge.ts';
import { CLOUDFRONT_SERVICE_PRINCIPAL } from '../policy/questions.ts';
import type { ResolvedRequest } from '../routing.ts';
import type { Action, Evidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import {
  directoryIndexExists,
  extensionless,
  spaFallback,
  websiteFeaturesFor,
} from './shared/missing-keys.ts';
import {
  describeIdentity,
  headLine,
  identityCanList,
  identityCanRead,
  keyMissing,
  originIdentity,
  publicGrants,
  readPolicy,
  refusedBuckets,
} from './shared/s3-access.ts';
import { bpaFlag } from './shared/s3-origin.ts';
import { distributionUpdateCalls, probedIndices, requestLine } from './shared/viewer.ts';

/** The statement that lets this distribution's OAC list the bucket, so S3 answers 404 for missing keys. */
export function listBucketStatement(bucket: string, distributionArn: string): Record<string, unknown> {
  return {
    Sid: 'AllowCloudFrontServicePrincipalListBucket',
    Effect: 'Allow',
    Principal: { Service: CLOUDFRONT_SERVICE_PRINCIPAL },
    Action: 's3:ListBucket',
    Resource: `arn:aws:s3:::${bucket}`,
    Condition: { StringEquals: { 'AWS:SourceArn': distributionArn } },
  };
}

interface Refused {
  originId: string;
  bucket: string;
  reqs: ResolvedRequest[];
  identity: ReturnType<typeof originIdentity>;
  listDecision: string;
}

/** App routes S3 refuses only because they do not exist: the identity may read them, not list the bucket. */
export function spaRefusals(ctx: DetectContext): Refused[] {
  const { ev, failing } = ctx;
  if (!spaFallback(ev)) return [];
  const root = ev.distribution.DistributionConfig.DefaultRootObject ?? '';
  const out: Refused[] = [];
  for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
    const identity = originIdentity(ev, origin);
    const policy = readPolicy(bucket);
    if (policy === undefined || identity.kind === 'unknown') continue;
    const list = identityCanList(ev, identity, bucket.name, policy);
    if (list?.decision === 'Allow') continue;
    const missing = reqs.filter(
      (r) =>
        r.key !== undefined &&
        r.key !== '' &&
        !(r.path === '/' && root === '') &&
        r.probe?.fingerprint.kind === 's3-access-denied' &&
        keyMissing(bucket, r.key) &&
        directoryIndexExists(bucket, r) === undefined &&
        websiteFeaturesFor(bucket, r.key).length === 0 &&
        identityCanRead(ev, identity, bucket.name, policy, r.key)?.decision === 'Allow',
    );
    // Routes look like `/orders/42`; probes for `/wp-login.php` or `/.env` are a scanner's, not the app's.
    if (!missing.some((r) => extensionless(r.path))) continue;
    out.push({
      originId,
      bucket: bucket.name,
      reqs: missing,
      identity,
      listDecision: list?.decision ?? 'unknown',
    });
  }
  return out;
}

/** Why the ListBucket grant is not the fix here, or undefined when it is. */
function grantBlocker(ev: Evidence, refused: Refused): string | undefined {
  if (refused.identity.kind !== 'oac')
    return `the origin uses ${describeIdentity(refused.identity)}, not an OAC whose grant can be scoped to this distribution`;
  if ((ev.distribution.DistributionConfig.DefaultRootObject ?? '') === '')
    return 'DefaultRootObject is empty, so with s3:ListBucket a request for / would return the bucket listing';
  const bucket = ev.buckets[refused.bucket];
  const policy = bucket ? readPolicy(bucket) : undefined;
  if (policy === undefined) return 'the bucket policy could not be read';
  if (bucket && publicGrants(policy).length > 0 && bpaFlag(ev, bucket, 'BlockPublicPolicy'))
    return 'the bucket policy has public statements, so S3 refuses any policy change while BlockPublicPolicy is on';
  return undefined;
}

export const spaFallback404Only: CauseModule = {
  id: 'SPA_FALLBACK_404_ONLY',
  risk: 'destructive',
  detect(ctx) {
    const fallback = spaFallback(ctx.ev);
    const found = spaRefusals(ctx);
    const first = found[0];
    if (!fallback || !first) return null;
    const bucket = ctx.ev.buckets[first.bucket];
    const reqs = found.flatMap((f) => f.reqs);
    return {
      id: 'SPA_FALLBACK_404_ONLY',
      confidence: 0.93,
      summary: `The app's fallback page ${fallback.entry.ResponsePagePath} is mapped to 404 only, but S3 answers missing keys with 403 because ${describeIdentity(first.identity)} may not s3:ListBucket on ${first.bucket}, so routes such as ${reqs[0]?.path ?? ''} are refused`,
      evidence: [
        `GetDistributionConfig: CustomErrorResponses.Items[${fallback.index}] maps 404 to ${fallback.entry.ResponsePagePath} (ResponseCode ${fallback.entry.ResponseCode}); no entry for 403`,
        `GetBucketPolicy ${first.bucket}: s3:ListBucket is ${first.listDecision} for ${describeIdentity(first.identity)}, s3:GetObject is allowed`,
        ...(bucket ? reqs.map((r) => headLine(bucket, r.key ?? '')) : []),
        ...reqs.map(requestLine),
      ],
      subject: { originId: first.originId, bucket: first.bucket },
      requests: probedIndices(reqs),
    };
  },
  plan(_finding, ctx) {
    const { ev } = ctx;
    const fallback = spaFallback(ev);
    const [first] = spaRefusals(ctx);
    if (!fallback || !first) return [];
    const blocker = grantBlocker(ev, first);
    if (blocker === undefined) {
      const bucket = first.bucket;
      const evidence = ev.buckets[bucket];
      const before = evidence ? (readPolicy(evidence) ?? null) : null;
      const statement = listBucketStatement(bucket, ev.distribution.ARN);
      const merged = mergeStatement(before, statement);
      return [
        {
          id: `grant-list-bucket:${bucket}`,
          cause: 'SPA_FALLBACK_404_ONLY',
          risk: 'destructive',
          description: `Let this distribution's OAC s3:ListBucket on ${bucket} (statement AllowCloudFrontServicePrincipalListBucket, AWS:SourceArn = ${ev.distribution.ARN}), so S3 answers missing keys with 404 and the existing 404 → ${fallback.entry.ResponsePagePath} fallback serves the app's routes. Chosen over mapping 403 as well, which would serve every future access failure as a 200 app page and hide it from viewers and alarms`,
          calls: [
            { service: 's3', api: 'GetBucketPolicy', target: bucket },
            { service: 's3', api: 'PutBucketPolicy', target: bucket },
          ],
          diff: [{ path: `s3://${bucket} policy`, before, after: merged.policy }],
          change: { type: 'merge-bucket-policy-statement', bucket, statement },
        },
      ];
    }
    const entry = { ...fallback.entry, ErrorCode: 403 };
    const items = ev.distribution.DistributionConfig.CustomErrorResponses?.Items ?? [];
    const after = [...items.filter((e) => e.ErrorCode !== 403), entry].sort(
      (a, b) => (a.ErrorCode ?? 0) - (b.ErrorCode ?? 0),
    );
    const action: Action = {
      id: `map-403-to-fallback:${ev.distribution.Id}`,
      cause: 'SPA_FALLBACK_404_ONLY',
      risk: 'destructive',
      description: `Map 403 to ${fallback.entry.ResponsePagePath} (ResponseCode ${fallback.entry.ResponseCode}) like 404, in CustomErrorResponses of distribution ${ev.distribution.Id}. The better fix, granting s3:ListBucket so S3 answers 404, is not made because ${blocker}. Note that access failures will now also be served as the app page`,
      calls: distributionUpdateCalls(ev),
      diff: [{ path: 'CustomErrorResponses.Items', before: items, after }],
      change: { type: 'update-distribution', edits: [{ op: 'set-custom-error-response', entry }] },
    };
    return [action];
  },
};

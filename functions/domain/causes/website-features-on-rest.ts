// The bucket relies on its website configuration (redirect-all, routing rules, index documents next to
// them) while CloudFront reads it through the REST endpoint, which applies none of it (S3 User Guide, "Key
// differences between a website endpoint and a REST API endpoint"). The keys the website would have redirected
// do not exist, so S3 answers 403. Going back to the website endpoint would need a public bucket over HTTP, so
// the workflow escalates with the options instead of choosing.
import type { ResolvedRequest } from '../routing.ts';
import type { BucketEvidence } from '../types.ts';
import type { CauseModule, DetectContext } from './cause.ts';
import { directoryIndexExists, websiteFeaturesFor } from './shared/missing-keys.ts';
import { headLine, probeLine, refusedBuckets } from './shared/s3-access.ts';
import { manualAction, probedIndices } from './shared/viewer.ts';

interface Reliance {
  originId: string;
  bucket: BucketEvidence;
  reqs: { r: ResolvedRequest; features: string[] }[];
}

export function websiteReliance(ctx: DetectContext): Reliance[] {
  const out: Reliance[] = [];
  for (const { originId, reqs, bucket } of refusedBuckets(ctx.ev, ctx.failing)) {
    const relying = reqs.flatMap((r) => {
      if (r.key === undefined || r.key === '') return [];
      const features = websiteFeaturesFor(bucket, r.key);
      return features.length > 0 ? [{ r, features }] : [];
    });
    if (relying.length === 0) continue;
    // Index documents are a website feature too: named beside the redirects the same requests rely on.
    const website = bucket.website.ok ? bucket.website.value : null;
    const suffix = website?.IndexDocument?.Suffix;
    const indexed = reqs.filter((r) => directoryIndexExists(bucket, r) !== undefined);
    for (const r of indexed) {
      if (!relying.some((x) => x.r === r))
        relying.push({ r, features: [`IndexDocument ${suffix ?? 'index.html'} in a sub-folder`] });
    }
    out.push({ originId, bucket, reqs: relying });
  }
  return out;
}

export const websiteFeaturesOnRest: CauseModule = {
  id: 'WEBSITE_FEATURES_ON_REST',
  risk: 'manual',
  detect(ctx) {
    const [first] = websiteReliance(ctx);
    if (!first) return null;
    const features = [...new Set(first.reqs.flatMap((x) => x.features))];
    return {
      id: 'WEBSITE_FEATURES_ON_REST',
      confidence: 0.93,
      summary: `Bucket ${first.bucket.name} relies on its website configuration (${features.join('; ')}), but origin ${first.originId} is its REST endpoint, which applies none of it: the keys the website would have redirected do not exist, so S3 answers 403`,
      evidence: [
        `GetDistributionConfig: origin ${first.originId} is the S3 REST endpoint of ${first.bucket.name}`,
        `GetBucketWebsite ${first.bucket.name}: ${features.join('; ')}`,
        ...first.reqs.map(({ r }) => headLine(first.bucket, r.key ?? '')),
        ...first.reqs.map(({ r }) => probeLine(r)),
      ],
      subject: { originId: first.originId, bucket: first.bucket.name, features: features.join('\n') },
      requests: probedIndices(first.reqs.map((x) => x.r)),
    };
  },
  plan(finding) {
    const s = finding.subject;
    const bucket = s?.bucket ?? '';
    const features = (s?.features ?? '').split('\n').filter((f) => f !== '');
    const redirectAll = features.some((f) => f.startsWith('RedirectAllRequestsTo'));
    return [
      manualAction(
        `website-features:${bucket}`,
        'WEBSITE_FEATURES_ON_REST',
        `Origin ${s?.originId ?? ''} reads bucket ${bucket} through the REST endpoint, which ignores its website configuration (${features.join('; ')}). Choose one: (1) ${redirectAll ? 'answer every request with the redirect in a viewer-request CloudFront Function (statusCode 301, location = the target host and the same path)' : 'reproduce the routing rules (and index documents) in a viewer-request CloudFront Function: redirects as 301/302 responses, index documents as URI rewrites'}, keeping the private bucket and its OAC; (2) point the origin at the website endpoint ${bucket}.s3-website-<region>.amazonaws.com, which needs the bucket to be public (Block Public Access off, a public-read policy) and HTTP between CloudFront and S3; (3) upload the objects the redirects stood for. The workflow changes nothing: each option changes what the site serves or who can read the bucket.`,
      ),
    ];
  },
};

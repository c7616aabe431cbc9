// Cause 18: the origin bucket has Requester Pays on. CloudFront never sends x-amz-request-payer, so S3
// refuses every request; only the bucket owner can decide who pays, so this is a recommendation.
import type { CauseModule } from './cause.ts';
import { probeLine, s3Refused } from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

export const requesterPays: CauseModule = {
  id: 'REQUESTER_PAYS',
  risk: 'manual',
  detect({ ev, failing }) {
    for (const [originId, reqs] of s3Refused(failing, ['s3-rest', 's3-website'])) {
      const origin = reqs[0]?.origin;
      const bucket = origin?.bucket ? ev.buckets[origin.bucket] : undefined;
      if (!origin || !bucket) continue;
      const payer = bucket.requestPayer;
      if (!payer.ok || payer.value !== 'Requester') continue;
      return {
        id: 'REQUESTER_PAYS',
        // S3 refuses on Requester Pays before it reads the policy (even an explicit Deny).
        confidence: 0.97,
        summary: `Bucket ${bucket.name} (origin ${originId}) has Requester Pays enabled, and CloudFront's requests do not agree to pay, so S3 refuses them`,
        evidence: [`GetBucketRequestPayment ${bucket.name}: Payer = Requester`, ...reqs.map(probeLine)],
        subject: { originId, bucket: bucket.name },
        requests: probedIndices(reqs),
      };
    }
    return null;
  },
  plan(finding) {
    const bucket = finding.subject?.bucket;
    if (!bucket) return [];
    return [
      {
        id: `requester-pays:${bucket}`,
        cause: 'REQUESTER_PAYS',
        risk: 'manual',
        description: `Disable Requester Pays on bucket ${bucket} (PutBucketRequestPayment Payer = BucketOwner): CloudFront cannot serve a Requester Pays bucket. If the bucket must stay Requester Pays, serve its content from another bucket`,
        calls: [],
        diff: [
          {
            path: `s3://${bucket} RequestPaymentConfiguration.Payer`,
            before: 'Requester',
            after: 'BucketOwner',
          },
        ],
      },
    ];
  },
};

// Cause 4: `/` is forbidden because no DefaultRootObject is set, while the index object exists.
import { objectKey } from '../routing.ts';
import type { CauseModule } from './cause.ts';
import { bucketOf } from './shared/s3-origin.ts';
import { distributionUpdateCalls, probedIndices, requestLine } from './shared/viewer.ts';

const INDEX = 'index.html';

export const defaultRootObjectMissing: CauseModule = {
  id: 'DEFAULT_ROOT_OBJECT_MISSING',
  risk: 'safe',
  detect({ ev, failing }) {
    const current = ev.distribution.DistributionConfig.DefaultRootObject ?? '';
    if (current !== '') return null;
    // CloudFront applies the default root object to `/` only, never to sub-directories.
    // S3 itself must be the one refusing: a CloudFront-side refusal of `/` is another cause.
    const roots = failing.filter(
      (r) => r.path === '/' && r.origin?.kind === 's3-rest' && r.probe?.fingerprint.source === 's3',
    );
    const origin = roots[0]?.origin;
    if (!origin?.bucket) return null;
    const bucket = bucketOf(ev, origin);
    if (!bucket) return null;
    const indexKey = objectKey(origin.originPath, `/${INDEX}`);
    const head = bucket.objects[indexKey];
    if (!head || (head.ok && !head.value.exists)) return null;
    // HeadObject unreadable: the fix is still the likely one, but unproven.
    const confidence = head.ok ? 0.95 : 0.55;
    return {
      id: 'DEFAULT_ROOT_OBJECT_MISSING',
      confidence,
      summary: `Requests for / are refused because distribution ${ev.distribution.Id} has no DefaultRootObject, while ${INDEX} exists in bucket ${origin.bucket}`,
      evidence: [
        `GetDistributionConfig: DefaultRootObject = '' (empty)`,
        head.ok
          ? `HeadObject s3://${origin.bucket}/${indexKey}: exists`
          : `HeadObject s3://${origin.bucket}/${indexKey}: unreadable (${head.code})`,
        ...roots.map(requestLine),
      ],
      subject: {
        distributionId: ev.distribution.Id,
        value: INDEX,
        bucket: origin.bucket,
        originId: origin.id,
      },
      requests: probedIndices(roots),
    };
  },
  plan(finding, { ev }) {
    const value = finding.subject?.value ?? INDEX;
    return [
      {
        id: `set-default-root-object:${ev.distribution.Id}`,
        cause: 'DEFAULT_ROOT_OBJECT_MISSING',
        risk: 'safe',
        description: `Set DefaultRootObject of distribution ${ev.distribution.Id} to '${value}', so / serves the index object`,
        calls: distributionUpdateCalls(ev),
        diff: [
          {
            path: 'DefaultRootObject',
            before: ev.distribution.DistributionConfig.DefaultRootObject ?? '',
            after: value,
          },
        ],
        change: { type: 'update-distribution', edits: [{ op: 'set-default-root-object', value }] },
      },
    ];
  },
};

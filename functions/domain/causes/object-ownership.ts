// Cause 17: the object belongs to another account (written with ACLs enabled), so the bucket owner's
// policy cannot grant it to CloudFront. BucketOwnerEnforced makes the bucket owner own every object.
import type { CauseModule } from './cause.ts';
import {
  describeIdentity,
  identityCanRead,
  originIdentity,
  probeLine,
  readPolicy,
  refusedBuckets,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

export const objectOwnership: CauseModule = {
  id: 'OBJECT_OWNERSHIP',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
      const controls = bucket.ownershipControls;
      const setting = controls.ok
        ? (controls.value?.Rules?.[0]?.ObjectOwnership ?? 'ObjectWriter')
        : undefined;
      if (setting === 'BucketOwnerEnforced') continue;
      const foreign = reqs.flatMap((r) => {
        const head = r.key ? bucket.objects[r.key] : undefined;
        if (!r.key || !head?.ok || !head.value.exists) return [];
        const owner = head.value.ownerAccount;
        return owner !== undefined && owner !== ev.account ? [{ r, key: r.key, owner }] : [];
      });
      const first = foreign[0];
      if (!first) continue;
      const identity = originIdentity(ev, origin);
      const policy = readPolicy(bucket);
      // When the policy already lets CloudFront read, ownership is what still refuses it.
      const granted = foreign.every(
        ({ key }) =>
          policy !== undefined &&
          identityCanRead(ev, identity, bucket.name, policy, key)?.decision === 'Allow',
      );
      const confidence = granted && setting !== undefined ? 0.95 : 0.6;
      return {
        id: 'OBJECT_OWNERSHIP',
        confidence,
        summary: `Object ${first.key} in bucket ${bucket.name} is owned by account ${first.owner}, not by the bucket owner ${ev.account}, so the bucket policy's grant does not reach it`,
        evidence: [
          ...foreign.map(({ key, owner }) => `HeadObject s3://${bucket.name}/${key}: owner account ${owner}`),
          controls.ok
            ? `GetBucketOwnershipControls ${bucket.name}: ObjectOwnership = ${setting}${controls.value === null ? ' (no ownership controls: ACLs enabled)' : ''}`
            : `GetBucketOwnershipControls ${bucket.name}: unreadable (${controls.code})`,
          `GetBucketPolicy ${bucket.name}: s3:GetObject for ${describeIdentity(identity)} is ${granted ? 'allowed' : 'not allowed either'}`,
          ...foreign.map(({ r }) => probeLine(r)),
        ],
        subject: { originId, bucket: bucket.name, before: setting ?? 'unknown' },
        requests: probedIndices(foreign.map(({ r }) => r)),
      };
    }
    return null;
  },
  plan(finding) {
    const bucket = finding.subject?.bucket;
    if (!bucket) return [];
    return [
      {
        id: `ownership-controls:${bucket}`,
        cause: 'OBJECT_OWNERSHIP',
        risk: 'destructive',
        description: `Set Object Ownership of bucket ${bucket} to BucketOwnerEnforced: the bucket owner then owns every object and ACLs stop applying (any access granted only through ACLs ends)`,
        calls: [
          { service: 's3', api: 'GetBucketOwnershipControls', target: bucket },
          { service: 's3', api: 'PutBucketOwnershipControls', target: bucket },
        ],
        diff: [
          {
            path: `s3://${bucket} OwnershipControls.Rules[0].ObjectOwnership`,
            before: finding.subject?.before ?? null,
            after: 'BucketOwnerEnforced',
          },
        ],
        change: { type: 'put-ownership-controls', bucket, objectOwnership: 'BucketOwnerEnforced' },
      },
    ];
  },
};

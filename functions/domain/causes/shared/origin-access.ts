// The fix several causes share: sign origin requests with an OAC and let that OAC read the bucket.
import { cloudFrontGrantStatement, mergeStatement } from '../../policy/merge.ts';
import type { Action, CauseId, Evidence, OriginEvidence, Risk } from '../../types.ts';

export function oacName(bucket: string): string {
  return `${bucket}-oac`.slice(0, 64);
}

export function currentPolicy(ev: Evidence, bucket: string): string | null {
  const p = ev.buckets[bucket]?.policy;
  return p?.ok ? p.value : null;
}

/** Grant statement merged into the bucket policy, every existing statement kept byte-for-byte. */
export function grantAction(
  ev: Evidence,
  cause: CauseId,
  bucket: string,
  risk: Risk = 'destructive',
): Action | null {
  const before = currentPolicy(ev, bucket);
  const statement = cloudFrontGrantStatement({ bucket, distributionArn: ev.distribution.ARN });
  const merged = mergeStatement(before, statement);
  if (!merged.changed) return null;
  return {
    id: `grant-cloudfront:${bucket}`,
    cause,
    risk,
    description: `Merge an AllowCloudFrontServicePrincipal statement (s3:GetObject, AWS:SourceArn = ${ev.distribution.ARN}) into the policy of bucket ${bucket}, keeping every existing statement`,
    calls: [
      { service: 's3', api: 'GetBucketPolicy', target: bucket },
      { service: 's3', api: 'PutBucketPolicy', target: bucket },
    ],
    diff: [{ path: `s3://${bucket} policy`, before, after: merged.policy }],
    change: { type: 'merge-bucket-policy-statement', bucket, statement },
  };
}

/** Create (or reuse) an OAC and attach it to the origin, clearing any legacy OAI on it. */
export function oacActions(ev: Evidence, cause: CauseId, origin: OriginEvidence, bucket: string): Action[] {
  const name = oacName(bucket);
  const index = ev.distribution.DistributionConfig.Origins?.Items?.findIndex((o) => o.Id === origin.id) ?? -1;
  return [
    {
      id: `create-oac:${origin.id}`,
      cause,
      risk: 'destructive',
      description: `Create OAC '${name}' (sigv4, always, s3), or reuse an existing one with those settings`,
      calls: [
        { service: 'cloudfront', api: 'ListOriginAccessControls', target: 'account' },
        { service: 'cloudfront', api: 'CreateOriginAccessControl', target: name },
      ],
      diff: [
        {
          path: 'OriginAccessControl',
          before: null,
          after: {
            Name: name,
            SigningProtocol: 'sigv4',
            SigningBehavior: 'always',
            OriginAccessControlOriginType: 's3',
          },
        },
      ],
      change: { type: 'create-or-reuse-oac', originId: origin.id, bucket, oacName: name },
    },
    {
      id: `attach-oac:${origin.id}`,
      cause,
      risk: 'destructive',
      description: `Attach OAC '${name}' to origin ${origin.id} of distribution ${ev.distribution.Id}`,
      calls: [
        { service: 'cloudfront', api: 'GetDistributionConfig', target: ev.distribution.Id },
        { service: 'cloudfront', api: 'UpdateDistribution', target: ev.distribution.Id },
      ],
      diff: [
        {
          path: `Origins.Items[${index}].OriginAccessControlId`,
          before: ev.distribution.DistributionConfig.Origins?.Items?.[index]?.OriginAccessControlId ?? '',
          after: `<OAC '${name}'>`,
        },
      ],
      change: {
        type: 'update-distribution',
        edits: [{ op: 'attach-oac', originId: origin.id, oacRef: 'created' }],
      },
    },
  ];
}

export function originAccessPlan(
  ev: Evidence,
  cause: CauseId,
  origin: OriginEvidence,
  bucket: string,
): Action[] {
  const grant = grantAction(ev, cause, bucket);
  return [...(grant ? [grant] : []), ...oacActions(ev, cause, origin, bucket)];
}

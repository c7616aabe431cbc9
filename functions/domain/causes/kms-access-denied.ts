// Cause 16: the object is SSE-KMS encrypted and the key policy does not let CloudFront (this
// distribution) kms:Decrypt. Only an OAC-signed request can ever use a KMS key.
import { kmsGrantStatement, mergeStatement } from '../policy/merge.ts';
import { kmsDecryptAllowed } from '../policy/questions.ts';
import type { Action, Evidence, KmsKeyEvidence, ObjectHead } from '../types.ts';
import type { CauseModule } from './cause.ts';
import {
  ask,
  describeIdentity,
  effectivelyPublic,
  oacAccessPlan,
  originIdentity,
  probeLine,
  publicRead,
  refusedBuckets,
  statementName,
} from './shared/s3-access.ts';
import { probedIndices } from './shared/viewer.ts';

function kmsEncrypted(head: ObjectHead): boolean {
  return head.serverSideEncryption === 'aws:kms' || head.serverSideEncryption === 'aws:kms:dsse';
}

/** The key evidence for an object's SSEKMSKeyId, which may be a key id or an ARN. */
export function findKey(ev: Evidence, ref: string): KmsKeyEvidence | undefined {
  return ev.kmsKeys[ref] ?? Object.values(ev.kmsKeys).find((k) => k.arn === ref || k.keyId === ref);
}

export const kmsAccessDenied: CauseModule = {
  id: 'KMS_ACCESS_DENIED',
  risk: 'destructive',
  detect({ ev, failing }) {
    for (const { originId, reqs, origin, bucket } of refusedBuckets(ev, failing)) {
      const identity = originIdentity(ev, origin);
      // An OAI can never decrypt, so it counts. Unsigned requests (no identity on a private bucket, a
      // broken OAC, a deleted OAI) are refused for another cause first, whose fix attaches an OAC: that
      // OAC meets this key next, so the key is asked for it.
      const future =
        identity.kind === 'none'
          ? !effectivelyPublic(publicRead(ev, bucket))
          : identity.kind === 'oac-broken' || identity.kind === 'oai-missing';
      if (identity.kind !== 'oac' && identity.kind !== 'oai' && !future) continue;
      for (const r of reqs) {
        const head = r.key ? bucket.objects[r.key] : undefined;
        if (!head?.ok || !head.value.exists || !kmsEncrypted(head.value)) continue;
        const ref = head.value.kmsKeyId ?? '';
        const key = ref === '' ? undefined : findKey(ev, ref);
        const fingerprint = r.probe?.fingerprint.kind === 's3-kms-denied';
        let keyLine: string;
        let confidence: number;
        let denyNames = '';
        let awsManaged = false;
        // An AWS managed key is known by DescribeKey's KeyManager, whatever form HeadObject named it in
        // (issue 10); its policy cannot be changed (AWS KMS Developer Guide, "AWS managed keys").
        const managed = key?.keyManager?.ok === true && key.keyManager.value === 'AWS';
        if (ref === '' || managed || (!key && /alias\/aws\/s3$/.test(ref))) {
          keyLine = managed
            ? `DescribeKey ${key?.arn ?? ref}: KeyManager = AWS: an AWS managed key (aws/s3), whose policy cannot be changed to let CloudFront decrypt`
            : `the object uses the AWS managed key aws/s3, whose policy cannot grant CloudFront`;
          awsManaged = true;
          confidence = fingerprint ? 0.9 : 0.6;
        } else if (!key?.policy.ok) {
          keyLine = `GetKeyPolicy ${ref}: ${key && !key.policy.ok ? `unreadable (${key.policy.code})` : 'not collected'}`;
          // Only the fingerprint speaks for this cause.
          if (!fingerprint) continue;
          confidence = 0.7;
        } else {
          const keyPolicy = key.policy.value;
          const d = ask(() =>
            kmsDecryptAllowed(keyPolicy, {
              distributionArn: ev.distribution.ARN,
              account: ev.account,
              keyArn: key.arn,
            }),
          );
          if ((identity.kind === 'oac' || future) && d?.decision === 'Allow') continue;
          if (d?.decision === 'ExplicitDeny') denyNames = d.deniedBy.map(statementName).join(', ');
          keyLine =
            d?.decision === 'ExplicitDeny'
              ? `GetKeyPolicy ${key.keyId}: statement ${denyNames} denies cloudfront.amazonaws.com kms:Decrypt`
              : d?.decision === 'Allow'
                ? `GetKeyPolicy ${key.keyId}: allows cloudfront.amazonaws.com kms:Decrypt, but an OAI never signs with that principal`
                : `GetKeyPolicy ${key.keyId}: no statement allows cloudfront.amazonaws.com kms:Decrypt with AWS:SourceArn = ${ev.distribution.ARN}`;
          // The fingerprint shows KMS refusing now; without it another refusal comes first and hides it.
          confidence = fingerprint ? 0.95 : 0.6;
        }
        return {
          id: 'KMS_ACCESS_DENIED',
          confidence,
          summary: `Object ${r.key} in bucket ${bucket.name} is SSE-KMS encrypted with key ${ref || 'aws/s3'}, which CloudFront may not use to decrypt`,
          evidence: [
            `HeadObject s3://${bucket.name}/${r.key}: ServerSideEncryption = ${head.value.serverSideEncryption}, SSEKMSKeyId = ${ref || '(aws/s3)'}`,
            keyLine,
            `GetDistributionConfig: origin ${originId} reads the bucket with ${describeIdentity(identity)}${future ? '; the access fix will sign with an OAC, which this key must then let decrypt' : ''}`,
            probeLine(r),
          ],
          subject: {
            originId,
            bucket: bucket.name,
            keyRef: ref,
            ...(key ? { keyId: key.keyId } : {}),
            ...(awsManaged ? { managed: 'aws', ...(key ? { keyArn: key.arn } : {}) } : {}),
            ...(denyNames ? { deniedBy: denyNames } : {}),
            identity: identity.kind,
          },
          requests: probedIndices(
            reqs.filter((x) => {
              const h = x.key ? bucket.objects[x.key] : undefined;
              return (
                h?.ok === true && h.value.exists && kmsEncrypted(h.value) && (h.value.kmsKeyId ?? '') === ref
              );
            }),
          ),
        };
      }
    }
    return null;
  },
  plan(finding, { ev }) {
    const s = finding.subject;
    if (!s?.bucket || !s.originId) return [];
    const key = s.keyId ? findKey(ev, s.keyId) : undefined;
    if (s.managed === 'aws') return [awsManagedKeyEscalation(ev, s.bucket, s.keyArn ?? s.keyRef)];
    if (key && s.deniedBy) {
      // A Deny in a key policy is deliberate, and an Allow merged beside it would change nothing.
      return [
        {
          id: `kms-decrypt:${key.keyId}`,
          cause: 'KMS_ACCESS_DENIED',
          risk: 'manual',
          description: `Review Deny statement ${s.deniedBy} of KMS key ${key.keyId}'s policy: it refuses cloudfront.amazonaws.com kms:Decrypt for ${ev.distribution.ARN}, so objects of bucket ${s.bucket} encrypted with it cannot be served`,
          calls: [],
          diff: [],
        },
      ];
    }
    if (!key) {
      return [
        {
          id: `kms-decrypt:${s.keyRef || s.bucket}`,
          cause: 'KMS_ACCESS_DENIED',
          risk: 'manual',
          description: s.keyRef
            ? `Add a statement to the policy of KMS key ${s.keyRef} that allows cloudfront.amazonaws.com kms:Decrypt with condition AWS:SourceArn = ${ev.distribution.ARN} (the key policy could not be read here)`
            : `Objects of bucket ${s.bucket} are encrypted with the AWS managed key aws/s3, which CloudFront cannot use: re-encrypt them with a customer managed key whose policy allows cloudfront.amazonaws.com kms:Decrypt for ${ev.distribution.ARN}`,
          calls: [],
          diff: [],
        },
      ];
    }
    const statement = kmsGrantStatement({ distributionArn: ev.distribution.ARN });
    const before = key.policy.ok ? key.policy.value : null;
    const merged = before === null ? undefined : ask(() => mergeStatement(before, statement));
    const actions: Action[] = [];
    if (!merged || merged.changed) {
      actions.push({
        id: `kms-decrypt:${key.keyId}`,
        cause: 'KMS_ACCESS_DENIED',
        risk: 'destructive',
        description: `Merge an AllowCloudFrontServicePrincipalSSE-KMS statement (kms:Decrypt, AWS:SourceArn = ${ev.distribution.ARN}) into the policy of KMS key ${key.keyId}, keeping every existing statement`,
        calls: [
          { service: 'kms', api: 'GetKeyPolicy', target: key.keyId },
          { service: 'kms', api: 'PutKeyPolicy', target: key.keyId },
        ],
        diff: [{ path: `kms key ${key.keyId} policy`, before, after: merged?.policy ?? null }],
        // by ARN: the key is changed in its own region
        change: {
          type: 'merge-key-policy-statement',
          keyId: key.arn.startsWith('arn:') ? key.arn : key.keyId,
          statement,
        },
      });
    }
    // An OAI cannot use KMS keys at all: the origin must sign with an OAC for the key grant to work.
    const origin = ev.origins.find((o) => o.id === s.originId);
    if (s.identity === 'oai' && origin)
      actions.push(...oacAccessPlan(ev, 'KMS_ACCESS_DENIED', origin, s.bucket));
    return actions;
  },
};

/**
 * An AWS managed key never gets a PutKeyPolicy: the workflow escalates with the exact steps. Re-encrypting in
 * place is a CopyObject of each object onto itself with the new encryption (Amazon S3 User Guide, "Changing
 * the server-side encryption of an existing object"); new uploads follow the bucket's default encryption.
 */
export function awsManagedKeyEscalation(ev: Evidence, bucket: string, keyRef: string | undefined): Action {
  const key = keyRef ? ` (${keyRef})` : '';
  return {
    id: `kms-decrypt:aws-managed:${bucket}`,
    cause: 'KMS_ACCESS_DENIED',
    risk: 'manual',
    description: [
      `Objects of bucket ${bucket} are encrypted with the AWS managed key aws/s3${key}. Its key policy cannot be changed, so CloudFront can never decrypt them and cf403 changes nothing. Either:`,
      `(1) re-encrypt them with SSE-S3: copy each object onto itself with ServerSideEncryption = AES256 (aws s3 cp s3://${bucket}/ s3://${bucket}/ --recursive --sse AES256), and set the bucket's default encryption to SSE-S3 (PutBucketEncryption, SSEAlgorithm = AES256);`,
      `or (2) create a customer managed key in the bucket's region whose policy allows cloudfront.amazonaws.com kms:Decrypt with condition AWS:SourceArn = ${ev.distribution.ARN}, re-encrypt the objects with it (aws s3 cp s3://${bucket}/ s3://${bucket}/ --recursive --sse aws:kms --sse-kms-key-id <key ARN>), and make it the bucket's default encryption (PutBucketEncryption, SSEAlgorithm = aws:kms, KMSMasterKeyID = <key ARN>, BucketKeyEnabled = true).`,
    ].join(' '),
    calls: [],
    diff: [],
  };
}

// Whether the workflow's own role may write what a fix changes, as far as the resource's own policy decides:
// a bucket policy may deny s3:PutBucketPolicy to everyone but a deploy role, and KMS refuses PutKeyPolicy
// unless the key policy lets the caller (or the account, delegating to IAM) do it. Found at plan time, the fix
// is escalated with the reason; found at apply time, it would fail half-way and be rolled back.
import { evaluateResourcePolicy } from './policy/evaluate.ts';
import type { Action, Evidence } from './types.ts';

/** The role that applies fixes (its ARN), and the account it belongs to. */
export interface Writer {
  roleArn: string;
  account: string;
}

function refused(action: Action, why: string): Action {
  return {
    ...action,
    change: undefined,
    risk: 'manual',
    description: `${action.description}. Not applied: ${why}; a principal the policy allows must make this change`,
  };
}

function decide(policy: string, writer: Writer, action: string, resource: string) {
  return evaluateResourcePolicy(policy, {
    principal: { type: 'AWS', id: writer.roleArn },
    action,
    resource,
    // keys AWS adds to the workflow's signed HTTPS request
    context: {
      'aws:SecureTransport': true,
      'aws:PrincipalArn': writer.roleArn,
      'aws:PrincipalAccount': writer.account,
      'aws:PrincipalType': 'AssumedRole',
    },
  });
}

/** The action as planned, or escalated when the resource's own policy would refuse the workflow's write. */
export function writableBy(action: Action, ev: Evidence, writer: Writer): Action {
  const change = action.change;
  try {
    if (
      change?.type === 'merge-bucket-policy-statement' ||
      change?.type === 'replace-bucket-policy-statement'
    ) {
      const bucket = ev.buckets[change.bucket];
      const policy = bucket?.policy.ok ? bucket.policy.value : null;
      if (policy === null) return action;
      // same account: the role's own policy grants it unless the bucket policy denies it explicitly
      const d = decide(policy, writer, 's3:PutBucketPolicy', `arn:aws:s3:::${change.bucket}`);
      if (d.decision === 'ExplicitDeny') {
        const by = d.deniedBy.map((s) => s.sid ?? `#${s.index}`).join(', ');
        return refused(
          action,
          `the policy of bucket ${change.bucket} denies s3:PutBucketPolicy to ${writer.roleArn} (statement ${by})`,
        );
      }
    }
    if (change?.type === 'merge-key-policy-statement') {
      const key = Object.values(ev.kmsKeys).find((k) => k.keyId === change.keyId || k.arn === change.keyId);
      if (!key?.policy.ok) return action;
      // KMS: the key policy must allow the caller, directly or through the account (Key policies in AWS KMS)
      const d = decide(key.policy.value, writer, 'kms:PutKeyPolicy', key.arn);
      if (d.decision !== 'Allow') {
        return refused(
          action,
          d.decision === 'ExplicitDeny'
            ? `the policy of key ${key.arn} denies kms:PutKeyPolicy to ${writer.roleArn}`
            : `the policy of key ${key.arn} neither allows ${writer.roleArn} kms:PutKeyPolicy nor delegates to the account's IAM policies`,
        );
      }
    }
  } catch {
    // a policy the evaluator cannot read: the apply step's own error handling decides
  }
  return action;
}

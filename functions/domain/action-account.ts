// Which account a planned change writes in (issue 15). A distribution's OAC, function and permissions are made in
// the distribution's own account; a bucket's policy and ownership controls can only be written by the bucket
// owner's account (S3 API Reference, PutBucketPolicy: the caller must "belong to the bucket owner's account"),
// and a key policy only in the key's account (KMS API Reference, PutKeyPolicy: no cross-account use).
import { kmsAccountOf } from './kms-key.ts';
import type { Action, ChangeSpec, Evidence } from './types.ts';

/** The account of the resource `change` writes, when it is not the distribution's; undefined otherwise. */
export function changeAccount(change: ChangeSpec, ev: Evidence): string | undefined {
  let account: string | undefined;
  switch (change.type) {
    case 'merge-bucket-policy-statement':
    case 'replace-bucket-policy-statement':
    case 'put-ownership-controls':
      account = ev.buckets[change.bucket]?.account;
      break;
    case 'merge-key-policy-statement': {
      const key = Object.values(ev.kmsKeys).find((k) => k.keyId === change.keyId || k.arn === change.keyId);
      // the key's ARN names its account; a bare id is in the account of the bucket whose objects use it
      const user = Object.values(ev.buckets).find((b) =>
        Object.values(b.objects).some(
          (o) => o.ok && (o.value.kmsKeyId === change.keyId || o.value.kmsKeyId === key?.arn),
        ),
      );
      account = kmsAccountOf(key?.arn ?? change.keyId) ?? user?.account;
      break;
    }
    default:
      account = undefined;
  }
  return account !== undefined && account !== ev.account ? account : undefined;
}

/** The action with `account` set when its change writes in another account than the distribution's. */
export function withAccount(action: Action, ev: Evidence): Action {
  const account = action.change ? changeAccount(action.change, ev) : undefined;
  return account ? { ...action, account } : action;
}

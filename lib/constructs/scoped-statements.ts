// Narrows a step's write grants to what the workflow may change (the remediation scope).
import { Aws } from 'aws-cdk-lib';
import { indexFunctionName } from '../../functions/domain/causes/directory-index-missing.ts';
import type { PolicyResource, StepGrant } from './policy-resources.ts';
import { type RemediationScope, SCOPE_TAG_KEY } from './props.ts';

/** Actions that change a resource, by the verb IAM names them with. */
const WRITE_ACTION =
  /^[a-z0-9-]+:(Put|Update|Delete|Create|Associate|Disassociate|Tag|Untag|Publish|Add|Remove|Attach|Detach|Set|Modify)/;

export interface ScopedStatement {
  readonly actions: readonly string[];
  readonly resources: readonly PolicyResource[];
  readonly conditions?: Record<string, Record<string, unknown>>;
}

/**
 * A grant as policy statements for a scope: reads stay as granted; writes on distributions, origin buckets and
 * origin keys are narrowed to the scope's ARNs, or to resources carrying the scope tag when the scope lists
 * none; with no scope, writes are not granted at all.
 */
export function scopedStatements(
  grant: StepGrant,
  scope: RemediationScope,
  tagValue: string,
): ScopedStatement[] {
  const sameAccount = grant.sameAccountBuckets ? { 's3:ResourceAccount': Aws.ACCOUNT_ID } : undefined;
  const extra = grant.conditions ?? {};
  const withExtra = (stringEquals?: Record<string, string>) =>
    stringEquals ? { ...extra, StringEquals: { ...extra.StringEquals, ...stringEquals } } : extra;
  const plain = (actions: readonly string[], resources: readonly PolicyResource[]): ScopedStatement => {
    const conditions = withExtra(sameAccount);
    return { actions, resources, ...(Object.keys(conditions).length > 0 ? { conditions } : {}) };
  };
  const writes = grant.actions.filter((a) => WRITE_ACTION.test(a));
  const reads = grant.actions.filter((a) => !WRITE_ACTION.test(a));
  const out: ScopedStatement[] = reads.length > 0 ? [plain(reads, grant.resources)] : [];
  if (writes.length === 0 || scope.kind === 'none') return out;
  if (scope.kind === 'account') return [...out, plain(writes, grant.resources)];

  const listed: PolicyResource[] = [];
  const tagged: PolicyResource[] = [];
  for (const r of grant.resources) {
    switch (r.kind) {
      case 'distribution':
        listed.push(...scope.distributionIds.map((id) => ({ arn: distributionArn(id) })));
        break;
      case 'bucket':
        if (scope.originBucketNames?.length)
          listed.push(
            ...scope.originBucketNames.map((name) => ({ arn: `arn:${Aws.PARTITION}:s3:::${name}` })),
          );
        else tagged.push(r);
        break;
      case 'key':
        if (scope.originKeyArns?.length) listed.push(...scope.originKeyArns.map((arn) => ({ arn })));
        else tagged.push(r);
        break;
      case 'tagged':
        tagged.push(r);
        break;
      case 'fix-function':
        listed.push(
          ...scope.distributionIds.map((id) => ({
            arn: `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:function/${indexFunctionName(id)}`,
          })),
        );
        break;
      default:
        listed.push(r);
    }
  }
  if (listed.length > 0) out.push(plain(writes, listed));
  if (tagged.length > 0) {
    out.push({
      actions: writes,
      resources: tagged.map((r) =>
        r.wildcard
          ? {
              ...r,
              wildcard: {
                ...r.wildcard,
                why: `${r.wildcard.why}; only resources tagged ${SCOPE_TAG_KEY}=${tagValue}`,
              },
            }
          : r,
      ),
      conditions: withExtra({ ...sameAccount, [`aws:ResourceTag/${SCOPE_TAG_KEY}`]: tagValue }),
    });
  }
  return out;
}

function distributionArn(id: string): string {
  return `arn:${Aws.PARTITION}:cloudfront::${Aws.ACCOUNT_ID}:distribution/${id}`;
}

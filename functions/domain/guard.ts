// Operator controls over what the workflow changes: the scope, the pause switch, the per-distribution opt-out
// tag, the hourly cap, and resources another tool owns. Pure: the plan and apply steps read the facts, these
// functions decide. A change held back stays in the plan as a recommendation that says why.
import type { Action, ChangeSpec, Plan, ResourceOwner } from './types.ts';

/** CloudFormation tags every resource it creates that supports tags (CloudFormation User Guide, "Tag your CloudFormation resources": aws:cloudformation:stack-name, aws:cloudformation:logical-id, aws:cloudformation:stack-id). */
export const CLOUDFORMATION_STACK_TAG = 'aws:cloudformation:stack-name';
export const CLOUDFORMATION_LOGICAL_ID_TAG = 'aws:cloudformation:logical-id';
/** The documented tag for resources other tools manage (Terraform, Pulumi, a console runbook...): its value names the owner. */
export const MANAGED_BY_TAG = 'cf403:managed-by';

export type Tags = Readonly<Record<string, string>>;

export interface ScopeConfig {
  scope: 'distributions' | 'account' | 'none';
  distributionIds: readonly string[];
}

/**
 * Why an alarm for this distribution is none of this stack's business, or undefined when it is. `memberAccount`:
 * the scope is that member account's own (issue 15), named as such.
 */
export function outOfScope(
  config: ScopeConfig,
  distributionId: string,
  memberAccount?: string,
): string | undefined {
  if (config.scope !== 'distributions' || config.distributionIds.includes(distributionId)) return undefined;
  const whose = memberAccount ? `the member scope of account ${memberAccount}` : "this stack's scope";
  return `distribution ${distributionId} is outside ${whose} (cf403:distributionIds: ${config.distributionIds.join(', ')}); nothing was read or changed`;
}

/** What a change touches, for ownership and opt-out. */
export type Target =
  | { kind: 'distribution'; id: string }
  | { kind: 'bucket'; name: string }
  | { kind: 'key'; keyId: string };

export function targetKey(t: Target): string {
  switch (t.kind) {
    case 'distribution':
      return `distribution:${t.id}`;
    case 'bucket':
      return `bucket:${t.name}`;
    case 'key':
      return `key:${t.keyId}`;
  }
}

/** The resource a change writes; changes of kinds unknown here count as changes to the distribution. */
export function targetOf(change: ChangeSpec, distributionId: string): Target {
  switch (change.type) {
    case 'merge-bucket-policy-statement':
    case 'replace-bucket-policy-statement':
    case 'put-ownership-controls':
      return { kind: 'bucket', name: change.bucket };
    case 'merge-key-policy-statement':
      return { kind: 'key', keyId: change.keyId };
    default:
      return { kind: 'distribution', id: distributionId };
  }
}

export type Owner = ResourceOwner;

/** Who manages a resource, from its tags; undefined when nothing says so. */
export function ownerOf(tags: Tags): Owner | undefined {
  const stack = tags[CLOUDFORMATION_STACK_TAG];
  if (stack) {
    const logicalId = tags[CLOUDFORMATION_LOGICAL_ID_TAG];
    return { tool: 'cloudformation', stack, ...(logicalId ? { logicalId } : {}) };
  }
  const other = tags[MANAGED_BY_TAG];
  return other ? { tool: other } : undefined;
}

export function describeOwner(owner: Owner): string {
  if (owner.tool !== 'cloudformation') return `managed by ${owner.tool} (tag ${MANAGED_BY_TAG})`;
  return `managed by CloudFormation stack ${owner.stack}${owner.logicalId ? ` (resource ${owner.logicalId})` : ''}`;
}

/** API path of a DistributionConfig field as CloudFormation writes it: lists without their Quantity/Items wrapper. */
export function cloudFormationPath(apiPath: string): string {
  return `DistributionConfig.${apiPath.replace(/\.Items(?=\[|$|\.)/g, '')}`;
}

const json = (v: unknown) => JSON.stringify(v);

/** The edit to make in the owner's template (or configuration) so its next deployment keeps the fix. */
export function templateChange(action: Action, target: Target, owner: Owner): string {
  const where =
    owner.tool === 'cloudformation'
      ? `In stack ${owner.stack}${owner.logicalId ? `, resource ${owner.logicalId}` : ''}`
      : `In the ${owner.tool} configuration of ${targetKey(target)}`;
  const change = action.change;
  switch (change?.type) {
    case 'merge-bucket-policy-statement':
    case 'replace-bucket-policy-statement':
      return `${where} (the AWS::S3::BucketPolicy of bucket ${change.bucket}): ${change.type === 'merge-bucket-policy-statement' ? 'add' : `replace statement ${change.index} with`} this statement in PolicyDocument.Statement: ${json(change.statement)}`;
    case 'merge-key-policy-statement':
      return `${where} (AWS::KMS::Key ${change.keyId}): add this statement to KeyPolicy.Statement: ${json(change.statement)}`;
    case 'put-ownership-controls':
      return `${where} (AWS::S3::Bucket ${change.bucket}): set OwnershipControls.Rules to [{"ObjectOwnership":"${change.objectOwnership}"}]`;
    case 'create-or-reuse-oac':
      return `${where}: add an AWS::CloudFront::OriginAccessControl (OriginAccessControlConfig: Name ${change.oacName}, OriginAccessControlOriginType s3, SigningBehavior always, SigningProtocol sigv4) and set DistributionConfig.Origins[id=${change.originId}].OriginAccessControlId to its Id, with S3OriginConfig.OriginAccessIdentity ""`;
    default: {
      const edits = action.diff.map(
        (d) => `${cloudFormationPath(d.path)}: ${json(d.before)} → ${json(d.after)}`,
      );
      return `${where} (AWS::CloudFront::Distribution): ${edits.length > 0 ? `set ${edits.join('; ')}` : action.description}`;
    }
  }
}

/** The clock hour (UTC) the change counter counts in, e.g. `2026-11-28T00`. */
export function changeHour(now: Date): string {
  return now.toISOString().slice(0, 13);
}

export interface Controls {
  /** the pause switch's name when it reads `true` */
  pausedBy?: string;
  /** the opt-out tag key when the distribution carries it with `true` */
  optedOutBy?: string;
  /** changes counted this hour, and the cap */
  changesThisHour: number;
  maxChangesPerHour: number;
  hour: string;
}

/** Why every change must wait (the first reason found), or undefined when changes may go ahead. */
export function holdReason(c: Controls, distributionId: string): string | undefined {
  if (c.pausedBy) return `automatic changes are paused (${c.pausedBy} is true)`;
  if (c.optedOutBy)
    return `distribution ${distributionId} opted out of automatic changes (tag ${c.optedOutBy}=true)`;
  if (c.changesThisHour >= c.maxChangesPerHour)
    return `the cap of ${c.maxChangesPerHour} remediation(s) changing the account per hour is reached (the hour from ${c.hour}:00 UTC)`;
  return undefined;
}

/** True for a tag value meaning yes. */
export function isTrue(value: string | undefined): boolean {
  return value !== undefined && value.trim().toLowerCase() === 'true';
}

export interface GuardFacts {
  distributionId: string;
  /** why every change waits (holdReason), if it does */
  hold?: string;
  /** owners of the targets that have one, by targetKey */
  owners: ReadonlyMap<string, Owner>;
  /** apply to managed resources anyway (the setting, off by default) */
  applyManaged: boolean;
  /** approval risks, to recompute requiresApproval */
  approvalRisks: readonly string[];
}

/**
 * The plan after the operator controls: a held change keeps its description, calls and diff but loses its
 * `change`, with the reason appended; a change to a managed resource names its owner and the template change,
 * and is held unless applyManaged. When one change is held for its owner, the others are held with it: the
 * plan's changes cure the 403 together, and applying part of them would end in a rollback.
 */
export function guardPlan(plan: Plan, facts: GuardFacts): Plan {
  const ownerOfChange = (change: ChangeSpec) => {
    const target = targetOf(change, facts.distributionId);
    const owner = facts.owners.get(targetKey(target));
    return owner ? { target, owner } : undefined;
  };
  // The first change an owner keeps us from making holds the rest of the plan back with it.
  const firstOwned = facts.applyManaged
    ? undefined
    : plan.actions.flatMap((a) => {
        const owned = a.change ? ownerOfChange(a.change) : undefined;
        return owned ? [{ id: a.id, ...owned }] : [];
      })[0];
  const withheld = firstOwned
    ? `${targetKey(firstOwned.target)} is ${describeOwner(firstOwned.owner)}, whose next deployment would undo the fix; make the changes there (action ${firstOwned.id} says how)`
    : undefined;

  const actions = plan.actions.map((action): Action => {
    if (!action.change) return action;
    const owned = ownerOfChange(action.change);
    const managed = owned
      ? { managedBy: owned.owner, templateChange: templateChange(action, owned.target, owned.owner) }
      : undefined;
    const hold = facts.hold ?? withheld;
    if (hold) {
      const how = managed && !facts.hold ? ` ${managed.templateChange}` : '';
      return {
        ...action,
        ...managed,
        change: undefined,
        description: `${action.description}. Not applied: ${hold}.${how}`,
      };
    }
    if (!managed || !owned) return action;
    return {
      ...action,
      ...managed,
      description: `${action.description}. Applied although ${targetKey(owned.target)} is ${describeOwner(owned.owner)}: make the same change there or its next deployment undoes it. ${managed.templateChange}`,
    };
  });
  const changing = actions.filter((a) => a.change !== undefined);
  return {
    ...plan,
    actions,
    hasChanges: changing.length > 0,
    requiresApproval: changing.some((a) => facts.approvalRisks.includes(a.risk)),
  };
}

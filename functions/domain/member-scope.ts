// A member account's own scope (issue 15): its member stack writes it to MEMBER_SCOPE_PARAMETER in that account,
// and it replaces the hub's scope for everything the hub does there. Pure: the adapter reads the parameter.
import { MemberScopeError } from '../errors.ts';
import { ACCOUNT_ID } from './accounts.ts';

export interface MemberScope {
  readonly kind: 'distributions' | 'account' | 'none';
  readonly distributionIds: readonly string[];
  readonly originBucketNames: readonly string[];
  readonly originKeyArns: readonly string[];
  /** why the scope is `none` when the member stack wrote none (the parameter is missing) */
  readonly reason?: string;
}

/** What the hub does in an account whose member stack published no scope: diagnose and notify, change nothing. */
export function missingScope(account: string): MemberScope {
  return {
    kind: 'none',
    distributionIds: [],
    originBucketNames: [],
    originKeyArns: [],
    reason: `account ${account} has no member scope parameter: nothing is changed there`,
  };
}

function strings(value: unknown, field: string, account: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v.length > 0))
    throw new MemberScopeError(`member scope of account ${account}: ${field} must be a list of strings`);
  return value;
}

/** Parses the parameter's JSON `{kind, distributionIds?, originBucketNames?, originKeyArns?}`; throws on anything else. */
export function parseMemberScope(text: string, account: string): MemberScope {
  if (!ACCOUNT_ID.test(account)) throw new MemberScopeError(`'${account}' is not an account id`);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new MemberScopeError(`member scope of account ${account} is not JSON`, { cause });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new MemberScopeError(`member scope of account ${account} must be a JSON object`);
  const o = raw as Record<string, unknown>;
  const kind = o.kind;
  if (kind !== 'distributions' && kind !== 'account' && kind !== 'none')
    throw new MemberScopeError(
      `member scope of account ${account}: kind must be distributions, account or none, got ${JSON.stringify(kind)}`,
    );
  const distributionIds = strings(o.distributionIds, 'distributionIds', account);
  if (kind === 'distributions' && distributionIds.length === 0)
    throw new MemberScopeError(
      `member scope of account ${account}: a distributions scope needs at least one distribution id`,
    );
  return {
    kind,
    distributionIds,
    originBucketNames: strings(o.originBucketNames, 'originBucketNames', account),
    originKeyArns: strings(o.originKeyArns, 'originKeyArns', account),
  };
}

/** The step configuration with the member's scope in place of the hub's; a `none` scope plans recommendations only. */
export function withMemberScope<
  C extends { scope: string; distributionIds: readonly string[]; planOnly: boolean },
>(config: C, scope: MemberScope): C {
  return {
    ...config,
    scope: scope.kind,
    distributionIds: scope.distributionIds,
    planOnly: config.planOnly || scope.kind === 'none',
  };
}

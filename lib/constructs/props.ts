// The construct's public configuration: props, the scope type, the defaults and limits callers may read.
import { Duration } from 'aws-cdk-lib';
import type { IDistribution } from 'aws-cdk-lib/aws-cloudfront';
import type { ITopic } from 'aws-cdk-lib/aws-sns';

export const APPROVAL_RISKS = ['safe', 'destructive'] as const;
export type ApprovalRisk = (typeof APPROVAL_RISKS)[number];

/** Room after the approval for apply, deployment (often 5–20 min), invalidation, verification and a rollback. */
export const POST_APPROVAL_ALLOWANCE = Duration.hours(2);

/**
 * What the workflow may change.
 * - `distributions`: only the listed distributions, and the origin buckets and KMS keys behind them: the ones
 *   listed, or, when none are listed, those tagged `SCOPE_TAG_KEY` = the stack name (S3 evaluates
 *   `aws:ResourceTag` on a bucket only once ABAC is enabled on it: S3 User Guide, "Enabling ABAC in general
 *   purpose buckets"; KMS evaluates it on keys: KMS Developer Guide, "ABAC for AWS KMS").
 * - `account`: any distribution, bucket and key of the account (an explicit opt-in; synthesis warns).
 * - `none`: nothing. The workflow diagnoses and notifies but changes nothing (synthesis warns).
 */
export type RemediationScope =
  | {
      readonly kind: 'distributions';
      readonly distributionIds: readonly string[];
      readonly originBucketNames?: readonly string[];
      readonly originKeyArns?: readonly string[];
    }
  | { readonly kind: 'account' }
  | { readonly kind: 'none' };

/** Tag (value: the stack name) that puts an origin bucket or KMS key in a `distributions` scope listing none. */
export const SCOPE_TAG_KEY = 'cf403:remediation';
/** Tag (value `true`) that keeps the workflow from changing a distribution: it still diagnoses and notifies. */
export const DEFAULT_OPT_OUT_TAG_KEY = 'cf403:opt-out';
/** Remediations that may change the account per clock hour, account-wide. */
export const DEFAULT_MAX_CHANGES_PER_HOUR = 10;
export const MAX_CHANGES_PER_HOUR_LIMIT = 1000;
/** How often the sweep reconciles pending approvals with Systems Manager and Step Functions. */
export const SWEEP_INTERVAL = Duration.minutes(5);

export class RemediationConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RemediationConfigError';
  }
}

/**
 * The organization's member accounts a hub serves (issue 15). Each member account runs the member stack
 * (`CloudFront403Member`), whose role the hub's steps assume to act there.
 */
export interface MemberAccountsProps {
  /** The AWS Organizations id (`o-...`) the hub and every member belong to. */
  readonly organizationId: string;
  /** The member account ids (12 digits each, at least one, no duplicates, not the hub's own). */
  readonly accounts: readonly string[];
  /**
   * Name of the role each member stack creates for the hub's steps.
   * @default 'cf403-member' (DEFAULT_MEMBER_ROLE_NAME)
   */
  readonly memberRoleName?: string;
}

export interface CloudFront403RemediationProps {
  /**
   * Topic for approval requests and outcomes.
   * @default - a new topic encrypted with a new customer-managed KMS key, publishing over TLS only
   */
  readonly topic?: ITopic;
  /**
   * Email address subscribed to the topic.
   * @default - no subscription
   */
  readonly notificationEmail?: string;
  /**
   * Only alarms whose name starts with this prefix start the workflow; also prefixes the alarms created here.
   * @default - any CloudFront `4xxErrorRate`, `403ErrorRate` or `TotalErrorRate` alarm starts the workflow
   */
  readonly alarmNamePrefix?: string;
  /**
   * How long a fix that needs approval waits for an answer; expiry counts as a rejection. Also the
   * `aws:approve` step's `timeoutSeconds`, so at most 30 days.
   * @default Duration.hours(24)
   */
  readonly approvalTimeout?: Duration;
  /**
   * IAM users, roles or assumed-role sessions (ARNs, at most 10) who approve or deny in Systems Manager
   * Automation. IAM groups are not accepted by `aws:approve`.
   * @default - a role named `<stack name>-Approver`, assumable by principals of this account that are allowed
   *   to assume it, is created and is the only approver
   */
  readonly approverArns?: readonly string[];
  /**
   * Approvals needed before a fix is applied (one denial rejects it); at most the number of approvers.
   * @default 1
   */
  readonly minApprovals?: number;
  /**
   * Name of the Systems Manager Automation document with the `aws:approve` step.
   * @default `<stack name>-Approval`
   */
  readonly approvalDocumentName?: string;
  /**
   * Risk levels of a planned change that need a person's approval before it is applied.
   * @default ['destructive']
   */
  readonly approvalRisks?: readonly ApprovalRisk[];
  /**
   * Diagnose and plan, but never change anything.
   * @default false
   */
  readonly planOnly?: boolean;
  /**
   * Distributions to watch: each gets a `4xxErrorRate` alarm (5 %, 3 of 5 one-minute periods).
   * @default - no alarms are created; bring your own
   */
  readonly distributions?: readonly IDistribution[];
  /**
   * How long evidence, plans and snapshots are kept in the artifact bucket (and access logs in the log bucket).
   * @default Duration.days(90)
   */
  readonly artifactRetention?: Duration;
  /**
   * What the workflow may change; its roles get write access to nothing else.
   * @default - `distributions` with the ids of `distributions` when they are all known at synthesis, else
   *   `none` (diagnose and notify only)
   */
  readonly scope?: RemediationScope;
  /**
   * Initial value of the pause switch, the SSM parameter `/cf403/<stack name>/paused`. While it reads `true`
   * the workflow diagnoses and notifies but applies nothing; flip it at any time without deploying.
   * @default false
   */
  readonly paused?: boolean;
  /**
   * Remediations that may change the account in one clock hour (UTC), account-wide; the next ones escalate.
   * @default 10
   */
  readonly maxChangesPerHour?: number;
  /**
   * Apply fixes to resources another tool manages (CloudFormation's `aws:cloudformation:stack-name` tag, or
   * `cf403:managed-by`). Either way the outcome names the owner and the template change to make there.
   * @default false - such fixes are escalated, not applied: the next deployment of the owner would undo them
   */
  readonly applyToManagedResources?: boolean;
  /**
   * Tag key whose value `true` on a distribution keeps the workflow from changing it.
   * @default 'cf403:opt-out'
   */
  readonly optOutTagKey?: string;
  /**
   * Serve an organization from this stack (the hub): the steps that act in an account assume the member role of
   * the alarm's account, the default event bus accepts the members' alarm events, and each step role gets the
   * predictable name `<stack name>-<step>` the member roles trust.
   * @default - single account: the workflow acts only in this stack's own account
   */
  readonly members?: MemberAccountsProps;
}

// The AWS services each step calls: the one list its Lambda entry point loads clients for, and what says
// whether a step acts in the member account of a distribution (issue 15) or only in the hub's own.
import type { ClientName } from '../adapters/clients.ts';

/** Services whose resources belong to the distribution's account (or a bucket's): called through the member role. */
export const MEMBER_SIDE_CLIENTS: readonly ClientName[] = [
  'cloudfront',
  's3',
  's3control',
  'kms',
  'wafv2',
  'lambda',
  'cloudwatch',
  'logs',
];

/** Keyed like lib/workflow/steps.ts `StepName`. */
export const STEP_CLIENTS = {
  // standard logging (v2) deliveries are read through CloudWatch Logs
  collect: ['cloudfront', 's3', 's3control', 'kms', 'wafv2', 'lambda', 'logs'],
  lock: ['dynamodb'],
  classify: ['sns'],
  plan: ['cloudfront', 's3', 'kms', 'ssm', 'dynamodb'],
  requestApproval: ['ssm', 'dynamodb', 'sns'],
  apply: ['cloudfront', 's3', 'kms', 'sns', 'ssm', 'dynamodb', 'lambda'],
  checkDeployment: ['cloudfront'],
  invalidate: ['cloudfront'],
  checkInvalidation: ['cloudfront'],
  verify: ['cloudwatch'],
  rollback: ['cloudfront', 's3', 'kms', 'lambda'],
  notify: ['dynamodb', 'sns'],
  relay: ['ssm', 'dynamodb', 'sfn'],
  sweep: ['ssm', 'dynamodb', 'sfn'],
} as const satisfies Record<string, readonly ClientName[]>;

export type StepClientsName = keyof typeof STEP_CLIENTS;

/** True when the step calls a service of the distribution's account: in a hub it assumes that account's member role. */
export function actsInMemberAccounts(clients: readonly ClientName[]): boolean {
  return clients.some((c) => MEMBER_SIDE_CLIENTS.includes(c));
}

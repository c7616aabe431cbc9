export type { DynamoItem } from './dynamodb-expr.ts';
export { faultError, type ServiceName, serviceError } from './errors.ts';
export { ENFORCE_ALL, type Enforcement, type IamUse, type Refusal } from './gate.ts';
export { hashSeed, IdGenerator } from './ids.ts';
export * from './managed-policies.ts';
export { isPublicPolicy, isPublicStatement } from './policy.ts';
export { findQuantityMismatch, type QuantityMismatch } from './quantities.ts';
export { canonicalUserId } from './s3.ts';
export { AUTOMATION_EVENT_DETAIL_TYPE, DEFAULT_APPROVAL_TIMEOUT_SECONDS, isApprover } from './ssm.ts';
export type { ApproverDecision, AutomationStatus } from './state.ts';
export {
  type CallContext,
  type Caller,
  DEFAULT_DEPLOYMENT_SECONDS,
  DEFAULT_INVALIDATION_SECONDS,
  DEFAULT_PROBE,
  snapshotInput,
  type TaskSignal,
  WORLD_START_MS,
  World,
  type WorldCall,
  type WorldNotification,
  type WorldOptions,
} from './world.ts';

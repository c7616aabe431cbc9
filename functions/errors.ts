// Errors the steps raise. Their `name` is what Step Functions matches in Retry and Catch.

export class InvalidAlarmEventError extends Error {
  override name = 'InvalidAlarmEventError';
}

export class DistributionNotFoundError extends Error {
  override name = 'DistributionNotFoundError';
}

/** Throttling or a 5xx from AWS: the state machine retries these with backoff and jitter. */
export class RetryableAwsError extends Error {
  override name = 'RetryableAwsError';
}

/** AWS refused the call: retrying cannot help. */
export class AwsAccessDeniedError extends Error {
  override name = 'AwsAccessDeniedError';
}

/** Any other AWS error that stops a step. */
export class AwsCallError extends Error {
  override name = 'AwsCallError';
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export class InvalidStepInputError extends Error {
  override name = 'InvalidStepInputError';
}

export class ArtifactNotFoundError extends Error {
  override name = 'ArtifactNotFoundError';
}

/** A change could not be applied as planned (e.g. the config moved under us in a way the edit cannot follow). */
export class ChangeConflictError extends Error {
  override name = 'ChangeConflictError';
}

/** The rollback could not put every snapshot back; the message names each resource that is not restored. */
export class RollbackIncompleteError extends Error {
  override name = 'RollbackIncompleteError';
}

/**
 * The operator controls hold every change back at apply time (paused, opted out, hourly cap reached), after the
 * plan allowed them: the approval may have waited hours. Nothing was changed by this attempt.
 */
export class ChangesHeldError extends Error {
  override name = 'ChangesHeldError';
}

/** A deployment or invalidation that should take minutes has not finished in hours. */
export class PollTimeoutError extends Error {
  override name = 'PollTimeoutError';
}

/** A member account's scope parameter (MEMBER_SCOPE_PARAMETER) is not the JSON its member stack writes. */
export class MemberScopeError extends Error {
  override name = 'MemberScopeError';
}

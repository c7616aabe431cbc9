// Edits applied to a freshly read DistributionConfig. Pure, so a re-read after PreconditionFailed can
// re-apply the same intent to someone else's newer config instead of overwriting it.
import type { CacheBehavior, DefaultCacheBehavior, DistributionConfig } from '@aws-sdk/client-cloudfront';
import { ChangeConflictError } from '../errors.ts';
import { DEFAULT_PATTERN } from './routing.ts';
import type { DistributionEdit } from './types.ts';

function behaviorFor(config: DistributionConfig, pathPattern: string): CacheBehavior | DefaultCacheBehavior {
  if (pathPattern === DEFAULT_PATTERN || pathPattern === '*') {
    if (!config.DefaultCacheBehavior)
      throw new ChangeConflictError('the distribution has no default cache behavior');
    return config.DefaultCacheBehavior;
  }
  const b = config.CacheBehaviors?.Items?.find((x) => x.PathPattern === pathPattern);
  if (!b) throw new ChangeConflictError(`cache behavior '${pathPattern}' no longer exists`);
  return b;
}

function originFor(config: DistributionConfig, originId: string) {
  const o = config.Origins?.Items?.find((x) => x.Id === originId);
  if (!o) throw new ChangeConflictError(`origin '${originId}' no longer exists`);
  return o;
}

/**
 * Returns a new config with the edits applied; `oacIds` resolves `oacRef: 'created'` per origin id, and
 * `functionArns` the ARN of each function an `associate-function` edit names (created or reused).
 */
export function applyDistributionEdits(
  config: DistributionConfig,
  edits: readonly DistributionEdit[],
  oacIds: Readonly<Record<string, string>> = {},
  functionArns: Readonly<Record<string, string>> = {},
): DistributionConfig {
  const next = structuredClone(config);
  for (const edit of edits) {
    switch (edit.op) {
      case 'attach-oac': {
        const origin = originFor(next, edit.originId);
        const id = edit.oacRef === 'created' ? oacIds[edit.originId] : edit.oacRef;
        if (!id) throw new ChangeConflictError(`no OAC was created for origin '${edit.originId}'`);
        origin.OriginAccessControlId = id;
        // An origin cannot have both an OAC and an OAI.
        if (origin.S3OriginConfig)
          origin.S3OriginConfig = { ...origin.S3OriginConfig, OriginAccessIdentity: '' };
        break;
      }
      case 'switch-origin-to-rest': {
        const origin = originFor(next, edit.originId);
        origin.DomainName = edit.domainName;
        origin.CustomOriginConfig = undefined;
        origin.S3OriginConfig = { OriginAccessIdentity: '' };
        break;
      }
      case 'set-default-root-object':
        next.DefaultRootObject = edit.value;
        break;
      case 'set-behavior-target': {
        originFor(next, edit.targetOriginId);
        const behavior = behaviorFor(next, edit.pathPattern);
        behavior.TargetOriginId = edit.targetOriginId;
        const fields = behavior as unknown as Record<string, unknown>;
        for (const [field, value] of Object.entries(edit.carry ?? {})) {
          if (value === null || value === undefined) delete fields[field];
          else fields[field] = structuredClone(value);
        }
        break;
      }
      case 'move-behavior': {
        const items = [...(next.CacheBehaviors?.Items ?? [])];
        const from = items.findIndex((b) => b.PathPattern === edit.pathPattern);
        const moved = items[from];
        if (!moved) throw new ChangeConflictError(`cache behavior '${edit.pathPattern}' no longer exists`);
        items.splice(from, 1);
        const to = items.findIndex((b) => b.PathPattern === edit.before);
        if (to < 0) throw new ChangeConflictError(`cache behavior '${edit.before}' no longer exists`);
        items.splice(to, 0, moved);
        next.CacheBehaviors = { Quantity: items.length, Items: items };
        break;
      }
      case 'remove-behavior': {
        const items = next.CacheBehaviors?.Items ?? [];
        const kept = items.filter((b) => b.PathPattern !== edit.pathPattern);
        if (kept.length === items.length)
          throw new ChangeConflictError(`cache behavior '${edit.pathPattern}' no longer exists`);
        next.CacheBehaviors = kept.length > 0 ? { Quantity: kept.length, Items: kept } : { Quantity: 0 };
        break;
      }
      case 'set-viewer-protocol':
        behaviorFor(next, edit.pathPattern).ViewerProtocolPolicy = edit.value;
        break;
      case 'remove-forwarded-header': {
        const headers = behaviorFor(next, edit.pathPattern).ForwardedValues?.Headers;
        if (headers) {
          const items = (headers.Items ?? []).filter((h) => h.toLowerCase() !== edit.header.toLowerCase());
          headers.Items = items;
          headers.Quantity = items.length;
        }
        break;
      }
      case 'set-origin-request-policy':
        behaviorFor(next, edit.pathPattern).OriginRequestPolicyId = edit.policyId;
        break;
      case 'associate-function':
        associateFunction(next, edit, functionArns);
        break;
      case 'set-custom-error-response': {
        const items = (next.CustomErrorResponses?.Items ?? []).filter(
          (e) => e.ErrorCode !== edit.entry.ErrorCode,
        );
        items.push({ ...edit.entry });
        items.sort((a, b) => (a.ErrorCode ?? 0) - (b.ErrorCode ?? 0));
        next.CustomErrorResponses = { Quantity: items.length, Items: items };
        break;
      }
    }
  }
  for (const o of next.Origins?.Items ?? []) {
    if (o.CustomOriginConfig === undefined) delete o.CustomOriginConfig;
  }
  return next;
}

/**
 * A behavior holds one function per event type, and CloudFront Functions cannot share the viewer events
 * with Lambda@Edge (CloudFront Developer Guide, "Restrictions on all edge functions"): the edit refuses to
 * replace anything, so a config changed since the plan is never overwritten.
 */
function associateFunction(
  config: DistributionConfig,
  edit: Extract<DistributionEdit, { op: 'associate-function' }>,
  functionArns: Readonly<Record<string, string>>,
): void {
  const arn = functionArns[edit.functionName];
  if (!arn) throw new ChangeConflictError(`no function '${edit.functionName}' was created to associate`);
  const behavior = behaviorFor(config, edit.pathPattern);
  const items = behavior.FunctionAssociations?.Items ?? [];
  const present = items.find((a) => a.EventType === edit.eventType);
  if (present?.FunctionARN === arn) return;
  if (present)
    throw new ChangeConflictError(
      `behavior '${edit.pathPattern}' already has ${edit.eventType} function ${present.FunctionARN ?? ''}`,
    );
  const lambdaViewer = (behavior.LambdaFunctionAssociations?.Items ?? []).find((a) =>
    (a.EventType ?? '').startsWith('viewer-'),
  );
  if (lambdaViewer)
    throw new ChangeConflictError(
      `behavior '${edit.pathPattern}' has Lambda@Edge ${lambdaViewer.EventType} ${lambdaViewer.LambdaFunctionARN ?? ''}, which a CloudFront Function cannot join`,
    );
  const next = [...items, { FunctionARN: arn, EventType: edit.eventType }];
  behavior.FunctionAssociations = { Quantity: next.length, Items: next };
}

/** True when applying the edits would change nothing (a re-run on a repaired account). */
export function editsAreNoop(
  config: DistributionConfig,
  edits: readonly DistributionEdit[],
  oacIds: Readonly<Record<string, string>> = {},
  functionArns: Readonly<Record<string, string>> = {},
): boolean {
  return (
    JSON.stringify(applyDistributionEdits(config, edits, oacIds, functionArns)) === JSON.stringify(config)
  );
}

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

/** Returns a new config with the edits applied; `oacIds` resolves `oacRef: 'created'` per origin id. */
export function applyDistributionEdits(
  config: DistributionConfig,
  edits: readonly DistributionEdit[],
  oacIds: Readonly<Record<string, string>> = {},
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
      case 'set-behavior-target':
        originFor(next, edit.targetOriginId);
        behaviorFor(next, edit.pathPattern).TargetOriginId = edit.targetOriginId;
        break;
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
    }
  }
  for (const o of next.Origins?.Items ?? []) {
    if (o.CustomOriginConfig === undefined) delete o.CustomOriginConfig;
  }
  return next;
}

/** True when applying the edits would change nothing (a re-run on a repaired account). */
export function editsAreNoop(
  config: DistributionConfig,
  edits: readonly DistributionEdit[],
  oacIds: Readonly<Record<string, string>> = {},
): boolean {
  return JSON.stringify(applyDistributionEdits(config, edits, oacIds)) === JSON.stringify(config);
}

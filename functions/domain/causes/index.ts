// The cause catalog (../shared/contract/causes.md), one module per cause, in catalog order.
import type { CauseId } from '../types.ts';
import { alternateDomainMissing } from './alternate-domain-missing.ts';
import { behaviorMisrouted } from './behavior-misrouted.ts';
import { bucketPolicyGrantMissing } from './bucket-policy-grant-missing.ts';
import type { CauseModule } from './cause.ts';
import { customOriginDenied } from './custom-origin-denied.ts';
import { defaultRootObjectMissing } from './default-root-object-missing.ts';
import { deploymentInProgress } from './deployment-in-progress.ts';
import { distributionDisabled } from './distribution-disabled.ts';
import { edgeFunctionDenied } from './edge-function-denied.ts';
import { explicitDeny } from './explicit-deny.ts';
import { geoRestricted } from './geo-restricted.ts';
import { hostHeaderForwarded } from './host-header-forwarded.ts';
import { kmsAccessDenied } from './kms-access-denied.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import { oacMisconfigured } from './oac-misconfigured.ts';
import { oaiNotGranted } from './oai-not-granted.ts';
import { objectNotFound } from './object-not-found.ts';
import { objectOwnership } from './object-ownership.ts';
import { originAccessMissing } from './origin-access-missing.ts';
import { publicAccessBlocked } from './public-access-blocked.ts';
import { requesterPays } from './requester-pays.ts';
import { signedUrlRequired } from './signed-url-required.ts';
import { sourceArnMismatch } from './source-arn-mismatch.ts';
import { stackedDistribution } from './stacked-distribution.ts';
import { viewerProtocolHttpsOnly } from './viewer-protocol-https-only.ts';
import { wafBlocked } from './waf-blocked.ts';
import { websiteEndpointOrigin } from './website-endpoint-origin.ts';

export const CAUSE_MODULES: readonly CauseModule[] = [
  originAccessMissing,
  publicAccessBlocked,
  websiteEndpointOrigin,
  defaultRootObjectMissing,
  geoRestricted,
  wafBlocked,
  signedUrlRequired,
  behaviorMisrouted,
  viewerProtocolHttpsOnly,
  bucketPolicyGrantMissing,
  sourceArnMismatch,
  explicitDeny,
  oaiNotGranted,
  oacMisconfigured,
  objectNotFound,
  kmsAccessDenied,
  objectOwnership,
  requesterPays,
  alternateDomainMissing,
  methodNotAllowed,
  distributionDisabled,
  edgeFunctionDenied,
  customOriginDenied,
  deploymentInProgress,
  hostHeaderForwarded,
  stackedDistribution,
];

const BY_ID = new Map<CauseId, CauseModule>(CAUSE_MODULES.map((m) => [m.id, m]));

export function causeModule(id: CauseId): CauseModule {
  const mod = BY_ID.get(id);
  if (!mod) throw new Error(`no module for cause ${id}`);
  return mod;
}

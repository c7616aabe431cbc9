// The cause catalog (docs/causes.md), one module per cause, in catalog order: within a group, the
// order of CloudFront's request pipeline, so equal confidences rank the earlier refusal first.
import type { CauseId } from '../types.ts';
import { alternateDomainMissing } from './alternate-domain-missing.ts';
import { behaviorMisrouted } from './behavior-misrouted.ts';
import { bucketPolicyGrantMissing } from './bucket-policy-grant-missing.ts';
import type { CauseModule } from './cause.ts';
import { customOriginDenied } from './custom-origin-denied.ts';
import { defaultRootObjectMissing } from './default-root-object-missing.ts';
import { deploymentInProgress } from './deployment-in-progress.ts';
import { directoryIndexMissing } from './directory-index-missing.ts';
import { distributionDisabled } from './distribution-disabled.ts';
import { edgeFunctionDenied } from './edge-function-denied.ts';
import { errorResponseCached } from './error-response-cached.ts';
import { explicitDeny } from './explicit-deny.ts';
import { geoRestricted } from './geo-restricted.ts';
import { hostHeaderForwarded } from './host-header-forwarded.ts';
import { hostHeaderToCustomOrigin } from './host-header-to-custom-origin.ts';
import { kmsAccessDenied } from './kms-access-denied.ts';
import { lambdaEdgeDenied } from './lambda-edge-denied.ts';
import { lambdaUrlPermissionMissing } from './lambda-url-permission-missing.ts';
import { methodNotAllowed } from './method-not-allowed.ts';
import { oacMisconfigured } from './oac-misconfigured.ts';
import { oaiNotGranted } from './oai-not-granted.ts';
import { objectNotFound } from './object-not-found.ts';
import { objectOwnership } from './object-ownership.ts';
import { originAccessMissing } from './origin-access-missing.ts';
import { policyHeaderCondition } from './policy-header-condition.ts';
import { publicAccessBlocked } from './public-access-blocked.ts';
import { requesterPays } from './requester-pays.ts';
import { signedUrlRequired } from './signed-url-required.ts';
import { signingKeyUntrusted } from './signing-key-untrusted.ts';
import { sourceArnMismatch } from './source-arn-mismatch.ts';
import { spaFallback404Only } from './spa-fallback-404-only.ts';
import { stackedDistribution } from './stacked-distribution.ts';
import { viewerProtocolHttpsOnly } from './viewer-protocol-https-only.ts';
import { wafBlocked } from './waf-blocked.ts';
import { websiteEndpointOrigin } from './website-endpoint-origin.ts';
import { websiteFeaturesOnRest } from './website-features-on-rest.ts';

export const CAUSE_MODULES: readonly CauseModule[] = [
  originAccessMissing,
  publicAccessBlocked,
  websiteEndpointOrigin,
  defaultRootObjectMissing,
  geoRestricted,
  wafBlocked,
  signedUrlRequired,
  signingKeyUntrusted,
  behaviorMisrouted,
  viewerProtocolHttpsOnly,
  bucketPolicyGrantMissing,
  sourceArnMismatch,
  explicitDeny,
  policyHeaderCondition,
  oaiNotGranted,
  oacMisconfigured,
  directoryIndexMissing,
  websiteFeaturesOnRest,
  spaFallback404Only,
  objectNotFound,
  kmsAccessDenied,
  objectOwnership,
  requesterPays,
  alternateDomainMissing,
  methodNotAllowed,
  distributionDisabled,
  edgeFunctionDenied,
  lambdaEdgeDenied,
  customOriginDenied,
  lambdaUrlPermissionMissing,
  deploymentInProgress,
  hostHeaderForwarded,
  hostHeaderToCustomOrigin,
  stackedDistribution,
  errorResponseCached,
];

const BY_ID = new Map<CauseId, CauseModule>(CAUSE_MODULES.map((m) => [m.id, m]));

export function causeModule(id: CauseId): CauseModule {
  const mod = BY_ID.get(id);
  if (!mod) throw new Error(`no module for cause ${id}`);
  return mod;
}

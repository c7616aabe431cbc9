// Authorizes one IAM request of a workflow step against its role's identity policies (and the resource's
// policy where the service applies one), judged by @cloud-copilot/iam-simulate (AGPL: the simulated account
// only, never shipped to Lambda), and builds the error the service answers when it is denied.
import { validateIdentityPolicy } from '@cloud-copilot/iam-policy';
import { runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { type IamRequest, resourceAccount } from '../../../cli/iam-actions.ts';
import { type ServiceName, serviceError } from '../errors.ts';
import type { IamPolicy, StepIdentity } from './roles.ts';

export type AuthzResult = { allowed: true } | { allowed: false; explicit: boolean; message: string };

/** A resource-based policy (S3 bucket policy, KMS key policy) and the account owning the resource. */
export interface ResourcePolicy {
  account: string;
  document: object;
}

export class InvalidIdentityPolicyError extends Error {
  override name = 'InvalidIdentityPolicyError';
}

export class IamSimulationError extends Error {
  override name = 'IamSimulationError';
}

type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';
type Statement = Record<string, unknown>;

const ALLOW_ALL = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

/** iam-simulate takes a ValidatedPolicy-shaped value as already validated (see sim/edge/access.ts). */
function asValidated(document: object, name: string): object {
  return { __validated: true, policyDocument: document, metadata: { name }, errors: [] };
}

function statementsOf(document: Record<string, unknown>): Statement[] {
  const s = document.Statement;
  const list = Array.isArray(s) ? s : s === undefined ? [] : [s];
  return list.filter((x): x is Statement => typeof x === 'object' && x !== null);
}

/**
 * For actions without resource-level permissions the request's resource is `*`, which only an Allow on
 * `Resource: "*"` matches (a specific ARN does not: SAR, "Resource types" column). iam-simulate's unsafe entry
 * point does not know the action is wildcard-only, so such Allows keep only their `*` resources here.
 */
function wildcardView(policy: IamPolicy): IamPolicy {
  const statements = statementsOf(policy.document).flatMap((st) => {
    if (st.Effect !== 'Allow' || st.Resource === undefined) return [st];
    const resources = (Array.isArray(st.Resource) ? st.Resource : [st.Resource]).filter((r) => r === '*');
    return resources.length === 0 ? [] : [{ ...st, Resource: resources }];
  });
  return { name: policy.name, document: { ...policy.document, Statement: statements } };
}

interface Prepared {
  identity: { name: string; policy: object }[];
  wildcard: { name: string; policy: object }[];
  decisions: Map<string, AuthzResult>;
}

const PREPARED = new WeakMap<StepIdentity, Prepared>();

/** Validates the identity's policies once and keeps them (and a decision cache) with the identity. */
function prepare(identity: StepIdentity): Prepared {
  const known = PREPARED.get(identity);
  if (known) return known;
  for (const p of identity.policies) {
    const errors = validateIdentityPolicy(p.document);
    if (errors.length > 0) {
      throw new InvalidIdentityPolicyError(
        `${identity.step}: policy ${p.name} is not valid: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
      );
    }
  }
  const wrap = (p: IamPolicy) => ({ name: p.name, policy: asValidated(p.document, p.name) });
  const prepared: Prepared = {
    identity: identity.policies.map(wrap),
    wildcard: identity.policies.map(wildcardView).map(wrap),
    decisions: new Map(),
  };
  PREPARED.set(identity, prepared);
  return prepared;
}

function accountOf(arn: string): string {
  return arn.split(':')[4] ?? '';
}

/**
 * Keys AWS sets from the caller: for a role session aws:PrincipalArn is the role's ARN, not the session's
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn);
 * a Lambda execution role's requests carry lambda:SourceFunctionArn
 * (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html).
 */
function principalContext(identity: StepIdentity): Record<string, string> {
  return {
    'aws:PrincipalArn': identity.roleArn,
    'aws:PrincipalAccount': accountOf(identity.roleArn),
    'aws:PrincipalType': 'AssumedRole',
    ...(identity.functionArn === '' ? {} : { 'lambda:SourceFunctionArn': identity.functionArn }),
    // present only when the principal's account is a member of an organization (issue 15):
    // https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalorgid
    ...(identity.organizationId === undefined ? {} : { 'aws:PrincipalOrgID': identity.organizationId }),
  };
}

function simulate(
  identity: StepIdentity,
  policies: { name: string; policy: object }[],
  req: IamRequest,
  resourcePolicy: ResourcePolicy | undefined,
): Decision {
  const principalAccount = accountOf(identity.roleArn);
  const simulation: Simulation = {
    request: {
      principal: identity.sessionArn,
      action: req.action,
      resource: {
        resource: req.resource,
        accountId: resourcePolicy?.account ?? resourceAccount(req, principalAccount),
      },
      contextVariables: { ...principalContext(identity), ...req.context },
    },
    identityPolicies: policies,
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy:
      resourcePolicy === undefined ? undefined : asValidated(resourcePolicy.document, 'resource-policy'),
  };
  try {
    return runUnsafeSimulation(simulation, {}) as Decision;
  } catch (cause) {
    throw new IamSimulationError(`iam-simulate failed on ${req.action} ${req.resource}`, { cause });
  }
}

/** The service's own spelling in messages: SNS writes `SNS:Publish`. */
function shownAction(action: string): string {
  return action.startsWith('sns:') ? `SNS:${action.slice(4)}` : action;
}

/**
 * AWS's access-denied message (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html);
 * S3 quotes the resource (https://docs.aws.amazon.com/AmazonS3/latest/userguide/troubleshoot-403-errors.html),
 * and actions without resource-level permissions name no resource.
 */
function deniedMessage(
  identity: StepIdentity,
  req: IamRequest,
  explicit: boolean,
  policyType: 'identity-based' | 'resource-based',
): string {
  const action = shownAction(req.action);
  const resource =
    req.resource === '*'
      ? ''
      : ` on resource: ${req.action.startsWith('s3:') ? `"${req.resource}"` : req.resource}`;
  const why = explicit
    ? `with an explicit deny in ${policyType === 'identity-based' ? 'an' : 'a'} ${policyType} policy`
    : `because no ${policyType} policy allows the ${action} action`;
  return `User: ${identity.sessionArn} is not authorized to perform: ${action}${resource} ${why}`;
}

/** Which policy denied: only on the (rare) denied path, so the extra simulations cost nothing on success. */
function explainDenial(
  identity: StepIdentity,
  prepared: Prepared,
  req: IamRequest,
  resourcePolicy: ResourcePolicy | undefined,
  decision: Decision,
): AuthzResult {
  const policies = req.resource === '*' ? prepared.wildcard : prepared.identity;
  const explicit = decision === 'ExplicitlyDenied';
  let policyType: 'identity-based' | 'resource-based' = 'identity-based';
  if (resourcePolicy !== undefined) {
    if (explicit) {
      // a Deny in the identity policies alone decides it, else the resource policy's Deny did
      if (simulate(identity, policies, req, undefined) !== 'ExplicitlyDenied') policyType = 'resource-based';
    } else {
      // a resource policy that would not allow even an all-powerful identity is what is missing
      const everything = [{ name: 'all', policy: asValidated(ALLOW_ALL, 'all') }];
      if (simulate(identity, everything, req, resourcePolicy) !== 'Allowed') policyType = 'resource-based';
    }
  } else if (req.action.startsWith('kms:') && req.resource !== '*') {
    // KMS always needs the key policy (https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html)
    policyType = 'resource-based';
  }
  return { allowed: false, explicit, message: deniedMessage(identity, req, explicit, policyType) };
}

function cacheKey(req: IamRequest, resourcePolicy: ResourcePolicy | undefined): string {
  const context = Object.entries(req.context ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([
    req.action,
    req.resource,
    context,
    resourcePolicy?.account ?? null,
    resourcePolicy === undefined ? null : resourcePolicy.document,
  ]);
}

/**
 * Whether the step's role may make this request. With a resource policy, evaluation follows AWS: same account,
 * identity OR resource policy allows (S3); KMS needs the key policy to allow, directly or by delegating to
 * the account (`arn:aws:iam::ACCOUNT:root`) so that IAM policies count
 * (https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html#key-policy-default-allow-root-enable-iam);
 * cross-account needs both; any explicit Deny wins
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
 * A KMS key request without its key policy is denied, as a key whose policy allows nothing.
 * Decisions are cached per identity, request and resource policy.
 */
export function authorize(
  identity: StepIdentity,
  req: IamRequest,
  resourcePolicy?: ResourcePolicy,
): AuthzResult {
  const prepared = prepare(identity);
  const key = cacheKey(req, resourcePolicy);
  const cached = prepared.decisions.get(key);
  if (cached) return cached;
  const policies = req.resource === '*' ? prepared.wildcard : prepared.identity;
  const decision = simulate(identity, policies, req, resourcePolicy);
  const result: AuthzResult =
    decision === 'Allowed'
      ? { allowed: true }
      : explainDenial(identity, prepared, req, resourcePolicy, decision);
  prepared.decisions.set(key, result);
  return result;
}

/** The first request of a call that is denied (requests in order), or undefined when all are allowed. */
export function firstDenial(
  identity: StepIdentity,
  reqs: readonly IamRequest[],
  resourcePolicyOf: (req: IamRequest) => ResourcePolicy | undefined = () => undefined,
): { req: IamRequest; result: Extract<AuthzResult, { allowed: false }> } | undefined {
  for (const req of reqs) {
    const result = authorize(identity, req, resourcePolicyOf(req));
    if (!result.allowed) return { req, result };
  }
  return undefined;
}

/** HEAD responses have no body: the SDK names a 403 by its status (aws/aws-sdk-js-v3#6597). */
const HEAD_OPERATIONS = new Set(['HeadObject', 'HeadBucket']);

/**
 * The error the service answers a denied request with, as the SDK throws it. Names and statuses: S3 and
 * S3 Control `AccessDenied` 403 (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html),
 * CloudFront `AccessDenied` 403 (its API reference), SNS `AuthorizationError` 403, which the SDK throws as
 * AuthorizationErrorException (and `KMSAccessDenied` 400 when SNS's call to the topic's key is denied:
 * https://docs.aws.amazon.com/sns/latest/api/API_Publish.html), JSON services `AccessDeniedException` 400
 * (e.g. https://docs.aws.amazon.com/kms/latest/APIReference/CommonErrors.html).
 */
export function accessDeniedError(
  service: ServiceName,
  req: IamRequest,
  identity: StepIdentity,
  result: Extract<AuthzResult, { allowed: false }>,
  requestId?: string,
  operation?: string,
): Error {
  const message = result.message;
  const error = (name: string, status: number, text = message) =>
    Object.assign(serviceError({ service, name, message: text, status, requestId }), {
      // who was denied what, for tests and reports (not on the wire)
      cf403Denied: { step: identity.step, action: req.action, resource: req.resource },
    });
  switch (service) {
    case 's3':
      if (operation !== undefined && HEAD_OPERATIONS.has(operation)) return error('403', 403, 'UnknownError');
      return error('AccessDenied', 403);
    case 's3control':
    case 'cloudfront':
    // STS (Query protocol): `AccessDenied` 403 (https://docs.aws.amazon.com/STS/latest/APIReference/API_AssumeRole.html)
    case 'sts':
    // CloudWatch keeps its Query-protocol codes (awsQueryCompatible)
    case 'cloudwatch':
      return error('AccessDenied', 403);
    case 'sns':
      return req.action.startsWith('kms:')
        ? error('KMSAccessDeniedException', 400)
        : error('AuthorizationErrorException', 403);
    case 'kms':
    case 'dynamodb':
    case 'ssm':
    case 'sfn':
    case 'wafv2':
    case 'logs':
      return error('AccessDeniedException', 400);
    // Lambda's REST API answers a denial with 403
    case 'lambda':
      return error('AccessDeniedException', 403);
  }
}

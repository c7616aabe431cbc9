// What every call passes before the simulated account acts on it, as AWS would refuse it: the service's
// published model (required members, lengths, patterns, enums), the quotas that live in AWS's quota pages,
// and IAM for the calling step's role (with the resource's own policy where the service applies one).

import { type IamContext, type IamRequest, iamRequests } from '../../cli/iam-actions.ts';
import type { ServiceName } from './errors.ts';
import { accessDeniedError, firstDenial, type ResourcePolicy } from './iam/authorize.ts';
import type { StackResourcePolicies, StepIdentity } from './iam/roles.ts';
import { modelValidationError } from './model/errors.ts';
import { quotaError, quotaViolations } from './model/quotas.ts';
import { modelViolations } from './model/validate.ts';
import { resourceTagsOf } from './resource-tags.ts';
import type { WorldState } from './state.ts';
import type { OrganizationView } from './world.ts';

/** What the world enforces; both on unless a test of the world itself turns one off. */
export interface Enforcement {
  /** service models and quotas */
  readonly model: boolean;
  /** IAM for callers attached with an identity */
  readonly iam: boolean;
}

export const ENFORCE_ALL: Enforcement = { model: true, iam: true };

/** A refused call, kept for the least-privilege report and tests. */
export interface Refusal {
  step: string;
  service: string;
  operation: string;
  kind: 'model' | 'quota' | 'iam';
  /** the violated member path, or the denied action and resource */
  detail: string;
  /** for IAM: which kind of policy refused (`identity-based`: the role lacks it; `resource-based`: the resource's own policy) */
  policy?: 'identity-based' | 'resource-based';
}

export interface GateView {
  readonly account: string;
  readonly state: WorldState;
  /** resource policies the deployed stack set on its own resources (artifact bucket...) */
  readonly stackPolicies?: StackResourcePolicies;
  readonly stateMachineArn?: string;
  /** issue 15: the organization the account belongs to (roles' trust policies) */
  readonly organization?: Pick<OrganizationView, 'trustPolicy'>;
}

function parsePolicy(text: string | null | undefined): object | undefined {
  if (!text) return undefined;
  try {
    return JSON.parse(text) as object;
  } catch {
    return undefined;
  }
}

function iamContext(view: GateView, region: string): IamContext {
  const { state } = view;
  // KMS takes a key id, key ARN, alias name or alias ARN
  const keyArn = (id: string): string | undefined => {
    const alias = /:(alias\/.+)$/.exec(id)?.[1] ?? id;
    return state.kmsKeys.find((k) => k.KeyId === id || k.Arn === id || (k.Aliases ?? []).includes(alias))
      ?.Arn;
  };
  return {
    account: view.account,
    region,
    kmsKeyArn: keyArn,
    // one account until buckets carry their own
    bucketOwner: () => view.account,
    objectKmsKeyArn: (bucket, key) => {
      const obj = state.buckets.get(bucket)?.Objects.find((o) => o.Key === key);
      return obj?.ServerSideEncryption?.startsWith('aws:kms') && obj.SSEKMSKeyId
        ? keyArn(obj.SSEKMSKeyId)
        : undefined;
    },
    topicKmsKeyArn: () => view.stackPolicies?.topicKeyArn,
    taskTokenStateMachine: () => view.stateMachineArn,
    resourceTags: (arn) => resourceTagsOf(state, arn),
  };
}

/** The resource's own policy where the service applies one: S3 bucket policies and KMS key policies. */
function resourcePolicyOf(view: GateView, req: IamRequest): ResourcePolicy | undefined {
  const s3 = /^arn:aws[\w-]*:s3:::([^/]+)/.exec(req.resource);
  if (s3?.[1]) {
    const bucket = s3[1];
    const doc =
      parsePolicy(view.state.buckets.get(bucket)?.Policy) ?? view.stackPolicies?.bucketPolicies[bucket];
    return doc ? { account: view.account, document: doc } : undefined;
  }
  // A role's trust policy is the resource policy sts:AssumeRole is judged by; a role that does not exist trusts
  // nobody (STS answers AccessDenied, as for a refused trust: API_AssumeRole.html, Errors)
  const role = /^arn:aws[\w-]*:iam::(\d{12}):role\//.exec(req.resource);
  if (role?.[1] && req.action === 'sts:AssumeRole') {
    const doc = view.organization?.trustPolicy(req.resource);
    return { account: role[1], document: doc ?? { Statement: [] } };
  }
  if (/^arn:aws[\w-]*:kms:/.test(req.resource)) {
    const key = view.state.kmsKeys.find((k) => k.Arn === req.resource);
    const doc = parsePolicy(key?.Policy) ?? view.stackPolicies?.keyPolicies[req.resource];
    // a key with no readable policy allows nothing (KMS always has one)
    return { account: req.resource.split(':')[4] ?? view.account, document: doc ?? { Statement: [] } };
  }
  return undefined;
}

function missingKmsKey(view: GateView, req: IamRequest): boolean {
  if (!/^arn:aws[\w-]*:kms:[^:]*:\d{12}:key\//.test(req.resource)) return false;
  return (
    !view.state.kmsKeys.some((k) => k.Arn === req.resource) && !view.stackPolicies?.keyPolicies[req.resource]
  );
}

export interface GateCall {
  service: ServiceName;
  operation: string;
  input: object;
  step: string;
  region: string;
  identity?: StepIdentity;
  requestId: string;
}

/** Throws the error AWS would answer when it refuses the call; returns when the call may proceed. */
/** An IAM request a caller made (allowed or not): what its role was seen to need. */
export interface IamUse {
  step: string;
  action: string;
  resource: string;
}

export function gate(
  view: GateView,
  enforce: Enforcement,
  call: GateCall,
  refusals: Refusal[],
  usage: IamUse[] = [],
): void {
  const { service, operation, input, step } = call;
  if (enforce.model) {
    const violations = modelViolations(service, operation, input);
    if (violations.length > 0) {
      refusals.push({
        step,
        service,
        operation,
        kind: 'model',
        detail: violations.map((v) => v.path).join(', '),
      });
      throw modelValidationError(service, operation, violations, call.requestId);
    }
    const quotas = quotaViolations(service, operation, input);
    if (quotas.length > 0) {
      refusals.push({
        step,
        service,
        operation,
        kind: 'quota',
        detail: quotas.map((v) => v.path).join(', '),
      });
      throw quotaError(service, operation, quotas, call.requestId);
    }
  }
  if (enforce.iam && call.identity) {
    const requests = iamRequests(iamContext(view, call.region), service, operation, input);
    for (const r of requests) usage.push({ step, action: r.action, resource: r.resource });
    // KMS answers NotFoundException for a key that does not exist, before any key policy is read
    const judged = requests.filter((r) => !missingKmsKey(view, r));
    const denied = firstDenial(call.identity, judged, (r) => resourcePolicyOf(view, r));
    if (denied) {
      refusals.push({
        step,
        service,
        operation,
        kind: 'iam',
        detail: `${denied.req.action} on ${denied.req.resource}`,
        policy: denied.result.message.includes('resource-based') ? 'resource-based' : 'identity-based',
      });
      throw accessDeniedError(service, denied.req, call.identity, denied.result, call.requestId, operation);
    }
  }
}

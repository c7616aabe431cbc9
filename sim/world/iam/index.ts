// IAM for the simulated account: what each call asks IAM (cli/iam-actions.ts), who each step is (roles.ts), and the
// decision with the service's own access-denied error (authorize.ts).
export {
  type ContextValue,
  hasIamMapping,
  IAM_OPERATIONS,
  type IamContext,
  type IamRequest,
  iamRequests,
  missingObjectRequest,
  NEW_AUTOMATION_EXECUTION_ID,
  resourceAccount,
  UnmappedOperationError,
} from '../../../cli/iam-actions.ts';
export {
  type AuthzResult,
  accessDeniedError,
  authorize,
  firstDenial,
  IamSimulationError,
  InvalidIdentityPolicyError,
  type ResourcePolicy,
} from './authorize.ts';
export {
  type CfnResource,
  type CfnTemplate,
  type IamPolicy,
  type SimulatedStack,
  type StackResourcePolicies,
  type StepIdentity,
  stackResourcePolicies,
  stepIdentities,
  TemplateResolutionError,
  TemplateResolver,
} from './roles.ts';

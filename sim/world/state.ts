// The world's mutable state. Handler modules read and change it; everything handed out is a deep copy.
import type {
  DistributionConfig,
  InvalidationBatch,
  OriginAccessControlConfig,
} from '@aws-sdk/client-cloudfront';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type {
  Fault,
  ScenarioBucket,
  ScenarioFunction,
  ScenarioKeyGroup,
  ScenarioKmsKey,
  ScenarioOai,
  ScenarioOriginRequestPolicy,
  WafIpSet,
  WafSampledRequest,
  WafWebAcl,
} from '../scenario/types.ts';
import type { DynamoItem } from './dynamodb-expr.ts';
import type { LambdaFunctionState } from './lambda.ts';

export interface InvalidationState {
  Id: string;
  /** simulated epoch ms */
  createdAt: number;
  completeAt: number;
  batch: InvalidationBatch;
}

export interface DistributionState {
  Id: string;
  ARN: string;
  DomainName: string;
  ETag: string;
  status: 'Deployed' | 'InProgress';
  /** the config the API returns: changes at once on UpdateDistribution */
  config: DistributionConfig;
  /** the config the edge serves: switches when the deployment completes */
  deployedConfig: DistributionConfig;
  /** simulated epoch ms at which an InProgress distribution becomes Deployed */
  deployAt?: number;
  /** InProgress in the scenario itself: the edge may still serve an older, unknown config */
  staleEdge: boolean;
  lastModified: number;
  invalidations: InvalidationState[];
  /** the scenario's tags (ListTagsForResource) */
  tags?: { Key: string; Value: string }[];
}

export interface OacState {
  Id: string;
  ETag: string;
  config: OriginAccessControlConfig;
}

export interface StoredObject {
  body: Uint8Array;
  contentType?: string;
  lastModified: number;
  metadata?: Record<string, string>;
}

export interface FaultState extends Fault {
  remaining: number;
}

// ---- the workflow's own resources (DynamoDB table, approval automations): never part of the scenario ----

export interface ApproverDecision {
  Approver: string;
  Decision: 'Approve' | 'Reject';
  /** ISO time of the simulated clock */
  ApprovalDecisionTime: string;
  /** '' when the signal had no comment */
  Comment: string;
}

export type AutomationStatus = 'Waiting' | 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';

/** One step of an execution. Steps other than `aws:approve` run to Success at once (sim/world/ssm.ts). */
export interface AutomationStepState {
  name: string;
  action: string;
  stepExecutionId: string;
  /** `Pending` until its turn */
  status: AutomationStatus | 'Pending';
  /** resolved inputs, as JSON texts (how SSM shows them) */
  inputs: Record<string, string>;
  outputs: Record<string, string[]>;
  timeoutSeconds?: number;
  startedAt?: number;
  endedAt?: number;
}

/**
 * One execution of an Automation document version. The approval fields describe its `aws:approve` step (the
 * simulation models at most one); `timeoutSeconds` is that step's, or 0 when it has none.
 */
export interface AutomationState {
  id: string;
  documentName: string;
  /** the version number it runs */
  documentVersion: string;
  parameters: Record<string, string[]>;
  tags: { Key: string; Value: string }[];
  steps: AutomationStepState[];
  approvers: string[];
  minApprovals: number;
  message: string;
  timeoutSeconds: number;
  status: AutomationStatus;
  executedBy: string;
  /** simulated epoch ms */
  startedAt: number;
  endedAt?: number;
  decisions: ApproverDecision[];
}

/** One version of an Automation document: its content as CreateDocument/UpdateDocument received it. */
export interface DocumentVersionState {
  version: string;
  versionName?: string;
  content: Record<string, unknown>;
  createdAt: number;
}

export interface DocumentState {
  name: string;
  versions: DocumentVersionState[];
  defaultVersion: string;
}

export interface ParameterState {
  name: string;
  value: string;
  version: number;
  modifiedAt: number;
}

export interface WorldState {
  distributions: Map<string, DistributionState>;
  oacs: Map<string, OacState>;
  oais: Map<string, ScenarioOai & { ETag: string }>;
  keyGroups: Map<string, ScenarioKeyGroup & { ETag: string }>;
  functions: Map<string, ScenarioFunction & { ETag: string }>;
  originRequestPolicies: Map<string, ScenarioOriginRequestPolicy & { ETag: string }>;
  accountPublicAccessBlock: PublicAccessBlockConfiguration | null;
  buckets: Map<string, ScenarioBucket>;
  systemBuckets: Map<string, Map<string, StoredObject>>;
  kmsKeys: ScenarioKmsKey[];
  webAcls: WafWebAcl[];
  ipSets: WafIpSet[];
  sampledRequests: WafSampledRequest[];
  faults: FaultState[];
  /** DynamoDB tables by name, created on first use; items by `JSON.stringify([pk, sk])` */
  tables: Map<string, Map<string, DynamoItem>>;
  /** issue 11: Lambda functions behind function URL origins, by name */
  lambdaFunctions: Map<string, LambdaFunctionState>;
  /** SSM Automation executions by id, in start order */
  automations: Map<string, AutomationState>;
  /** SSM documents by name (the stack's approval document, registered by the runner); created on first use */
  documents?: Map<string, DocumentState>;
  /** SSM parameters by name (the pause switch); created on first use */
  parameters?: Map<string, ParameterState>;
  /** Step Functions task tokens whose task is over (answered, timed out, stopped) */
  closedTaskTokens?: Set<string>;
}

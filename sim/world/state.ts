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

/** One execution of an approval document: a single `aws:approve` step named `approve`. */
export interface AutomationState {
  id: string;
  documentName: string;
  parameters: Record<string, string[]>;
  approvers: string[];
  minApprovals: number;
  message: string;
  timeoutSeconds: number;
  status: AutomationStatus;
  executedBy: string;
  stepExecutionId: string;
  /** simulated epoch ms */
  startedAt: number;
  endedAt?: number;
  decisions: ApproverDecision[];
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
  /** SSM Automation executions by id, in start order */
  automations: Map<string, AutomationState>;
}

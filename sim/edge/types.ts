// Types shared by the edge model's stages (re-exported from index.ts).
import type { CacheBehavior, DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { PublicAccessBlockConfiguration } from '@aws-sdk/client-s3';
import type { Scenario, ScenarioDistribution } from '../scenario/types.ts';
import type { Ids } from './pages.ts';

export interface EdgeRequest {
  url: string;
  method: string;
  headers?: Record<string, string>;
  country: string;
  clientIp: string;
}

export interface EdgeResponse {
  status: number;
  /** lower-case names */
  headers: Record<string, string>;
  body: string;
  /** which pipeline stage decided, for debugging */
  trace: string[];
}

/** What the edge model needs from the world; the world implements it. */
export interface EdgeView {
  /** current account state (buckets, policies, OACs, WAF, functions, kms...) */
  scenario: Scenario;
  /** the config the edge serves (may lag the current one while InProgress) */
  deployedConfig(distributionId: string): DistributionConfig;
  /** true while a distribution that was InProgress when the scenario loaded has not finished deploying */
  staleEdge(distributionId: string): boolean;
  /** account-level Block Public Access of the bucket's owner (the view's account when no bucket is named) */
  accountPublicAccessBlock(bucket?: string): PublicAccessBlockConfiguration | null;
  /** issue 15: the account owning a bucket, when the view spans several accounts */
  bucketAccount?(bucket: string): string | undefined;
  /** issue 15: the view for requests to `hostname` (an organization answers with the distribution's account) */
  forHost?(hostname: string): EdgeView;
  /** an error response CloudFront still serves from its cache for this path (issue 11); absent: none */
  cachedError?(
    distributionId: string,
    path: string,
  ): { status: number; headers: Record<string, string>; body: string; ageSeconds: number } | undefined;
}

/** DefaultCacheBehavior has the same fields as CacheBehavior except PathPattern. */
export type Behavior = Omit<CacheBehavior, 'PathPattern'> & { PathPattern?: string };

/** A request as it travels through the pipeline; functions may rewrite uri/headers/querystring. */
export interface EdgeContext {
  view: EdgeView;
  req: EdgeRequest;
  url: URL;
  distribution: ScenarioDistribution;
  config: DistributionConfig;
  /** URI path as the viewer sent it (percent-encoded) */
  uri: string;
  /** lower-case header names */
  headers: Record<string, string>;
  query: URLSearchParams;
  trace: string[];
  ids: Ids;
  depth: number;
}

import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withCanonicalWafIds } from '../../sim/scenario/canonical-ids.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { Scenario } from '../../sim/scenario/types.ts';

export const SCENARIO_DIR = fileURLToPath(new URL('../scenarios/', import.meta.url));
export const SHARED_DIR = fileURLToPath(new URL('../../../shared/scenarios/', import.meta.url));

export function scenario(name: string): Scenario {
  return loadScenario(`${SCENARIO_DIR}${name}.json`);
}

export function scenarioFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => `${dir}${f}`);
  } catch {
    return [];
  }
}

/**
 * The parts of an account a remediation may touch, without the fields every update changes (ETag, Status).
 * WAF placeholder ids read as the UUIDs a world gives them (sim/scenario/canonical-ids.ts).
 */
export function accountState(scenario: Scenario) {
  const s = withCanonicalWafIds(scenario);
  return {
    distributions: s.cloudfront.distributions.map((d) => ({
      Id: d.Id,
      DistributionConfig: d.DistributionConfig,
    })),
    oacs: s.cloudfront.originAccessControls ?? [],
    buckets: s.s3.buckets.map((b) => ({
      Name: b.Name,
      Policy: b.Policy,
      OwnershipControls: b.OwnershipControls,
      PAB: b.PublicAccessBlockConfiguration,
    })),
    kms: s.kms?.keys ?? [],
    // issue 11: CloudFront Functions and Lambda function policies the fixes may create or change
    functions: (s.cloudfront.functions ?? []).map((f) => ({ Name: f.Name, FunctionCode: f.FunctionCode })),
    lambdaPolicies: (s.lambda?.functions ?? []).map((f) => ({
      FunctionArn: f.FunctionArn,
      // Lambda stores and returns a policy in its own serialization: compared as JSON, not as text
      Policy: f.Policy === null ? null : JSON.stringify(JSON.parse(f.Policy)),
    })),
  };
}

import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudFrontClient } from '@aws-sdk/client-cloudfront';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { loadScenario } from '../../../sim/scenario/load.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { World } from '../../../sim/world/world.ts';

export const SCENARIO_DIR = fileURLToPath(new URL('../../../../shared/scenarios/', import.meta.url));

export function scenarioFiles(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort();
}

export function scenario(name: string): Scenario {
  return loadScenario(join(SCENARIO_DIR, `${name}.json`));
}

const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

export function clients(world: World) {
  return {
    cf: world.attach(new CloudFrontClient(config)),
    s3: world.attach(new S3Client(config)),
    kms: world.attach(new KMSClient(config)),
    waf: world.attach(new WAFV2Client(config)),
    sns: world.attach(new SNSClient(config)),
    sfn: world.attach(new SFNClient(config)),
  };
}

export function worldOf(name: string, edit?: (s: Scenario) => void): World {
  const s = scenario(name);
  edit?.(s);
  return new World(s);
}

/** Awaits a promise that must reject, and returns the error. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<Error & { $metadata?: { httpStatusCode?: number }; $fault?: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected the call to fail, but it succeeded');
}

export const DIST = 'E2QWRUHEXAMPLE';
export const OAC = 'E3OACEXAMPLE';

// The simulated account refuses what AWS refuses: each check is live, on the workflow's real clients.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { beforeAll, describe, expect, it } from 'vitest';
import { type SynthesizedStack, synthesizedStack } from '../../sim/runner/definition.ts';
import { LocalWorkflow, simulatedClients } from '../../sim/runner/simulate.ts';
import { World } from '../../sim/world/index.ts';
import { scenario } from './helpers.ts';

let stack: SynthesizedStack;
beforeAll(async () => {
  stack = await synthesizedStack();
}, 120_000);

async function refusal(p: Promise<unknown>): Promise<Error & { $metadata?: { httpStatusCode?: number } }> {
  try {
    await p;
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to be refused');
}

describe('service models', () => {
  it('refuses a parameter past its model limit with the service error, naming the member', async () => {
    const world = new World(scenario('origin-access-missing'));
    const { ssm } = simulatedClients(world, { step: 'request-approval' });
    const err = await refusal(
      ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: 'Cf403Remediation-Approval',
          Parameters: { Message: ['x'.repeat(513)] },
        }),
      ),
    );
    expect(err.name).toBe('ValidationException');
    expect(err.message).toMatch(/parameters\.Message/);
    expect(err.message).toMatch(/512/);
    expect(world.refusals).toEqual([
      expect.objectContaining({ kind: 'model', operation: 'StartAutomationExecution' }),
    ]);
  });

  it('refuses what a quota page limits: a bucket policy over 20 KB', async () => {
    const world = new World(scenario('origin-access-missing'));
    const { s3 } = simulatedClients(world, { step: 'apply' });
    const big = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'x'.repeat(21_000), Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: '*' },
      ],
    });
    const err = await refusal(s3.send(new PutBucketPolicyCommand({ Bucket: 'example-site', Policy: big })));
    expect(err.$metadata?.httpStatusCode).toBe(400);
    expect(world.refusals.at(-1)).toMatchObject({ kind: 'quota', operation: 'PutBucketPolicy' });
    // nothing changed
    expect(world.toScenario().s3.buckets[0]?.Policy).toBe(
      scenario('origin-access-missing').s3.buckets[0]?.Policy,
    );
  });
});

describe('IAM for each step, from the synthesized template', () => {
  it('refuses an action the step role is not granted', async () => {
    const world = new World(scenario('origin-access-missing'));
    const wf = new LocalWorkflow(world, stack);
    const policy = JSON.stringify({ Version: '2012-10-17', Statement: [] });
    const err = await refusal(
      wf
        .depsFor('verify')
        .clients.s3.send(new PutBucketPolicyCommand({ Bucket: 'example-site', Policy: policy })),
    );
    expect(err.name).toBe('AccessDenied');
    expect(err.$metadata?.httpStatusCode).toBe(403);
    expect(err.message).toMatch(/is not authorized to perform: s3:PutBucketPolicy/);
    expect(err.message).toMatch(/assumed-role\/.*Verify/);
    expect(world.refusals.at(-1)).toMatchObject({ step: 'verify', kind: 'iam' });
  });

  it('refuses a granted action on a resource outside the granted ARNs', async () => {
    const world = new World(scenario('origin-access-missing'));
    const wf = new LocalWorkflow(world, stack);
    const lock = wf.depsFor('lock').clients.dynamodb;
    const item = { pk: { S: 'LOCK#E2QWRUHEXAMPLE' }, sk: { S: 'LOCK' } };
    const err = await refusal(
      lock.send(new PutItemCommand({ TableName: 'someone-elses-table', Item: item })),
    );
    expect(err.name).toBe('AccessDeniedException');
    expect(err.message).toMatch(/dynamodb:PutItem on resource: .*table\/someone-elses-table/);
  });

  it('lets the same step do what it is granted', async () => {
    const world = new World(scenario('origin-access-missing'));
    const wf = new LocalWorkflow(world, stack);
    const lock = wf.depsFor('lock').clients.dynamodb;
    const item = { pk: { S: 'LOCK#E2QWRUHEXAMPLE' }, sk: { S: 'LOCK' } };
    await lock.send(new PutItemCommand({ TableName: 'cf403-remediation-sim', Item: item }));
    expect(world.refusals).toEqual([]);
    expect(world.iamUsage).toContainEqual(
      expect.objectContaining({ step: 'lock', action: 'dynamodb:PutItem' }),
    );
  });
});

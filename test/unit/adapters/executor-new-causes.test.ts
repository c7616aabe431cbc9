// The write actions issue 11 added, against the simulated account: a CloudFront Function created,
// published and associated (the rollback detaches and deletes it), a Lambda permission added (the rollback
// removes it), and the cached-error invalidation that changes nothing itself.
import { describe, expect, it } from 'vitest';
import { ChangeExecutor } from '../../../functions/adapters/executor.ts';
import type { Action } from '../../../functions/domain/types.ts';
import { simulatedClients } from '../../../sim/runner/simulate.ts';
import { World } from '../../../sim/world/index.ts';
import { read, readScenario } from '../causes/new-causes/scenario-evidence.ts';
import { MemoryStore } from './memory-store.ts';

const DIST = 'E2QWRUHEXAMPLE';
const FN = 'cf403-index-E2QWRUHEXAMPLE';

function executor(world: World, store = new MemoryStore()) {
  return new ChangeExecutor(simulatedClients(world, { step: 'apply' }), store, 'exec/snapshots');
}

function associations(world: World): string[] {
  const b = world.distribution(DIST).DistributionConfig.DefaultCacheBehavior;
  return (b?.FunctionAssociations?.Items ?? []).map((a) => `${a.EventType} ${a.FunctionARN}`);
}

async function indexPlan(): Promise<Action[]> {
  return (await read('directory-index-missing')).plan.actions;
}

describe('create-function and associate-function', () => {
  it('creates, publishes and attaches the function, and the rollback detaches and deletes it', async () => {
    const world = new World(readScenario('directory-index-missing'), { enforce: { iam: false } });
    const x = executor(world);
    const result = await x.apply(DIST, await indexPlan());
    expect(result.distributionChanged).toBe(true);
    const fn = world.state.functions.get(FN);
    expect(fn?.FunctionMetadata.Stage).toBe('LIVE');
    expect(fn?.FunctionCode).toContain('index.html');
    expect(associations(world)).toEqual([`viewer-request arn:aws:cloudfront::111122223333:function/${FN}`]);
    const calls = world.calls.map((c) => c.api);
    expect(calls.indexOf('PublishFunction')).toBeLessThan(calls.indexOf('UpdateDistribution'));

    const rolled = await x.rollback();
    expect(rolled.restored).toEqual([
      `distribution ${DIST} config restored`,
      `CloudFront Function ${FN} deleted`,
    ]);
    expect(associations(world)).toEqual([]);
    expect(world.state.functions.has(FN)).toBe(false);
  });

  it('reuses its own function on a retried apply, and skips a name someone else holds', async () => {
    const world = new World(readScenario('directory-index-missing'), { enforce: { iam: false } });
    const store = new MemoryStore();
    const plan = await indexPlan();
    await executor(world, store).apply(DIST, plan);
    await executor(world, store).apply(DIST, plan);
    expect(world.calls.filter((c) => c.api === 'CreateFunction' && c.ok)).toHaveLength(1);

    const taken = readScenario('directory-index-missing');
    taken.cloudfront.functions = [
      {
        Name: FN,
        FunctionConfig: { Comment: 'someone else', Runtime: 'cloudfront-js-2.0' },
        FunctionMetadata: {
          FunctionARN: `arn:aws:cloudfront::111122223333:function/${FN}`,
          Stage: 'LIVE',
          LastModifiedTime: new Date(0),
        },
        FunctionCode: 'function handler(event) { return event.request; }',
      },
    ];
    const other = new World(taken, { enforce: { iam: false } });
    const x = executor(other);
    await x.apply(DIST, plan);
    expect(associations(other)).toEqual([`viewer-request arn:aws:cloudfront::111122223333:function/${FN}-2`]);
    await x.rollback();
    // the rollback deletes what this execution created, never the function it found
    expect([...other.state.functions.keys()]).toEqual([FN]);
  });
});

describe('add-lambda-permission', () => {
  const FUNCTION = 'arn:aws:lambda:us-east-1:111122223333:function:ssr-handler';

  function statementIds(world: World): string[] {
    const policy = world.state.lambdaFunctions.get('ssr-handler')?.policies.get('') ?? null;
    return policy ? (JSON.parse(policy) as { Statement: { Sid: string }[] }).Statement.map((s) => s.Sid) : [];
  }

  it('adds only the missing statement, and the rollback removes exactly that one', async () => {
    const r = await read('lambda-url-permission-missing');
    const world = new World(r.scenario, { enforce: { iam: false } });
    const x = executor(world);
    await x.apply(DIST, r.plan.actions);
    expect(statementIds(world)).toEqual(['AllowCloudFrontServicePrincipal', `cf403-InvokeFunction-${DIST}`]);
    const added = JSON.parse(world.state.lambdaFunctions.get('ssr-handler')?.policies.get('') ?? '{}')
      .Statement[1];
    expect(added).toMatchObject({
      Action: 'lambda:InvokeFunction',
      Resource: FUNCTION,
      Condition: {
        ArnLike: { 'AWS:SourceArn': `arn:aws:cloudfront::111122223333:distribution/${DIST}` },
        Bool: { 'lambda:InvokedViaFunctionUrl': 'true' },
      },
    });
    const rolled = await x.rollback();
    expect(rolled.restored).toEqual([
      `statement cf403-InvokeFunction-${DIST} of ${FUNCTION}'s policy removed`,
    ]);
    expect(statementIds(world)).toEqual(['AllowCloudFrontServicePrincipal']);
  });

  it('adds nothing (and records nothing to undo) when the statement is already there', async () => {
    const r = await read('lambda-url-permission-missing');
    const world = new World(r.scenario, { enforce: { iam: false } });
    await executor(world).apply(DIST, r.plan.actions);
    const x = executor(world, new MemoryStore());
    const result = await x.apply(DIST, r.plan.actions);
    expect(result.snapshots).toBe(0);
    expect(result.applied[0]?.calls).toContain(`statement cf403-InvokeFunction-${DIST} already there`);
  });
});

describe('invalidate-cached-errors', () => {
  it('changes nothing: the invalidation step that follows does the work', async () => {
    const r = await read('error-response-cached');
    const world = new World(r.scenario, { enforce: { iam: false } });
    const result = await executor(world).apply(DIST, r.plan.actions);
    expect(result).toMatchObject({ waitForDeployment: false, distributionChanged: false, snapshots: 0 });
    expect(result.applied[0]?.calls).toEqual([`CreateInvalidation ${DIST} (next step)`]);
    expect(world.calls).toEqual([]);
  });
});

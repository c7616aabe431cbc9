// Issue 12: the operator controls (pause switch, opt-out tag, hourly cap) and resources other tools manage,
// through the synthesized workflow. Diagnosis and notifications go on; changes wait, and say why.
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { synthesizedStack } from '../../sim/runner/definition.ts';
import {
  buildReport,
  type Decision,
  defaultAlarmEvent,
  LocalWorkflow,
  type Report,
  SIM_PAUSE_PARAMETER,
  SIM_TABLE,
  simulate,
} from '../../sim/runner/simulate.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { World } from '../../sim/world/index.ts';
import { putParameter } from '../../sim/world/ssm.ts';
import { accountState, scenario } from './helpers.ts';

const SCENARIO = 'origin-access-missing';

function notificationTypes(report: Report): string[] {
  return report.notifications.map(
    (n) => (JSON.parse(n.message.split('\n').at(-1) ?? '{}') as { type: string }).type,
  );
}

async function runIn(
  world: World,
  sc: Scenario,
  name: string,
  decision: Decision,
  env?: Record<string, string>,
) {
  const wf = new LocalWorkflow(world, await synthesizedStack(), undefined, env);
  const result = await wf.execute(defaultAlarmEvent(sc), name, decision);
  return buildReport(sc, world, result);
}

function tagged(sc: Scenario, tags: { Key: string; Value: string }[]): Scenario {
  const out = structuredClone(sc);
  const d = out.cloudfront.distributions[0];
  if (d) d.Tags = tags;
  return out;
}

describe('pause switch', () => {
  it('while it reads true, diagnoses and notifies but changes nothing, and says so', async () => {
    const sc = scenario(SCENARIO);
    const world = new World(sc);
    // the stack's parameter, flipped by an operator
    const wf = new LocalWorkflow(world, await synthesizedStack());
    putParameter(world, SIM_PAUSE_PARAMETER, 'true');
    const report = buildReport(sc, world, await wf.execute(defaultAlarmEvent(sc), 'paused', 'approve'));
    expect(report.outcome).toBe('ESCALATED');
    expect(report.causes[0]?.id).toBe('ORIGIN_ACCESS_MISSING');
    expect(report.approval.required).toBe(false);
    expect(report.actions.every((a) => !a.applied)).toBe(true);
    expect(report.actions[0]?.description).toMatch(
      /Not applied: automatic changes are paused \(\/cf403\/Cf403Remediation\/paused is true\)/,
    );
    expect(notificationTypes(report)).toEqual(['diagnosis-done', 'escalated']);
    expect(accountState(report.world)).toEqual(accountState(sc));
    // resumed: the next alarm repairs
    putParameter(world, SIM_PAUSE_PARAMETER, 'false');
    const resumed = await runIn(world, sc, 'resumed', 'approve');
    expect(resumed.outcome).toBe('REMEDIATED');
  });

  it('flipped while an approval waits, holds the approved change back at apply time', async () => {
    const sc = scenario(SCENARIO);
    const world = new World(sc);
    const report = await runIn(world, sc, 'paused-late', async (ctx) => {
      putParameter(ctx.world, SIM_PAUSE_PARAMETER, 'true');
      await ctx.signal('Approve');
    });
    expect(report.approval.decision).toBe('approved');
    expect(report.outcome).toBe('FAILED');
    expect(report.error).toMatchObject({
      error: 'ChangesHeldError',
      cause: expect.stringMatching(/nothing applied: automatic changes are paused/),
    });
    expect(accountState(report.world)).toEqual(accountState(sc));
  });
});

describe('opt-out tag', () => {
  it('a distribution tagged cf403:opt-out=true is diagnosed, never changed', async () => {
    const sc = tagged(scenario(SCENARIO), [{ Key: 'cf403:opt-out', Value: 'true' }]);
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('ESCALATED');
    expect(report.actions[0]?.description).toMatch(
      /opted out of automatic changes \(tag cf403:opt-out=true\)/,
    );
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it('another value, or another key when configured, is what counts', async () => {
    const sc = tagged(scenario(SCENARIO), [{ Key: 'team:no-autofix', Value: 'TRUE' }]);
    expect((await simulate(sc, { decision: 'approve' })).outcome).toBe('REMEDIATED');
    const configured = await simulate(sc, {
      decision: 'approve',
      env: { CF403_OPT_OUT_TAG: 'team:no-autofix' },
    });
    expect(configured.outcome).toBe('ESCALATED');
  });
});

describe('cap on changes per hour', () => {
  it('counts remediations that change the account, account-wide; past the cap they escalate until the hour turns', async () => {
    const sc = scenario(SCENARIO);
    const world = new World(sc);
    const env = { CF403_MAX_CHANGES_PER_HOUR: '2' };
    // two remediations (of any distributions) already changed the account this hour
    const ddb = world.attach(
      new DynamoDBClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    );
    await ddb.send(
      new PutItemCommand({
        TableName: SIM_TABLE,
        Item: marshall({ pk: 'CHANGES#2026-11-28T00', sk: 'COUNT', count: 2, executions: ['a', 'b'] }),
      }),
    );
    const capped = await runIn(world, sc, 'capped', 'approve', env);
    expect(capped.outcome).toBe('ESCALATED');
    const changes = capped.actions.filter((a) => a.risk !== 'manual');
    expect(changes.length).toBeGreaterThan(0);
    for (const a of changes)
      expect(a.description).toMatch(/cap of 2 remediation\(s\) changing the account per hour is reached/);
    expect(accountState(capped.world)).toEqual(accountState(sc));
    world.advance(3600);
    const later = await runIn(world, sc, 'later', 'approve', env);
    expect(later.outcome).toBe('REMEDIATED');
    const counter = world.tableItems(SIM_TABLE).find((i) => i.pk?.S === 'CHANGES#2026-11-28T01');
    expect(counter && unmarshall(counter)).toMatchObject({ count: 1, executions: ['later'] });
  });
});

describe('resources another tool manages', () => {
  const managedBucket = (sc: Scenario): Scenario => {
    const out = structuredClone(sc);
    const bucket = out.s3.buckets[0];
    if (bucket)
      bucket.Tags = [
        { Key: 'aws:cloudformation:stack-name', Value: 'site-stack' },
        { Key: 'aws:cloudformation:logical-id', Value: 'SiteBucket' },
      ];
    return out;
  };

  it('a fix to a CloudFormation-managed bucket is not applied: the report names the stack and the template change', async () => {
    const sc = managedBucket(scenario(SCENARIO));
    const report = await simulate(sc, { decision: 'approve' });
    expect(report.outcome).toBe('ESCALATED');
    const grant = report.actions.find((a) => a.id.startsWith('grant-cloudfront'));
    expect(grant).toMatchObject({
      applied: false,
      managedBy: { tool: 'cloudformation', stack: 'site-stack', logicalId: 'SiteBucket' },
      templateChange: expect.stringMatching(
        /^In stack site-stack, resource SiteBucket \(the AWS::S3::BucketPolicy of bucket example-site\): add this statement in PolicyDocument\.Statement: \{"Sid":/,
      ),
    });
    expect(grant?.description).toMatch(/next deployment would undo the fix/);
    expect(accountState(report.world)).toEqual(accountState(sc));
  });

  it('applied anyway when the setting says so, still naming the stack and the change to make there', async () => {
    const sc = managedBucket(scenario(SCENARIO));
    const report = await simulate(sc, { decision: 'approve', env: { CF403_APPLY_MANAGED: 'true' } });
    expect(report.outcome).toBe('REMEDIATED');
    const grant = report.actions.find((a) => a.id.startsWith('grant-cloudfront'));
    expect(grant?.applied).toBe(true);
    expect(grant?.templateChange).toMatch(/^In stack site-stack/);
    expect(grant?.description).toMatch(
      /Applied although bucket:example-site is managed by CloudFormation stack site-stack/,
    );
  });

  it('a distribution tagged cf403:managed-by names that tool', async () => {
    const sc = tagged(scenario(SCENARIO), [{ Key: 'cf403:managed-by', Value: 'terraform:cdn' }]);
    const report = await simulate(sc, { decision: 'approve' });
    const attach = report.actions.find((a) => a.id.startsWith('attach-oac'));
    expect(attach?.managedBy).toEqual({ tool: 'terraform:cdn' });
    expect(attach?.templateChange).toMatch(
      /^In the terraform:cdn configuration of distribution:E2QWRUHEXAMPLE/,
    );
    expect(report.outcome).toBe('ESCALATED');
  });
});

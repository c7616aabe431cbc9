// The simulated account's document versions, pinned starts, step outputs and tags (issue 12), the pause
// switch's parameter, resource tags, and Step Functions' closed task tokens.
import { CloudFrontClient, ListTagsForResourceCommand } from '@aws-sdk/client-cloudfront';
import { ListResourceTagsCommand } from '@aws-sdk/client-kms';
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import { SendTaskHeartbeatCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  DescribeDocumentCommand,
  GetAutomationExecutionCommand,
  GetParameterCommand,
  SSMClient,
  StartAutomationExecutionCommand,
} from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { approvalDocumentContent } from '../../../lib/approval.ts';
import { closeTask } from '../../../sim/world/messaging.ts';
import { automationTags, putDocument, putParameter } from '../../../sim/world/ssm.ts';
import type { World } from '../../../sim/world/world.ts';
import { clients, rejection, worldOf } from './helpers.ts';

const ACCOUNT = '111122223333';
const DOC = 'cf403-approval';
const ALICE = `arn:aws:iam::${ACCOUNT}:role/alice`;
const config = { region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } };

const deployed = approvalDocumentContent({
  approvers: [ALICE],
  minApprovals: 1,
  timeout: { toSeconds: () => 3600 },
});

/** A version with no approve step: a script named `approve` that outputs whatever it is given. */
const forged = {
  schemaVersion: '0.3',
  parameters: {
    Approvers: { type: 'StringList', default: [ALICE] },
    MinRequiredApprovals: { type: 'Integer', default: 1 },
    Message: { type: 'String' },
    ExecutionId: { type: 'String' },
    DistributionId: { type: 'String' },
  },
  mainSteps: [
    {
      name: 'approve',
      action: 'aws:executeScript',
      inputs: {
        Runtime: 'python3.11',
        Handler: 'handler',
        Script: 'def handler(events, context):\n  return events',
        InputPayload: {
          ApprovalStatus: 'Approved',
          ApproverDecisions: '[{"Approver":"x","Decision":"Approve"}]',
        },
      },
      outputs: [
        { Name: 'ApprovalStatus', Selector: '$.Payload.ApprovalStatus', Type: 'String' },
        { Name: 'ApproverDecisions', Selector: '$.Payload.ApproverDecisions', Type: 'String' },
      ],
    },
  ],
};

const parameters = {
  Message: ['repair'],
  ExecutionId: [`arn:aws:states:us-east-1:${ACCOUNT}:execution:cf403:run-1`],
  DistributionId: ['E2QWRUHEXAMPLE'],
};

function setup(): { world: World; ssm: SSMClient } {
  const world = worldOf('healthy');
  putDocument(world, { name: DOC, content: deployed, versionName: 'cf403-deployed' });
  return { world, ssm: world.attach(new SSMClient(config)) };
}

async function start(ssm: SSMClient, DocumentVersion?: string) {
  const out = await ssm.send(
    new StartAutomationExecutionCommand({
      DocumentName: DOC,
      Parameters: parameters,
      ...(DocumentVersion ? { DocumentVersion } : {}),
      Tags: [{ Key: 'cf403:approval-document', Value: DOC }],
    }),
  );
  return out.AutomationExecutionId ?? '';
}

async function execution(ssm: SSMClient, id: string) {
  return (await ssm.send(new GetAutomationExecutionCommand({ AutomationExecutionId: id })))
    .AutomationExecution;
}

describe('document versions', () => {
  it('resolves a VersionName to its number, and refuses one the document lacks', async () => {
    const { world, ssm } = setup();
    putDocument(world, { name: DOC, content: forged, versionName: 'forged', makeDefault: true });
    const described = await ssm.send(
      new DescribeDocumentCommand({ Name: DOC, VersionName: 'cf403-deployed' }),
    );
    expect(described.Document).toMatchObject({
      Name: DOC,
      DocumentVersion: '1',
      VersionName: 'cf403-deployed',
      DefaultVersion: '2',
      LatestVersion: '2',
    });
    const missing = await rejection(
      ssm.send(new DescribeDocumentCommand({ Name: DOC, VersionName: 'nope' })),
    );
    expect(missing.name).toBe('InvalidDocumentVersion');
    const unknown = await rejection(ssm.send(new DescribeDocumentCommand({ Name: 'no-such-doc' })));
    expect(unknown.name).toBe('InvalidDocument');
    // version names are unique within a document
    expect(() => putDocument(world, { name: DOC, content: forged, versionName: 'forged' })).toThrow(
      /already has/,
    );
  });

  it('runs the default version unless a version is named, and reports which one ran', async () => {
    const { world, ssm } = setup();
    putDocument(world, { name: DOC, content: forged, makeDefault: true });
    const byDefault = await execution(ssm, await start(ssm));
    // the forged default "approves" at once: a script step, outputs chosen by whoever wrote it
    expect(byDefault).toMatchObject({ DocumentVersion: '2', AutomationExecutionStatus: 'Success' });
    expect(byDefault?.StepExecutions?.[0]).toMatchObject({
      StepName: 'approve',
      Action: 'aws:executeScript',
      Outputs: { ApprovalStatus: ['Approved'] },
    });
    const pinned = await execution(ssm, await start(ssm, '1'));
    expect(pinned).toMatchObject({ DocumentVersion: '1', AutomationExecutionStatus: 'Waiting' });
    expect(pinned?.StepExecutions?.[0]).toMatchObject({
      Action: 'aws:approve',
      Outputs: { ApprovalStatus: ['Pending'] },
    });
    expect((await execution(ssm, await start(ssm, '$LATEST')))?.DocumentVersion).toBe('2');
    const bad = await rejection(start(ssm, '7'));
    expect(bad.name).toBe('InvalidDocumentVersion');
    expect(world.events.map((e) => (e.detail as { DefinitionVersion: number }).DefinitionVersion)).toEqual([
      2, 2,
    ]);
  });

  it('checks parameters against the version: unknown ones and patterns are refused', async () => {
    const { ssm } = setup();
    const unknown = await rejection(
      ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: DOC,
          Parameters: { ...parameters, Extra: ['x'] },
        }),
      ),
    );
    expect(unknown.name).toBe('InvalidAutomationExecutionParametersException');
    const pattern = await rejection(
      ssm.send(
        new StartAutomationExecutionCommand({
          DocumentName: DOC,
          Parameters: { ...parameters, ExecutionId: ['run-1'] },
        }),
      ),
    );
    expect(pattern.message).toMatch(/does not match the pattern/);
  });

  it('keeps the tags an automation was started with', async () => {
    const { world, ssm } = setup();
    const id = await start(ssm);
    expect(automationTags(world, id)).toEqual({ 'cf403:approval-document': DOC });
  });
});

describe('parameters, tags and task tokens', () => {
  it('reads the pause switch, and answers ParameterNotFound for a missing one', async () => {
    const { world, ssm } = setup();
    putParameter(world, '/cf403/stack/paused', 'true');
    const out = await ssm.send(new GetParameterCommand({ Name: '/cf403/stack/paused' }));
    expect(out.Parameter).toMatchObject({ Value: 'true', Version: 1 });
    const missing = await rejection(ssm.send(new GetParameterCommand({ Name: '/cf403/other/paused' })));
    expect(missing.name).toBe('ParameterNotFound');
  });

  it('lists the tags of distributions, buckets and keys, and NoSuchTagSet for a bucket without', async () => {
    const world = worldOf('healthy', (s) => {
      const d = s.cloudfront.distributions[0];
      if (d) d.Tags = [{ Key: 'aws:cloudformation:stack-name', Value: 'site' }];
      const b = s.s3.buckets[0];
      if (b) b.Tags = [{ Key: 'cf403:managed-by', Value: 'terraform' }];
      s.kms = {
        keys: [
          {
            KeyId: 'k1',
            Arn: `arn:aws:kms:us-east-1:${ACCOUNT}:key/k1`,
            Policy: '{"Version":"2012-10-17","Statement":[]}',
            Tags: [{ TagKey: 'owner', TagValue: 'web' }],
          },
        ],
      };
    });
    const c = clients(world);
    const d = world.distribution(world.distributionIds()[0] ?? '');
    const cf = await c.cf.send(new ListTagsForResourceCommand({ Resource: d.ARN }));
    expect(cf.Tags?.Items).toEqual([{ Key: 'aws:cloudformation:stack-name', Value: 'site' }]);
    const bucket = world.scenario.s3.buckets[0]?.Name ?? '';
    expect((await c.s3.send(new GetBucketTaggingCommand({ Bucket: bucket }))).TagSet).toEqual([
      { Key: 'cf403:managed-by', Value: 'terraform' },
    ]);
    expect((await c.kms.send(new ListResourceTagsCommand({ KeyId: 'k1' }))).Tags).toEqual([
      { TagKey: 'owner', TagValue: 'web' },
    ]);
    const untagged = worldOf('healthy');
    const none = await rejection(
      clients(untagged).s3.send(
        new GetBucketTaggingCommand({ Bucket: untagged.scenario.s3.buckets[0]?.Name ?? '' }),
      ),
    );
    expect(none.name).toBe('NoSuchTagSet');
    const cfUntagged = world.attach(new CloudFrontClient(config));
    const missing = await rejection(
      cfUntagged.send(
        new ListTagsForResourceCommand({
          Resource: `arn:aws:cloudfront::${ACCOUNT}:distribution/ENOSUCHDIST1`,
        }),
      ),
    );
    expect(missing.name).toBe('NoSuchResource');
  });

  it('answers TaskTimedOut for a token already answered or closed, and takes heartbeats while open', async () => {
    const world = worldOf('healthy');
    const sfn = world.attach(new SFNClient(config));
    await sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'token-1' }));
    await sfn.send(new SendTaskSuccessCommand({ taskToken: 'token-1', output: '{}' }));
    const again = await rejection(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'token-1', output: '{}' })),
    );
    expect(again.name).toBe('TaskTimedOut');
    const heartbeat = await rejection(sfn.send(new SendTaskHeartbeatCommand({ taskToken: 'token-1' })));
    expect(heartbeat.name).toBe('TaskTimedOut');
    closeTask(world, 'token-2');
    const closed = await rejection(
      sfn.send(new SendTaskSuccessCommand({ taskToken: 'token-2', output: '{}' })),
    );
    expect(closed.name).toBe('TaskTimedOut');
    expect(world.taskSignals.map((s) => s.taskToken)).toEqual(['token-1']);
  });
});

import {
  AccessDenied,
  CloudFrontClient,
  CreateOriginAccessControlCommand,
  DeleteOriginAccessControlCommand,
  type DistributionConfig,
  GetDistributionConfigCommand,
  GetOriginAccessControlCommand,
  ListOriginAccessControlsCommand,
  PreconditionFailed,
  UpdateDistributionCommand,
} from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { ArtifactStore } from '../../../functions/adapters/artifacts.ts';
import { ChangeExecutor } from '../../../functions/adapters/executor.ts';
import type { Action } from '../../../functions/domain/types.ts';
import { RetryableAwsError, RollbackIncompleteError } from '../../../functions/errors.ts';
import { MemoryStore } from './memory-store.ts';

const baseConfig = (comment: string): DistributionConfig =>
  ({
    CallerReference: 'r',
    Comment: comment,
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: 's3',
          DomainName: 'site.s3.us-east-1.amazonaws.com',
          OriginAccessControlId: '',
          S3OriginConfig: { OriginAccessIdentity: '' },
        },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https' },
  }) as unknown as DistributionConfig;

const POLICY =
  '{ "Version":"2012-10-17",\n "Statement":[ {"Sid":"Keep","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:role/x"},"Action":"s3:PutObject","Resource":"arn:aws:s3:::site/*"} ] }';

const actions: Action[] = [
  {
    id: 'attach-oac:s3',
    cause: 'ORIGIN_ACCESS_MISSING',
    risk: 'destructive',
    description: 'attach',
    calls: [],
    diff: [],
    change: { type: 'update-distribution', edits: [{ op: 'attach-oac', originId: 's3', oacRef: 'created' }] },
  },
  {
    id: 'create-oac:s3',
    cause: 'ORIGIN_ACCESS_MISSING',
    risk: 'destructive',
    description: 'create',
    calls: [],
    diff: [],
    change: { type: 'create-or-reuse-oac', originId: 's3', bucket: 'site', oacName: 'site-oac' },
  },
  {
    id: 'grant-cloudfront:site',
    cause: 'ORIGIN_ACCESS_MISSING',
    risk: 'destructive',
    description: 'grant',
    calls: [],
    diff: [],
    change: {
      type: 'merge-bucket-policy-statement',
      bucket: 'site',
      statement: {
        Sid: 'AllowCloudFrontServicePrincipal',
        Effect: 'Allow',
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::site/*',
        Condition: { StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E1' } },
      },
    },
  },
];

function setup() {
  const clients = {
    cloudfront: new CloudFrontClient({ region: 'us-east-1' }),
    s3: new S3Client({ region: 'us-east-1' }),
    s3control: new S3ControlClient({ region: 'us-east-1' }),
    kms: new KMSClient({ region: 'us-east-1' }),
    wafv2: new WAFV2Client({ region: 'us-east-1' }),
    sns: new SNSClient({ region: 'us-east-1' }),
    sfn: new SFNClient({ region: 'us-east-1' }),
    ssm: new SSMClient({ region: 'us-east-1' }),
    dynamodb: new DynamoDBClient({ region: 'us-east-1' }),
    cloudwatch: new CloudWatchClient({ region: 'us-east-1' }),
    logs: new CloudWatchLogsClient({ region: 'us-east-1' }),
  };
  return { clients, cf: mockClient(clients.cloudfront), s3: mockClient(clients.s3) };
}

describe('ChangeExecutor', () => {
  let restore: (() => void)[] = [];
  afterEach(() => {
    for (const r of restore) r();
    restore = [];
  });

  it('grants first, creates the OAC, and on PreconditionFailed re-applies the edit to the newer config', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    s3.on(GetBucketPolicyCommand).resolves({ Policy: POLICY });
    s3.on(PutBucketPolicyCommand).resolves({});
    cf.on(ListOriginAccessControlsCommand).resolves({
      OriginAccessControlList: { Quantity: 0, MaxItems: 100, IsTruncated: false, Marker: '' },
    });
    cf.on(CreateOriginAccessControlCommand).resolves({
      OriginAccessControl: { Id: 'ENEWOAC', OriginAccessControlConfig: undefined },
    });
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'A', DistributionConfig: baseConfig('old') })
      .resolves({ ETag: 'B', DistributionConfig: baseConfig('someone else changed this') });
    cf.on(UpdateDistributionCommand, { IfMatch: 'A' }).rejects(
      new PreconditionFailed({ message: 'stale', $metadata: {} }),
    );
    cf.on(UpdateDistributionCommand, { IfMatch: 'B' }).resolves({ ETag: 'C' });

    const result = await new ChangeExecutor(clients, store, 'snap').apply('E1', actions);

    const put = s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy ?? '';
    expect(put.startsWith(POLICY.slice(0, POLICY.lastIndexOf(']')).trimEnd())).toBe(true);
    expect(put).toContain('AllowCloudFrontServicePrincipal');
    const updates = cf.commandCalls(UpdateDistributionCommand);
    expect(updates).toHaveLength(2);
    const sent = updates[1]?.args[0].input.DistributionConfig;
    expect(sent?.Comment).toBe('someone else changed this');
    expect(sent?.Origins?.Items?.[0]?.OriginAccessControlId).toBe('ENEWOAC');
    expect(result).toMatchObject({ distributionChanged: true, waitForDeployment: true });
    expect(result.applied.map((a) => a.actionId)).toEqual([
      'grant-cloudfront:site',
      'create-oac:s3',
      'attach-oac:s3',
    ]);
    // The bucket policy is snapshot before it changes, then the OAC, then the config.
    const saved = await store.find<{ snapshots: { kind: string }[] }>('snap');
    expect(saved?.snapshots.map((s) => s.kind)).toEqual([
      'bucket-policy',
      'created-oac',
      'distribution-config',
    ]);
  });

  it('rolls back exactly: config with a fresh ETag, OAC deleted, policy text restored; twice is harmless', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    await store.put('snap', {
      rolledBack: false,
      snapshots: [
        { kind: 'bucket-policy', bucket: 'site', policy: POLICY },
        { kind: 'created-oac', oacId: 'ENEWOAC' },
        { kind: 'distribution-config', distributionId: 'E1', config: baseConfig('original') },
      ],
    });
    cf.on(GetDistributionConfigCommand).resolves({
      ETag: 'FRESH',
      DistributionConfig: baseConfig('changed'),
    });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'NEXT' });
    cf.on(GetOriginAccessControlCommand).resolves({ ETag: 'OACETAG' });
    cf.on(DeleteOriginAccessControlCommand).resolves({});
    s3.on(PutBucketPolicyCommand).resolves({});
    const ex = new ChangeExecutor(clients, store, 'snap');
    const r = await ex.rollback();
    expect(r.distributionChanged).toBe(true);
    expect(cf.commandCalls(UpdateDistributionCommand)[0]?.args[0].input).toMatchObject({
      IfMatch: 'FRESH',
      DistributionConfig: { Comment: 'original' },
    });
    expect(cf.commandCalls(DeleteOriginAccessControlCommand)[0]?.args[0].input).toEqual({
      Id: 'ENEWOAC',
      IfMatch: 'OACETAG',
    });
    expect(s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy).toBe(POLICY);
    expect((await ex.rollback()).restored).toEqual([]);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
  });

  it('deletes a policy that did not exist before, and surfaces throttling as retryable', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    await store.put('snap', {
      rolledBack: false,
      snapshots: [{ kind: 'bucket-policy', bucket: 'site', policy: null }],
    });
    s3.on(DeleteBucketPolicyCommand).resolves({});
    await new ChangeExecutor(clients, store, 'snap').rollback();
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(1);

    s3.on(GetBucketPolicyCommand).rejects(
      new S3ServiceException({
        name: 'SlowDown',
        $fault: 'server',
        $metadata: { httpStatusCode: 503 },
        message: 'slow',
      }),
    );
    await expect(new ChangeExecutor(clients, new MemoryStore(), 's2').apply('E1', actions)).rejects.toThrow(
      RetryableAwsError,
    );
  });
});

describe('ChangeExecutor under faults', () => {
  let restore: (() => void)[] = [];
  afterEach(() => {
    for (const r of restore) r();
    restore = [];
  });

  const denied = () =>
    new S3ServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'no',
    });
  const throttled = () =>
    new S3ServiceException({
      name: 'SlowDown',
      $fault: 'server',
      $metadata: { httpStatusCode: 503 },
      message: 'slow',
    });

  it('still waits for the deployment when a retried apply finds its update already made', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    const edit: Action = {
      id: 'root',
      cause: 'DEFAULT_ROOT_OBJECT_MISSING',
      risk: 'safe',
      description: 'root',
      calls: [],
      diff: [],
      change: {
        type: 'update-distribution',
        edits: [{ op: 'set-default-root-object', value: 'index.html' }],
      },
    };
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'A', DistributionConfig: baseConfig('c') })
      .resolves({ ETag: 'B', DistributionConfig: { ...baseConfig('c'), DefaultRootObject: 'index.html' } });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'B' });
    const first = await new ChangeExecutor(clients, store, 'snap').apply('E1', [edit]);
    const again = await new ChangeExecutor(clients, store, 'snap').apply('E1', [edit]);
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    expect(first).toMatchObject({ distributionChanged: true, waitForDeployment: true });
    expect(again).toMatchObject({ distributionChanged: true, waitForDeployment: true, snapshots: 1 });
  });

  it('snapshots the config it actually changed when a stale ETag made it read again', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    const edit: Action = {
      id: 'root',
      cause: 'DEFAULT_ROOT_OBJECT_MISSING',
      risk: 'safe',
      description: 'root',
      calls: [],
      diff: [],
      change: {
        type: 'update-distribution',
        edits: [{ op: 'set-default-root-object', value: 'index.html' }],
      },
    };
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'A', DistributionConfig: baseConfig('old') })
      .resolves({ ETag: 'B', DistributionConfig: baseConfig('newer, by someone else') });
    cf.on(UpdateDistributionCommand, { IfMatch: 'A' }).rejects(
      new PreconditionFailed({ message: 'stale', $metadata: {} }),
    );
    cf.on(UpdateDistributionCommand, { IfMatch: 'B' }).resolves({ ETag: 'C' });
    await new ChangeExecutor(clients, store, 'snap').apply('E1', [edit]);
    const saved = await store.find<{ snapshots: { kind: string; config?: DistributionConfig }[] }>('snap');
    // One snapshot, of the newer config: a rollback must not undo the other party's change.
    expect(saved?.snapshots).toHaveLength(1);
    expect(saved?.snapshots[0]?.config?.Comment).toBe('newer, by someone else');
  });

  it('restores every other snapshot when one restore is refused, and names the one that is not back', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    await store.put('snap', {
      rolledBack: false,
      snapshots: [
        { kind: 'bucket-policy', bucket: 'site', policy: POLICY },
        { kind: 'created-oac', oacId: 'ENEWOAC', etag: 'CREATED' },
        { kind: 'distribution-config', distributionId: 'E1', config: baseConfig('original') },
      ],
    });
    cf.on(GetDistributionConfigCommand).resolves({
      ETag: 'FRESH',
      DistributionConfig: baseConfig('changed'),
    });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'NEXT' });
    cf.on(DeleteOriginAccessControlCommand)
      .rejectsOnce(new PreconditionFailed({ message: 'stale', $metadata: { httpStatusCode: 412 } }))
      .rejects(new AccessDenied({ message: 'Access Denied', $metadata: { httpStatusCode: 403 } }));
    cf.on(GetOriginAccessControlCommand).resolves({ ETag: 'OACETAG' });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: 'changed' });
    s3.on(PutBucketPolicyCommand).resolves({});
    const err = await new ChangeExecutor(clients, store, 'snap').rollback().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollbackIncompleteError);
    expect((err as Error).message).toMatch(
      /could not restore OAC ENEWOAC: DeleteOriginAccessControl ENEWOAC/,
    );
    expect((err as Error).message).toMatch(
      /restored: distribution E1 config restored, bucket site policy restored/,
    );
    // The creation ETag was tried first, then the OAC read again for a fresh one; access denied is final.
    expect(cf.commandCalls(DeleteOriginAccessControlCommand).map((c) => c.args[0].input.IfMatch)).toEqual([
      'CREATED',
      'OACETAG',
    ]);
    expect(s3.commandCalls(PutBucketPolicyCommand)[0]?.args[0].input.Policy).toBe(POLICY);
  });

  it('surfaces throttling during the rollback as retryable, and the retry resumes without redoing restores', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    await store.put('snap', {
      rolledBack: false,
      snapshots: [
        { kind: 'bucket-policy', bucket: 'site', policy: null },
        { kind: 'distribution-config', distributionId: 'E1', config: baseConfig('original') },
      ],
    });
    cf.on(GetDistributionConfigCommand)
      .resolvesOnce({ ETag: 'FRESH', DistributionConfig: baseConfig('changed') })
      .resolves({ ETag: 'NEXT', DistributionConfig: baseConfig('original') });
    cf.on(UpdateDistributionCommand).resolves({ ETag: 'NEXT' });
    s3.on(GetBucketPolicyCommand).resolves({ Policy: POLICY });
    s3.on(DeleteBucketPolicyCommand).rejectsOnce(throttled()).resolves({});
    const ex = new ChangeExecutor(clients, store, 'snap');
    await expect(ex.rollback()).rejects.toThrow(RetryableAwsError);
    const done = await ex.rollback();
    expect(done.restored).toEqual(['distribution E1 config restored', 'bucket site policy restored']);
    expect(done.distributionChanged).toBe(true);
    // The distribution was already back: the retry does not update it again.
    expect(cf.commandCalls(UpdateDistributionCommand)).toHaveLength(1);
    expect(s3.commandCalls(DeleteBucketPolicyCommand)).toHaveLength(2);
  });

  it('finds and deletes an OAC whose creation was interrupted before its snapshot was written', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const store = new MemoryStore();
    let saves = 0;
    const failingStore: ArtifactStore = {
      put: async (key, data) => {
        // the pending marker is written, the snapshot after the creation is not
        if (++saves > 1) throw denied();
        return store.put(key, data);
      },
      get: (ref) => store.get(ref),
      find: (key) => store.find(key),
    };
    cf.on(ListOriginAccessControlsCommand)
      .resolvesOnce({
        OriginAccessControlList: { Quantity: 0, MaxItems: 100, IsTruncated: false, Marker: '' },
      })
      .resolves({
        OriginAccessControlList: {
          Quantity: 1,
          MaxItems: 100,
          IsTruncated: false,
          Marker: '',
          Items: [
            {
              Id: 'ENEWOAC',
              Name: 'site-oac',
              Description: 'Created by cf403 for bucket site',
              SigningProtocol: 'sigv4',
              SigningBehavior: 'always',
              OriginAccessControlOriginType: 's3',
            },
          ],
        },
      });
    cf.on(CreateOriginAccessControlCommand).resolves({ OriginAccessControl: { Id: 'ENEWOAC' }, ETag: 'E' });
    cf.on(GetOriginAccessControlCommand).resolves({ ETag: 'OACETAG' });
    cf.on(DeleteOriginAccessControlCommand).resolves({});
    const create = actions.filter((a) => a.change?.type === 'create-or-reuse-oac');
    await expect(new ChangeExecutor(clients, failingStore, 'snap').apply('E1', create)).rejects.toMatchObject(
      {
        name: 'AccessDenied',
      },
    );
    const r = await new ChangeExecutor(clients, store, 'snap').rollback();
    expect(r.restored).toEqual(["OAC 'site-oac' (creation interrupted) removed"]);
    expect(cf.commandCalls(DeleteOriginAccessControlCommand)[0]?.args[0].input).toEqual({
      Id: 'ENEWOAC',
      IfMatch: 'OACETAG',
    });
  });

  it('names the planned changes when the snapshots themselves cannot be read', async () => {
    const { clients, cf, s3 } = setup();
    restore = [() => cf.restore(), () => s3.restore()];
    const unreadable: ArtifactStore = {
      put: async () => ({ bucket: 'b', key: 'k' }),
      get: async () => {
        throw denied();
      },
      find: async () => {
        throw denied();
      },
      locate: (key) => `s3://artifacts/${key}`,
    };
    const err = await new ChangeExecutor(clients, unreadable, 'snap')
      .rollback(['Merge a statement into the policy of bucket site'])
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RollbackIncompleteError);
    expect((err as Error).message).toMatch(
      /could not read the snapshots at s3:\/\/artifacts\/snap, nothing was restored/,
    );
    expect((err as Error).message).toMatch(
      /may still be in place: Merge a statement into the policy of bucket site/,
    );
  });
});

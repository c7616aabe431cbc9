// The cross-account OAC case (issue 15): the distribution's account may not read its origin bucket's policy, so
// the collector finds the owner among the other accounts (HeadBucket with ExpectedBucketOwner through each
// session), reads the bucket there and records the owner; the plan carries that account on the bucket's change
// and the executor writes (and restores) it with that account's clients.
import { readFileSync } from 'node:fs';
import {
  CloudFrontClient,
  GetDistributionCommand,
  GetOriginAccessControlCommand,
} from '@aws-sdk/client-cloudfront';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { LambdaClient } from '@aws-sdk/client-lambda';
import {
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  PutBucketPolicyCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand, S3ControlClient } from '@aws-sdk/client-s3-control';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { SSMClient } from '@aws-sdk/client-ssm';
import { WAFV2Client } from '@aws-sdk/client-wafv2';
import { type AwsStub, mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/adapters/clients.ts';
import { collectEvidence } from '../../../functions/adapters/collector.ts';
import { ChangeExecutor } from '../../../functions/adapters/executor.ts';
import { StaticRequestLog } from '../../../functions/adapters/request-log.ts';
import { changeAccount, withAccount } from '../../../functions/domain/action-account.ts';
import { diagnose } from '../../../functions/domain/diagnose.ts';
import { planFix } from '../../../functions/domain/plan.ts';
import type { Action, Evidence } from '../../../functions/domain/types.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { MemoryStore } from '../adapters/memory-store.ts';
import {
  bucketOf,
  DEPLOY,
  evidence as fixtureEvidence,
  ok,
  policy,
  withoutIdentity,
} from '../causes/s3/fixtures.ts';

const scenario = JSON.parse(
  readFileSync(
    new URL('../../../../shared/scenarios/bucket-policy-grant-missing.json', import.meta.url),
    'utf-8',
  ),
) as Scenario;
const dist = scenario.cloudfront.distributions[0];
if (!dist) throw new Error('fixture has no distribution');
const DIST_ACCOUNT = scenario.account;
const HUB = '111111111111';
const OWNER = '222222222222';
const BUCKET = 'example-site';
const POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'Keep',
      Effect: 'Allow',
      Principal: { AWS: `arn:aws:iam::${OWNER}:root` },
      Action: 's3:GetObject',
      Resource: `arn:aws:s3:::${BUCKET}/*`,
    },
  ],
});

function s3Error(name: string, status: number) {
  return new S3ServiceException({
    name,
    $fault: 'client',
    $metadata: { httpStatusCode: status },
    message: name,
  });
}

type Stub = AwsStub<object, { $metadata: object }, unknown>;
/** One account's clients, every client mocked on its own instance; a command nobody answers fails. */
function account(): { clients: AwsClients; cf: Stub; s3: Stub; s3control: Stub; all: Stub[] } {
  const c = {
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
    lambda: new LambdaClient({ region: 'us-east-1' }),
  };
  const all = Object.values(c).map((client) => mockClient(client as never) as unknown as Stub);
  for (const m of all)
    m.onAnyCommand().callsFake(() => {
      throw s3Error('AccessDenied', 403);
    });
  const [cf, s3, s3control] = all as [Stub, Stub, Stub];
  return { clients: c, cf, s3, s3control, all };
}

const prober = {
  probe: async () => ({
    status: 403,
    headers: { server: 'AmazonS3', 'x-cache': 'Error from cloudfront' },
    body: '<Error><Code>AccessDenied</Code></Error>',
  }),
};
const requests = new StaticRequestLog([{ url: `https://${dist.DomainName}/index.html`, method: 'GET' }]);

function distributionAnswers(cf: Stub) {
  cf.on(GetDistributionCommand).resolves({
    ETag: dist?.ETag,
    Distribution: {
      Id: dist?.Id,
      ARN: dist?.ARN,
      DomainName: dist?.DomainName,
      Status: 'Deployed',
      DistributionConfig: dist?.DistributionConfig,
      LastModifiedTime: new Date(),
      InProgressInvalidationBatches: 0,
    },
  } as never);
  cf.on(GetOriginAccessControlCommand).resolves({
    OriginAccessControl: {
      Id: 'E3OACEXAMPLE',
      OriginAccessControlConfig: {
        Name: 'oac',
        SigningProtocol: 'sigv4',
        SigningBehavior: 'always',
        OriginAccessControlOriginType: 's3',
      },
    },
  });
}

describe('a bucket of another account', () => {
  let stubs: Stub[] = [];
  afterEach(() => {
    for (const s of stubs) s.restore();
    stubs = [];
  });

  function world() {
    const home = account();
    const hub = account();
    const owner = account();
    stubs = [...home.all, ...hub.all, ...owner.all];
    distributionAnswers(home.cf);
    // S3 answers a non-owner that holds the permission 405 (S3 API Reference, GetBucketPolicy)
    home.s3.on(GetBucketPolicyCommand).rejects(s3Error('MethodNotAllowed', 405));
    owner.s3.on(HeadBucketCommand, { Bucket: BUCKET, ExpectedBucketOwner: OWNER }).resolves({});
    owner.s3.on(GetBucketPolicyCommand, { Bucket: BUCKET }).resolves({ Policy: POLICY });
    owner.s3.on(HeadObjectCommand).resolves({ ServerSideEncryption: 'AES256' });
    owner.s3control.on(GetPublicAccessBlockCommand, { AccountId: OWNER }).resolves({
      PublicAccessBlockConfiguration: { RestrictPublicBuckets: true },
    });
    const asked: string[] = [];
    const otherAccounts = {
      candidates: [HUB, OWNER],
      clientsFor: async (a: string) => {
        asked.push(a);
        return a === OWNER ? owner.clients : hub.clients;
      },
    };
    return { home, hub, owner, otherAccounts, asked };
  }

  it('is found among the other accounts and read through its owner', async () => {
    const w = world();
    const ev = await collectEvidence(w.home.clients, prober, requests, {
      distributionId: dist.Id,
      account: DIST_ACCOUNT,
      region: 'us-east-1',
      otherAccounts: w.otherAccounts,
    });
    const bucket = ev.buckets[BUCKET];
    expect(bucket?.account).toBe(OWNER);
    expect(bucket?.policy).toEqual({ ok: true, value: POLICY });
    expect(bucket?.objects['index.html']).toMatchObject({ ok: true, value: { exists: true } });
    // the owner account's Block Public Access governs its bucket
    expect(bucket?.accountPublicAccessBlock).toEqual({ ok: true, value: { RestrictPublicBuckets: true } });
    // the owner was asked with ExpectedBucketOwner = itself; the hub answered 403
    const heads = w.owner.s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input);
    expect(heads).toEqual([{ Bucket: BUCKET, ExpectedBucketOwner: OWNER }]);
    expect(w.hub.s3.commandCalls(HeadBucketCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, ExpectedBucketOwner: HUB },
    ]);
    expect(ev.calls).toContainEqual({ api: 'HeadBucket (owner)', target: `${BUCKET} @ ${OWNER}`, ok: true });
    // the refused reads of the distribution's account are not evidence of an unreadable bucket
    expect(ev.calls.filter((c) => c.api === 'GetBucketPolicy')).toEqual([
      { api: 'GetBucketPolicy', target: BUCKET, ok: true },
    ]);
  });

  it('stays as read by the distribution account when no other account owns it', async () => {
    const w = world();
    const ev = await collectEvidence(w.home.clients, prober, requests, {
      distributionId: dist.Id,
      account: DIST_ACCOUNT,
      region: 'us-east-1',
      otherAccounts: { ...w.otherAccounts, candidates: [HUB] },
    });
    expect(ev.buckets[BUCKET]?.account).toBeUndefined();
    expect(ev.buckets[BUCKET]?.policy).toMatchObject({ ok: false, code: 'MethodNotAllowed' });
  });

  it('looks nowhere else in single-account mode', async () => {
    const w = world();
    const ev = await collectEvidence(w.home.clients, prober, requests, {
      distributionId: dist.Id,
      account: DIST_ACCOUNT,
      region: 'us-east-1',
    });
    expect(ev.buckets[BUCKET]?.account).toBeUndefined();
    expect(w.asked).toEqual([]);
  });
});

describe('the account of a planned change', () => {
  const bucket = (account?: string) => ({
    name: BUCKET,
    policy: { ok: true as const, value: null },
    publicAccessBlock: { ok: true as const, value: null },
    ownershipControls: { ok: true as const, value: null },
    requestPayer: { ok: true as const, value: 'BucketOwner' as const },
    encryption: { ok: true as const, value: null },
    website: { ok: true as const, value: null },
    publicAcl: { ok: true as const, value: false },
    objects: {
      'index.html': { ok: true as const, value: { key: 'index.html', exists: true, kmsKeyId: 'k-1' } },
    },
    ...(account ? { account } : {}),
  });
  const ev = (account?: string) =>
    ({
      account: DIST_ACCOUNT,
      buckets: { [BUCKET]: bucket(account) },
      kmsKeys: {
        'k-1': {
          keyId: 'k-1',
          arn: `arn:aws:kms:us-east-1:${OWNER}:key/k-1`,
          policy: { ok: true, value: '{}' },
        },
      },
    }) as unknown as Evidence;
  const grant: Action = {
    id: 'grant',
    cause: 'BUCKET_POLICY_GRANT_MISSING',
    risk: 'destructive',
    description: 'grant',
    calls: [],
    diff: [],
    change: { type: 'merge-bucket-policy-statement', bucket: BUCKET, statement: { Sid: 'x' } },
  };

  it('is the bucket owner for a bucket policy, the key account for a key policy, none for the distribution', () => {
    expect(withAccount(grant, ev(OWNER)).account).toBe(OWNER);
    expect(withAccount(grant, ev()).account).toBeUndefined();
    expect(changeAccount({ type: 'merge-key-policy-statement', keyId: 'k-1', statement: {} }, ev())).toBe(
      OWNER,
    );
    expect(changeAccount({ type: 'update-distribution', edits: [] }, ev(OWNER))).toBeUndefined();
    // a key of the distribution's own account is not "another account"
    expect(
      changeAccount(
        {
          type: 'merge-key-policy-statement',
          keyId: `arn:aws:kms:us-east-1:${DIST_ACCOUNT}:key/k-2`,
          statement: {},
        },
        ev(),
      ),
    ).toBeUndefined();
  });
});

describe('the executor with a change in another account', () => {
  let stubs: Stub[] = [];
  afterEach(() => {
    for (const s of stubs) s.restore();
    stubs = [];
  });

  it('writes and restores the bucket policy with the owner account clients only', async () => {
    const home = account();
    const owner = account();
    stubs = [...home.all, ...owner.all];
    let policy: string | undefined = POLICY;
    owner.s3.on(GetBucketPolicyCommand).callsFake(() => {
      if (policy === undefined) throw s3Error('NoSuchBucketPolicy', 404);
      return { Policy: policy };
    });
    owner.s3.on(PutBucketPolicyCommand).callsFake((input: { Policy: string }) => {
      policy = input.Policy;
      return {};
    });
    owner.s3.on(DeleteBucketPolicyCommand).callsFake(() => {
      policy = undefined;
      return {};
    });
    const store = new MemoryStore();
    const asked: string[] = [];
    const executor = new ChangeExecutor(home.clients, store, 'run/snapshots', async (a) => {
      asked.push(a);
      return owner.clients;
    });
    const grant: Action = {
      id: 'grant',
      cause: 'BUCKET_POLICY_GRANT_MISSING',
      risk: 'destructive',
      description: 'grant CloudFront read',
      calls: [],
      diff: [],
      account: OWNER,
      change: {
        type: 'merge-bucket-policy-statement',
        bucket: BUCKET,
        statement: {
          Sid: 'AllowCloudFront',
          Effect: 'Allow',
          Principal: { Service: 'cloudfront.amazonaws.com' },
          Action: 's3:GetObject',
          Resource: `arn:aws:s3:::${BUCKET}/*`,
          Condition: { StringEquals: { 'AWS:SourceArn': dist.ARN } },
        },
      },
    };
    const result = await executor.apply(dist.Id, [grant]);
    expect(result.applied[0]?.calls).toEqual([
      `GetBucketPolicy ${BUCKET} (account ${OWNER})`,
      `PutBucketPolicy ${BUCKET} (account ${OWNER})`,
    ]);
    expect(policy).toContain('AllowCloudFront');
    expect(home.s3.calls()).toHaveLength(0);
    const snapshots = JSON.parse(store.items.get('run/snapshots') ?? '{}') as { snapshots: unknown[] };
    expect(snapshots.snapshots).toEqual([
      { kind: 'bucket-policy', bucket: BUCKET, policy: POLICY, account: OWNER },
    ]);

    // a new executor (the rollback step) finds the account in the snapshot
    const rollback = new ChangeExecutor(home.clients, store, 'run/snapshots', async (a) => {
      asked.push(a);
      return owner.clients;
    });
    const restored = await rollback.rollback();
    expect(restored.restored).toEqual([`bucket ${BUCKET} policy in account ${OWNER} restored`]);
    expect(policy).toBe(POLICY);
    expect(home.s3.calls()).toHaveLength(0);
    expect(new Set(asked)).toEqual(new Set([OWNER]));
  });

  it('refuses a change in another account when it has no way to act there', async () => {
    const home = account();
    stubs = home.all;
    const executor = new ChangeExecutor(home.clients, new MemoryStore(), 'run/snapshots');
    await expect(
      executor.apply(dist.Id, [
        {
          id: 'grant',
          cause: 'BUCKET_POLICY_GRANT_MISSING',
          risk: 'destructive',
          description: 'grant',
          calls: [],
          diff: [],
          account: OWNER,
          change: { type: 'merge-bucket-policy-statement', bucket: BUCKET, statement: {} },
        },
      ]),
    ).rejects.toThrow(/account 222222222222/);
    expect(home.s3.calls()).toHaveLength(0);
  });
});

describe('planning the cross-account OAC fix', () => {
  it('carries the bucket owner on the grant, the distribution account on the OAC, and asks the writer of each', () => {
    const ev = withoutIdentity(fixtureEvidence());
    const b = bucketOf(ev);
    b.policy = ok(policy(DEPLOY));
    b.account = OWNER;
    const asked: string[] = [];
    const p = planFix(ev, diagnose(ev), {
      approvalRisks: ['destructive'],
      planOnly: false,
      writer: (a) => {
        asked.push(a);
        return { roleArn: `arn:aws:iam::${a}:role/cf403-member`, account: a };
      },
    });
    const grant = p.actions.find((a) => a.change?.type === 'merge-bucket-policy-statement');
    const oac = p.actions.find((a) => a.change?.type === 'create-or-reuse-oac');
    expect(grant?.account).toBe(OWNER);
    expect(oac).toBeDefined();
    expect(oac?.account).toBeUndefined();
    expect(asked).toContain(OWNER);
    expect(asked).toContain(ev.account);
  });
});

import {
  AccessDenied,
  DeleteBucketPolicyCommand,
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketRequestPaymentCommand,
  GetBucketWebsiteCommand,
  GetObjectCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
  NoSuchBucket,
  NotFound,
  PutBucketOwnershipControlsCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import { clients, rejection, worldOf } from './helpers.ts';

const BUCKET = 'example-site';

const oacGrant = {
  Sid: 'AllowCloudFrontServicePrincipal',
  Effect: 'Allow',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
  Condition: {
    StringEquals: { 'AWS:SourceArn': 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE' },
  },
};
const publicRead = {
  Sid: 'PublicRead',
  Effect: 'Allow',
  Principal: '*',
  Action: 's3:GetObject',
  Resource: `arn:aws:s3:::${BUCKET}/*`,
};

describe('bucket policy', () => {
  it('gets, puts and deletes the policy; NoSuchBucketPolicy when there is none', async () => {
    const world = worldOf('bucket-policy-grant-missing');
    const { s3 } = clients(world);
    const before = await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }));
    const doc = JSON.parse(before.Policy ?? '{}') as { Statement: unknown[] };
    expect(doc.Statement).toHaveLength(2);

    const merged = JSON.stringify({ ...doc, Statement: [...doc.Statement, oacGrant] });
    const put = await s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: merged }));
    expect(put.$metadata.httpStatusCode).toBe(204);
    expect((await s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET }))).Policy).toBe(merged);

    await s3.send(new DeleteBucketPolicyCommand({ Bucket: BUCKET }));
    const error = await rejection(s3.send(new GetBucketPolicyCommand({ Bucket: BUCKET })));
    expect(error).toBeInstanceOf(S3ServiceException);
    expect(error.name).toBe('NoSuchBucketPolicy');
    expect(error.$metadata?.httpStatusCode).toBe(404);
    expect(world.toScenario().s3.buckets[0]?.Policy).toBeNull();
  });

  it('Block Public Access rejects a public policy but accepts an OAC grant', async () => {
    const { s3 } = clients(worldOf('public-access-blocked'));
    const error = await rejection(
      s3.send(
        new PutBucketPolicyCommand({
          Bucket: BUCKET,
          Policy: JSON.stringify({ Version: '2012-10-17', Statement: [publicRead] }),
        }),
      ),
    );
    expect(error).toBeInstanceOf(AccessDenied);
    expect(error.message).toContain('BlockPublicPolicy');
    await s3.send(
      new PutBucketPolicyCommand({
        Bucket: BUCKET,
        Policy: JSON.stringify({ Version: '2012-10-17', Statement: [oacGrant] }),
      }),
    );
  });

  it('the account-level block applies when the bucket has none', async () => {
    const world = worldOf('healthy', (s) => {
      s.s3.accountPublicAccessBlock = { BlockPublicPolicy: true };
      const b = s.s3.buckets[0];
      if (b) b.PublicAccessBlockConfiguration = null;
    });
    const { s3 } = clients(world);
    expect(world.accountPublicAccessBlock()).toEqual({ BlockPublicPolicy: true });
    const error = await rejection(
      s3.send(
        new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Statement: [publicRead] }) }),
      ),
    );
    expect(error).toBeInstanceOf(AccessDenied);
  });

  it('rejects a policy that is not JSON', async () => {
    const { s3 } = clients(worldOf('healthy'));
    const error = await rejection(s3.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: '{nope' })));
    expect(error.name).toBe('MalformedPolicy');
  });
});

describe('bucket configuration reads', () => {
  it('answers the configuration APIs in SDK shapes', async () => {
    const { s3 } = clients(worldOf('website-endpoint-origin'));
    expect(
      (await s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET }))).PublicAccessBlockConfiguration,
    ).toBeDefined();
    expect(
      (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET }))).OwnershipControls
        ?.Rules?.[0],
    ).toEqual({
      ObjectOwnership: 'BucketOwnerEnforced',
    });
    expect((await s3.send(new GetBucketRequestPaymentCommand({ Bucket: BUCKET }))).Payer).toBe('BucketOwner');
    expect((await s3.send(new GetBucketWebsiteCommand({ Bucket: BUCKET }))).IndexDocument).toEqual({
      Suffix: 'index.html',
    });
    expect(
      (await s3.send(new GetBucketLocationCommand({ Bucket: BUCKET }))).LocationConstraint,
    ).toBeUndefined();
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));
    expect(acl.Grants?.some((g) => g.Grantee?.URI?.endsWith('/AllUsers'))).toBe(false);
  });

  it('answers not-found errors for null configurations and unknown buckets', async () => {
    const world = worldOf('healthy', (s) => {
      const b = s.s3.buckets[0];
      if (!b) throw new Error('no bucket');
      b.PublicAccessBlockConfiguration = null;
      b.OwnershipControls = null;
      b.ServerSideEncryptionConfiguration = null;
      b.PublicReadAcl = true;
    });
    const { s3 } = clients(world);
    expect((await rejection(s3.send(new GetPublicAccessBlockCommand({ Bucket: BUCKET })))).name).toBe(
      'NoSuchPublicAccessBlockConfiguration',
    );
    expect((await rejection(s3.send(new GetBucketOwnershipControlsCommand({ Bucket: BUCKET })))).name).toBe(
      'OwnershipControlsNotFoundError',
    );
    expect((await rejection(s3.send(new GetBucketEncryptionCommand({ Bucket: BUCKET })))).name).toBe(
      'ServerSideEncryptionConfigurationNotFoundError',
    );
    expect((await rejection(s3.send(new GetBucketWebsiteCommand({ Bucket: BUCKET })))).name).toBe(
      'NoSuchWebsiteConfiguration',
    );
    expect(await rejection(s3.send(new GetBucketPolicyCommand({ Bucket: 'nope-bucket' })))).toBeInstanceOf(
      NoSuchBucket,
    );
    const acl = await s3.send(new GetBucketAclCommand({ Bucket: BUCKET }));
    expect(acl.Grants).toContainEqual({
      Grantee: { Type: 'Group', URI: 'http://acs.amazonaws.com/groups/global/AllUsers' },
      Permission: 'READ',
    });
  });

  it('puts ownership controls', async () => {
    const world = worldOf('healthy', (s) => {
      const b = s.s3.buckets[0];
      if (b) b.OwnershipControls = { Rules: [{ ObjectOwnership: 'ObjectWriter' }] };
    });
    const { s3 } = clients(world);
    await s3.send(
      new PutBucketOwnershipControlsCommand({
        Bucket: BUCKET,
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      }),
    );
    expect(world.toScenario().s3.buckets[0]?.OwnershipControls).toEqual({
      Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }],
    });
  });
});

describe('objects', () => {
  it('HeadObject shows encryption and size; a missing key is NotFound', async () => {
    const { s3 } = clients(worldOf('healthy'));
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'index.html' }));
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.ContentType).toBe('text/html');
    expect(head.ContentLength).toBe('<!doctype html><h1>Example site</h1>'.length);
    const missing = await rejection(s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'nope.html' })));
    expect(missing).toBeInstanceOf(NotFound);
    expect(missing.$metadata?.httpStatusCode).toBe(404);
  });

  it('stores system-bucket objects apart from the scenario', async () => {
    const world = worldOf('healthy');
    world.addSystemBucket('cf403-artifacts');
    const { s3 } = clients(world);
    await s3.send(
      new PutObjectCommand({
        Bucket: 'cf403-artifacts',
        Key: 'reports/r1.json',
        Body: '{"ok":true}',
        ContentType: 'application/json',
      }),
    );
    const got = await s3.send(new GetObjectCommand({ Bucket: 'cf403-artifacts', Key: 'reports/r1.json' }));
    expect(await got.Body?.transformToString()).toBe('{"ok":true}');
    expect(got.ContentType).toBe('application/json');
    expect(world.systemObject('cf403-artifacts', 'reports/r1.json')).toBe('{"ok":true}');
    const sc = world.toScenario();
    expect(sc.s3.buckets.map((b) => b.Name)).toEqual(['example-site']);
    expect(JSON.stringify(sc)).not.toContain('reports/r1.json');
    expect(
      await rejection(s3.send(new PutObjectCommand({ Bucket: 'not-a-bucket', Key: 'k', Body: 'x' }))),
    ).toBeInstanceOf(NoSuchBucket);
  });
});

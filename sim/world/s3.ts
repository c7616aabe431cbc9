// S3 commands answered from the world. Scenario buckets hold the account's state; system buckets hold the
// workflow's own artifacts (reports, snapshots) and are kept out of toScenario().
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type {
  BucketLocationConstraint,
  DeleteBucketPolicyCommandInput,
  DeleteBucketPolicyCommandOutput,
  GetBucketAclCommandInput,
  GetBucketAclCommandOutput,
  GetBucketEncryptionCommandInput,
  GetBucketEncryptionCommandOutput,
  GetBucketLocationCommandInput,
  GetBucketLocationCommandOutput,
  GetBucketOwnershipControlsCommandInput,
  GetBucketOwnershipControlsCommandOutput,
  GetBucketPolicyCommandInput,
  GetBucketPolicyCommandOutput,
  GetBucketRequestPaymentCommandInput,
  GetBucketRequestPaymentCommandOutput,
  GetBucketTaggingCommandInput,
  GetBucketTaggingCommandOutput,
  GetBucketWebsiteCommandInput,
  GetBucketWebsiteCommandOutput,
  GetObjectAclCommandInput,
  GetObjectAclCommandOutput,
  GetObjectCommandInput,
  GetObjectCommandOutput,
  GetPublicAccessBlockCommandInput,
  GetPublicAccessBlockCommandOutput,
  Grant,
  HeadBucketCommandInput,
  HeadBucketCommandOutput,
  HeadObjectCommandInput,
  HeadObjectCommandOutput,
  PutBucketOwnershipControlsCommandInput,
  PutBucketOwnershipControlsCommandOutput,
  PutBucketPolicyCommandInput,
  PutBucketPolicyCommandOutput,
  PutObjectCommandInput,
  PutObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { sdkStreamMixin } from '@smithy/core/serde';
import type { ScenarioBucket, ScenarioObject } from '../scenario/types.ts';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import { isPublicPolicy } from './policy.ts';
import type { StoredObject } from './state.ts';
import type { World } from './world.ts';

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';

function s3Error(name: string, message: string, status: number): Error {
  return serviceError({ service: 's3', name, message, status });
}

/** A stable 64-hex canonical user id per account, as S3 ACLs name owners. */
export function canonicalUserId(account: string): string {
  return createHash('sha256').update(`canonical-user:${account}`).digest('hex');
}

function md5Etag(bytes: Uint8Array): string {
  return `"${createHash('md5').update(bytes).digest('hex')}"`;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

async function bodyBytes(body: unknown): Promise<Uint8Array> {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return new TextEncoder().encode(body);
  if (body instanceof Uint8Array) return new Uint8Array(body);
  if (body instanceof Blob) return new Uint8Array(await body.arrayBuffer());
  if (isAsyncIterable(body)) {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) {
      chunks.push(
        typeof chunk === 'string' ? new TextEncoder().encode(chunk) : new Uint8Array(chunk as Uint8Array),
      );
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
  throw new Error('World: unsupported PutObject Body type');
}

export function s3Handlers(world: World): Handlers {
  const st = world.state;

  const bucket = (name: unknown): ScenarioBucket => {
    const b = typeof name === 'string' ? st.buckets.get(name) : undefined;
    if (!b) throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
    return b;
  };

  /** A readable object from a scenario or system bucket, or undefined. */
  const findObject = (
    bucketName: unknown,
    key: unknown,
  ): { stored: StoredObject; scenario?: ScenarioObject } | undefined => {
    if (typeof bucketName !== 'string' || typeof key !== 'string') return undefined;
    const system = st.systemBuckets.get(bucketName)?.get(key);
    if (system) return { stored: system };
    const obj = st.buckets.get(bucketName)?.Objects.find((o) => o.Key === key);
    if (!obj) return undefined;
    return {
      stored: {
        body: new TextEncoder().encode(obj.Body ?? ''),
        contentType: obj.ContentType,
        lastModified: 0,
      },
      scenario: obj,
    };
  };

  const blocksPublicPolicy = (b: ScenarioBucket): boolean =>
    b.PublicAccessBlockConfiguration?.BlockPublicPolicy === true ||
    st.accountPublicAccessBlock?.BlockPublicPolicy === true;

  return {
    // HeadBucket: 200 with the bucket's region; a missing bucket is a bodiless 404, which the SDK names
    // `NotFound` (S3 API reference, HeadBucket). Issue 15: the hub finds a bucket's owner account with it
    // (`ExpectedBucketOwner`, checked in world.ts).
    HeadBucket: handler<HeadBucketCommandInput, Out<HeadBucketCommandOutput>>((input) => {
      const name = typeof input.Bucket === 'string' ? input.Bucket : '';
      const b = st.buckets.get(name);
      if (!b && !st.systemBuckets.has(name)) throw s3Error('NotFound', 'UnknownError', 404);
      return { BucketRegion: b?.Region ?? world.region };
    }),

    // S3 answers NoSuchTagSet (404) for a bucket without tags (GetBucketTagging API reference).
    GetBucketTagging: handler<GetBucketTaggingCommandInput, Out<GetBucketTaggingCommandOutput>>((input) => {
      const b = bucket(input.Bucket);
      if (!b.Tags || b.Tags.length === 0) throw s3Error('NoSuchTagSet', 'The TagSet does not exist', 404);
      return { TagSet: structuredClone(b.Tags) };
    }),

    GetBucketPolicy: handler<GetBucketPolicyCommandInput, Out<GetBucketPolicyCommandOutput>>((input) => {
      const b = bucket(input.Bucket);
      if (b.Policy === null) throw s3Error('NoSuchBucketPolicy', 'The bucket policy does not exist', 404);
      return { Policy: b.Policy };
    }),

    PutBucketPolicy: handler<PutBucketPolicyCommandInput, Out<PutBucketPolicyCommandOutput>>((input) => {
      const b = bucket(input.Bucket);
      let doc: unknown;
      try {
        doc = JSON.parse(input.Policy ?? '');
      } catch (cause) {
        throw Object.assign(
          s3Error('MalformedPolicy', "Policies must be valid JSON and the first byte must be '{'", 400),
          { cause },
        );
      }
      if (typeof doc !== 'object' || doc === null || Array.isArray(doc) || !('Statement' in doc)) {
        throw s3Error('MalformedPolicy', 'Missing required field Statement', 400);
      }
      if (blocksPublicPolicy(b) && isPublicPolicy(doc as Record<string, unknown>)) {
        throw s3Error(
          'AccessDenied',
          `User is not authorized to perform: s3:PutBucketPolicy on resource: "arn:aws:s3:::${b.Name}" because public policies are blocked by the BlockPublicPolicy block public access setting.`,
          403,
        );
      }
      b.Policy = input.Policy ?? null;
      return {};
    }),

    DeleteBucketPolicy: handler<DeleteBucketPolicyCommandInput, Out<DeleteBucketPolicyCommandOutput>>(
      (input) => {
        bucket(input.Bucket).Policy = null;
        return {};
      },
    ),

    GetPublicAccessBlock: handler<GetPublicAccessBlockCommandInput, Out<GetPublicAccessBlockCommandOutput>>(
      (input) => {
        const b = bucket(input.Bucket);
        if (b.PublicAccessBlockConfiguration === null) {
          throw s3Error(
            'NoSuchPublicAccessBlockConfiguration',
            'The public access block configuration was not found',
            404,
          );
        }
        return { PublicAccessBlockConfiguration: structuredClone(b.PublicAccessBlockConfiguration) };
      },
    ),

    GetBucketOwnershipControls: handler<
      GetBucketOwnershipControlsCommandInput,
      Out<GetBucketOwnershipControlsCommandOutput>
    >((input) => {
      const b = bucket(input.Bucket);
      if (b.OwnershipControls === null) {
        throw s3Error('OwnershipControlsNotFoundError', 'The bucket ownership controls were not found', 404);
      }
      return { OwnershipControls: structuredClone(b.OwnershipControls) };
    }),

    PutBucketOwnershipControls: handler<
      PutBucketOwnershipControlsCommandInput,
      Out<PutBucketOwnershipControlsCommandOutput>
    >((input) => {
      const b = bucket(input.Bucket);
      const rules = input.OwnershipControls?.Rules ?? [];
      const valid = ['BucketOwnerEnforced', 'BucketOwnerPreferred', 'ObjectWriter'];
      if (rules.length !== 1 || !valid.includes(rules[0]?.ObjectOwnership ?? '')) {
        throw s3Error(
          'MalformedXML',
          'The XML you provided was not well-formed or did not validate against our published schema',
          400,
        );
      }
      b.OwnershipControls = structuredClone(input.OwnershipControls ?? null);
      return {};
    }),

    DeleteBucketOwnershipControls: handler<{ Bucket?: string }, object>((input) => {
      bucket(input.Bucket).OwnershipControls = null;
      return {};
    }),

    GetBucketRequestPayment: handler<
      GetBucketRequestPaymentCommandInput,
      Out<GetBucketRequestPaymentCommandOutput>
    >((input) => ({ Payer: bucket(input.Bucket).Payer ?? 'BucketOwner' })),

    GetBucketEncryption: handler<GetBucketEncryptionCommandInput, Out<GetBucketEncryptionCommandOutput>>(
      (input) => {
        const b = bucket(input.Bucket);
        if (b.ServerSideEncryptionConfiguration === null) {
          throw s3Error(
            'ServerSideEncryptionConfigurationNotFoundError',
            'The server side encryption configuration was not found',
            404,
          );
        }
        return { ServerSideEncryptionConfiguration: structuredClone(b.ServerSideEncryptionConfiguration) };
      },
    ),

    GetBucketWebsite: handler<GetBucketWebsiteCommandInput, Out<GetBucketWebsiteCommandOutput>>((input) => {
      const b = bucket(input.Bucket);
      if (b.WebsiteConfiguration === null) {
        throw s3Error(
          'NoSuchWebsiteConfiguration',
          'The specified bucket does not have a website configuration',
          404,
        );
      }
      const w = structuredClone(b.WebsiteConfiguration);
      return {
        RedirectAllRequestsTo: w.RedirectAllRequestsTo,
        IndexDocument: w.IndexDocument,
        ErrorDocument: w.ErrorDocument,
        RoutingRules: w.RoutingRules,
      };
    }),

    GetBucketAcl: handler<GetBucketAclCommandInput, Out<GetBucketAclCommandOutput>>((input) => {
      const b = bucket(input.Bucket);
      const owner = canonicalUserId(world.account);
      const grants: Grant[] = [{ Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' }];
      if (b.PublicReadAcl) grants.push({ Grantee: { Type: 'Group', URI: ALL_USERS }, Permission: 'READ' });
      return { Owner: { ID: owner }, Grants: grants };
    }),

    GetBucketLocation: handler<GetBucketLocationCommandInput, Out<GetBucketLocationCommandOutput>>(
      (input) => {
        const b = bucket(input.Bucket);
        // us-east-1 answers an empty LocationConstraint, which the SDK leaves undefined
        return b.Region === 'us-east-1' ? {} : { LocationConstraint: b.Region as BucketLocationConstraint };
      },
    ),

    HeadObject: handler<HeadObjectCommandInput, Out<HeadObjectCommandOutput>>((input) => {
      const found = findObject(input.Bucket, input.Key);
      // HEAD has no body: a missing bucket or key both surface as NotFound
      if (!found) throw s3Error('NotFound', 'Not Found', 404);
      const sse = found.scenario ? found.scenario.ServerSideEncryption : 'AES256';
      const kmsKey = found.scenario?.SSEKMSKeyId;
      return {
        AcceptRanges: 'bytes',
        LastModified: new Date(found.stored.lastModified),
        ContentLength: found.stored.body.length,
        ETag: md5Etag(found.stored.body),
        ContentType: found.stored.contentType ?? 'binary/octet-stream',
        ServerSideEncryption: sse ?? undefined,
        SSEKMSKeyId: sse?.startsWith('aws:kms') && kmsKey ? kmsKey : undefined,
        Metadata: { ...(found.stored.metadata ?? {}) },
      };
    }),

    GetObjectAcl: handler<GetObjectAclCommandInput, Out<GetObjectAclCommandOutput>>((input) => {
      const b = bucket(input.Bucket);
      const obj = b.Objects.find((o) => o.Key === input.Key);
      if (!obj) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
      // with ACLs disabled the bucket owner owns every object
      const enforced = b.OwnershipControls?.Rules?.[0]?.ObjectOwnership === 'BucketOwnerEnforced';
      const owner = canonicalUserId(enforced ? world.account : (obj.OwnerAccount ?? world.account));
      return {
        Owner: { ID: owner },
        Grants: [{ Grantee: { Type: 'CanonicalUser', ID: owner }, Permission: 'FULL_CONTROL' }],
      };
    }),

    GetObject: handler<GetObjectCommandInput, Out<GetObjectCommandOutput>>((input) => {
      if (
        typeof input.Bucket !== 'string' ||
        (!st.systemBuckets.has(input.Bucket) && !st.buckets.has(input.Bucket))
      ) {
        throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
      }
      const found = findObject(input.Bucket, input.Key);
      if (!found) throw s3Error('NoSuchKey', 'The specified key does not exist.', 404);
      const bytes = found.stored.body;
      return {
        Body: sdkStreamMixin(Readable.from([Buffer.from(bytes)])),
        AcceptRanges: 'bytes',
        LastModified: new Date(found.stored.lastModified),
        ContentLength: bytes.length,
        ETag: md5Etag(bytes),
        ContentType: found.stored.contentType ?? 'binary/octet-stream',
        ServerSideEncryption: found.scenario?.ServerSideEncryption ?? 'AES256',
        Metadata: { ...(found.stored.metadata ?? {}) },
      };
    }),

    PutObject: handler<PutObjectCommandInput, Out<PutObjectCommandOutput>>(async (input) => {
      const name = input.Bucket ?? '';
      const objects = st.systemBuckets.get(name);
      if (!objects) {
        if (st.buckets.has(name))
          throw new Error(`World: PutObject to scenario bucket ${name} is not simulated`);
        throw s3Error('NoSuchBucket', 'The specified bucket does not exist', 404);
      }
      const body = await bodyBytes(input.Body);
      objects.set(input.Key ?? '', {
        body,
        contentType: input.ContentType,
        lastModified: world.now(),
        metadata: input.Metadata ? { ...input.Metadata } : undefined,
      });
      return { ETag: md5Etag(body), ServerSideEncryption: 'AES256' };
    }),
  };
}

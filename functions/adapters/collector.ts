// Collects every piece of evidence a diagnosis needs, concurrently wherever calls do not depend on
// each other. Read-only: this file sends no mutating command.
import {
  DescribeFunctionCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionCommand,
  type GetDistributionCommandOutput,
  GetFunctionCommand,
  GetKeyGroupCommand,
  GetOriginAccessControlCommand,
  GetOriginRequestPolicyCommand,
  TestFunctionCommand,
} from '@aws-sdk/client-cloudfront';
import { DescribeKeyCommand, GetKeyPolicyCommand, type KMSClient } from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketLocationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketRequestPaymentCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  HeadBucketCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { GetIPSetCommand, GetSampledRequestsCommand, GetWebACLCommand } from '@aws-sdk/client-wafv2';
import { extensionless } from '../domain/causes/shared/missing-keys.ts';
import { toProbeResult } from '../domain/fingerprint.ts';
import { kmsAccountOf, kmsKeyIdOf, kmsRegionOf } from '../domain/kms-key.ts';
import { controlPath, setAsideNoise } from '../domain/noise.ts';
import { classifyOriginDomain, objectKey, requestPath } from '../domain/routing.ts';
import type {
  BucketEvidence,
  DistributionEvidence,
  Evidence,
  FunctionEvidence,
  KmsKeyEvidence,
  ObjectHead,
  OriginEvidence,
  ProbeResult,
  Readable,
  ViewerRequest,
  WafEvidence,
} from '../domain/types.ts';
import type { WafIpSet, WafRule, WafSampledRequest, WafStatement, WafWebAcl } from '../domain/waf-types.ts';
import { DistributionNotFoundError } from '../errors.ts';
import { errorCode, toStepError } from './aws-call.ts';
import type { AwsClients } from './clients.ts';
import { collectLambdaUrls } from './lambda-urls.ts';
import type { Prober } from './prober.ts';
import type { RequestLog } from './request-log.ts';

export interface CollectInput {
  distributionId: string;
  /** the account id; empty to take it from the distribution's ARN */
  account: string;
  region: string;
  /** fixed requests instead of the access logs */
  requests?: ViewerRequest[];
  /** skip live probes (`cf403 scan`) */
  probe?: boolean;
  /** the clock (the simulator's, in simulations): log windows and WAF sampling windows are measured on it */
  now?: Date;
  /** the alarm that started the workflow, for the viewer-side verification */
  alarmName?: string;
  /** the organization's other accounts (issue 15): where an origin bucket of another account is looked for */
  otherAccounts?: OtherAccounts;
}

/** Other accounts the collector may read through (a hub's member accounts, the hub itself). */
export interface OtherAccounts {
  /** accounts that may own an origin bucket the distribution's account cannot read */
  readonly candidates: readonly string[];
  /** clients acting in one of them (the hub's member-role session) */
  readonly clientsFor: (account: string) => Promise<AwsClients>;
}

/**
 * S3 answers Get/PutBucketPolicy only to identities of the bucket owner's account: 403 AccessDenied without the
 * permission, 405 MethodNotAllowed with it (S3 API Reference, GetBucketPolicy). Either one means: look for the
 * owner among the other accounts.
 */
const NOT_THE_OWNER = new Set(['AccessDenied', 'MethodNotAllowed', 'AccessDeniedException']);

type Calls = Evidence['calls'];

/**
 * GetSampledRequests covers "any time range in the previous three hours" (WAFV2 API Reference, TimeWindow):
 * ask for the last three hours less a margin, so the window is still inside them when WAF receives it.
 */
export const SAMPLE_WINDOW_MS = 3 * 3_600_000 - 5 * 60_000;

/** Runs one read; "not found" answers become `ok: true, value: null`, other failures are recorded. */
async function read<T>(
  calls: Calls,
  api: string,
  target: string,
  fn: () => Promise<T>,
  notFound: readonly string[] = [],
): Promise<Readable<T | null>> {
  try {
    const value = await fn();
    calls.push({ api, target, ok: true });
    return { ok: true, value };
  } catch (err) {
    const code = errorCode(err);
    if (notFound.includes(code)) {
      calls.push({ api, target, ok: true, code });
      return { ok: true, value: null };
    }
    calls.push({ api, target, ok: false, code });
    return { ok: false, code, message: (err as Error)?.message ?? String(err) };
  }
}

function nonNull<T>(r: Readable<T | null>, missing: string): Readable<T> {
  if (!r.ok) return r;
  if (r.value === null) return { ok: false, code: missing, message: missing };
  return { ok: true, value: r.value };
}

export async function collectEvidence(
  clients: AwsClients,
  prober: Prober,
  requestLog: RequestLog,
  input: CollectInput,
): Promise<Evidence> {
  const calls: Calls = [];
  let got: GetDistributionCommandOutput;
  try {
    got = await clients.cloudfront.send(new GetDistributionCommand({ Id: input.distributionId }));
    calls.push({ api: 'GetDistribution', target: input.distributionId, ok: true });
  } catch (err) {
    calls.push({ api: 'GetDistribution', target: input.distributionId, ok: false, code: errorCode(err) });
    if (errorCode(err) === 'NoSuchDistribution') {
      throw new DistributionNotFoundError(
        `distribution ${input.distributionId} does not exist in account ${input.account}`,
        { cause: err },
      );
    }
    throw toStepError(err, `GetDistribution ${input.distributionId}`);
  }
  const d = got.Distribution;
  if (!d?.DistributionConfig || !d.Id || !d.ARN || !d.DomainName) {
    throw new DistributionNotFoundError(
      `GetDistribution ${input.distributionId} returned no distribution config`,
    );
  }
  const distribution: DistributionEvidence = {
    Id: d.Id,
    ARN: d.ARN,
    DomainName: d.DomainName,
    Status: d.Status ?? 'Unknown',
    ETag: got.ETag ?? '',
    DistributionConfig: d.DistributionConfig,
  };
  const config = d.DistributionConfig;
  const account = input.account || d.ARN.split(':')[4] || '';
  const now = input.now ?? new Date();
  // The viewers' failing requests, newest first, from wherever the distribution's access logs are delivered.
  const logged = input.requests
    ? { requests: input.requests, summary: undefined }
    : requestLog.read
      ? await requestLog.read(distribution, now)
      : { requests: await requestLog.failingRequests(distribution), summary: undefined };
  const requests = logged.requests;
  const origins = config.Origins?.Items ?? [];
  const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors?.Items ?? [])].filter(
    (b): b is NonNullable<typeof b> => b !== undefined,
  );

  const originsP = Promise.all(origins.map((o) => collectOrigin(clients, calls, o)));
  const s3Origins = origins
    .map((o) => ({ o, target: classifyOriginDomain(o.DomainName ?? '') }))
    .filter((x) => x.target.kind === 's3-rest' || x.target.kind === 's3-website');
  const bucketNames = [...new Set(s3Origins.map((x) => x.target.bucket).filter((b): b is string => !!b))];
  const keysByBucket = new Map<string, Set<string>>();
  for (const { o, target } of s3Origins) {
    if (!target.bucket) continue;
    const keys = keysByBucket.get(target.bucket) ?? new Set<string>();
    for (const r of requests) {
      const path = requestPath(r.url);
      keys.add(objectKey(o.OriginPath, path, config.DefaultRootObject));
      // The index object a directory path would need (default root object, website index).
      if (path.endsWith('/')) keys.add(objectKey(o.OriginPath, `${path}index.html`));
      // ...and the index a directory URL without its trailing slash would need (`/posts/x`).
      else if (extensionless(path)) keys.add(objectKey(o.OriginPath, `${path}/index.html`));
      // The same key without the origin path, to spot a wrong OriginPath.
      if (o.OriginPath) keys.add(objectKey('', path, config.DefaultRootObject));
    }
    keysByBucket.set(target.bucket, keys);
  }
  const locatedP = Promise.all(
    bucketNames.map((b) =>
      locateBucket(clients, calls, b, [...(keysByBucket.get(b) ?? [])], account, input.otherAccounts),
    ),
  );
  const bucketsP = locatedP.then((l) => l.map((x) => x.evidence));
  // A bucket of another account is read (objects, location, keys) through its owner's clients.
  const clientsOfBucket = async (name: string) =>
    (await locatedP).find((x) => x.evidence.name === name)?.clients ?? clients;
  const clientsOfAccount = accountClients(clients, account, input.otherAccounts);
  const lambdaUrlsP = collectLambdaUrls(clients, calls, origins);
  const accountPabP = read(
    calls,
    'GetPublicAccessBlock (account)',
    account,
    async () =>
      (await clients.s3control.send(new GetAccountPublicAccessBlockCommand({ AccountId: account })))
        .PublicAccessBlockConfiguration ?? null,
    ['NoSuchPublicAccessBlockConfiguration'],
  );
  const keyGroupIds = [
    ...new Set(
      behaviors.flatMap((b) => (b.TrustedKeyGroups?.Enabled ? (b.TrustedKeyGroups.Items ?? []) : [])),
    ),
  ];
  const keyGroupsP = Promise.all(
    keyGroupIds.map(async (id) => {
      const r = await read(
        calls,
        'GetKeyGroup',
        id,
        async () => {
          const out = await clients.cloudfront.send(new GetKeyGroupCommand({ Id: id }));
          return out.KeyGroup?.KeyGroupConfig ?? null;
        },
        ['NoSuchResource'],
      );
      return [id, nonNull(r, 'NoSuchResource')] as const;
    }),
  );
  const policyIds = [
    ...new Set(behaviors.map((b) => b.OriginRequestPolicyId).filter((x): x is string => !!x)),
  ];
  const policiesP = Promise.all(
    policyIds.map(async (id) => {
      const r = await read(
        calls,
        'GetOriginRequestPolicy',
        id,
        async () => {
          const out = await clients.cloudfront.send(new GetOriginRequestPolicyCommand({ Id: id }));
          return out.OriginRequestPolicy?.OriginRequestPolicyConfig ?? null;
        },
        ['NoSuchOriginRequestPolicy'],
      );
      return [id, nonNull(r, 'NoSuchOriginRequestPolicy')] as const;
    }),
  );
  const functionsP = collectFunctions(clients, calls, distribution, behaviors, requests);
  const wafP = config.WebACLId
    ? collectWaf(clients, calls, config.WebACLId, now)
    : Promise.resolve({ ok: true, value: null } as const);
  const probesP =
    input.probe === false
      ? Promise.resolve([])
      : Promise.all(
          requests.map(async (r) => {
            const req = { url: r.url, method: r.method };
            return toProbeResult(req, await prober.probe(req));
          }),
        );
  // The front page, beside the failing requests: whether real pages are served tells noise from an outage.
  const controlP =
    input.probe === false ? Promise.resolve(undefined) : controlProbe(prober, distribution, requests);

  // Key policies depend only on the HeadObject answers: start them as soon as the buckets are read.
  const regionOf = bucketRegions(clientsOfBucket, calls, s3Origins);
  const kmsP = bucketsP.then((b) => collectKmsKeys(clientsOfAccount, calls, b, regionOf, account));
  // A viewer-request function may rewrite the URI (e.g. append index.html): the keys it leads to, and
  // any key policy only they need, are read once the replays are back.
  const rewrittenP = Promise.all([functionsP, bucketsP]).then(([fns, b]) =>
    headRewrittenKeys(clientsOfBucket, calls, fns, s3Origins, b, config.DefaultRootObject),
  );
  const rewrittenKmsP = Promise.all([rewrittenP, kmsP]).then(([r, known]) => {
    // Only key ids the first pass did not read.
    const fresh = r.added.map((b) => ({
      ...b,
      objects: Object.fromEntries(
        Object.entries(b.objects).filter(([, o]) => !(o.ok && o.value.kmsKeyId && known[o.value.kmsKeyId])),
      ),
    }));
    return collectKmsKeys(clientsOfAccount, calls, fresh, regionOf, account);
  });
  const [
    originEv,
    buckets,
    accountPublicAccessBlock,
    keyGroups,
    policies,
    functions,
    waf,
    probes,
    kmsFirst,
    kmsRewritten,
  ] = await Promise.all([
    originsP,
    rewrittenP.then((r) => r.all),
    accountPabP,
    keyGroupsP,
    policiesP,
    functionsP,
    wafP,
    probesP,
    kmsP,
    rewrittenKmsP,
  ]);
  const kmsKeys = { ...kmsRewritten, ...kmsFirst };
  const lambdaUrls = await lambdaUrlsP;
  const control = await controlP;

  const bucketMap: Record<string, BucketEvidence> = Object.fromEntries(buckets.map((b) => [b.name, b]));
  return setAsideNoise({
    collectedAt: now.toISOString(),
    ...(input.alarmName ? { alarmName: input.alarmName } : {}),
    ...(logged.summary ? { logs: logged.summary } : {}),
    account,
    region: input.region,
    distribution,
    origins: originEv,
    buckets: bucketMap,
    accountPublicAccessBlock,
    kmsKeys,
    waf,
    keyGroups: Object.fromEntries(keyGroups),
    functions,
    originRequestPolicies: Object.fromEntries(policies),
    ...(Object.keys(lambdaUrls).length > 0 ? { lambdaUrls } : {}),
    requests,
    probes,
    calls,
    ...(control ? { control } : {}),
  });
}

/** GET of the front page on the host the failing requests use (a probe failure is no evidence: undefined). */
async function controlProbe(
  prober: Prober,
  distribution: DistributionEvidence,
  requests: readonly ViewerRequest[],
): Promise<ProbeResult | undefined> {
  let origin = `https://${distribution.DomainName}`;
  try {
    if (requests[0]) origin = new URL(requests[0].url).origin;
  } catch {
    // keep the distribution's own domain
  }
  const req = { url: `${origin}${controlPath({ distribution })}`, method: 'GET' };
  try {
    const { bodyExcerpt: _b, ...p } = toProbeResult(req, await prober.probe(req));
    return p;
  } catch {
    return undefined;
  }
}

async function collectOrigin(
  clients: AwsClients,
  calls: Calls,
  o: import('@aws-sdk/client-cloudfront').Origin,
): Promise<OriginEvidence> {
  const target = classifyOriginDomain(o.DomainName ?? '');
  const oacId = o.OriginAccessControlId ?? '';
  const oaiPath = o.S3OriginConfig?.OriginAccessIdentity ?? '';
  const oaiId = oaiPath.split('/').pop() ?? '';
  const [oac, oai] = await Promise.all([
    oacId
      ? read(calls, 'GetOriginAccessControl', oacId, async () => {
          const out = await clients.cloudfront.send(new GetOriginAccessControlCommand({ Id: oacId }));
          const c = out.OriginAccessControl;
          return c?.Id && c.OriginAccessControlConfig
            ? { Id: c.Id, OriginAccessControlConfig: c.OriginAccessControlConfig }
            : null;
        })
      : Promise.resolve({ ok: true, value: null } as const),
    oaiId
      ? read(calls, 'GetCloudFrontOriginAccessIdentity', oaiId, async () => {
          const out = await clients.cloudfront.send(
            new GetCloudFrontOriginAccessIdentityCommand({ Id: oaiId }),
          );
          const i = out.CloudFrontOriginAccessIdentity;
          return i?.Id && i.S3CanonicalUserId ? { Id: i.Id, S3CanonicalUserId: i.S3CanonicalUserId } : null;
        })
      : Promise.resolve({ ok: true, value: null } as const),
  ]);
  return {
    id: o.Id ?? '',
    domainName: o.DomainName ?? '',
    originPath: o.OriginPath ?? '',
    kind: target.kind,
    bucket: target.bucket,
    oac,
    oai,
  };
}

/**
 * Clients acting in `account`: the distribution account's own, another account's through `other` when it is
 * one of its candidates, else (an account nobody can act in) the distribution's, whose reads then fail visibly.
 */
function accountClients(
  clients: AwsClients,
  home: string,
  other: OtherAccounts | undefined,
): (account: string | undefined) => Promise<AwsClients> {
  return async (account) => {
    if (!other || account === undefined || account === home || !other.candidates.includes(account))
      return clients;
    return other.clientsFor(account).catch(() => clients);
  };
}

/** The account among `other.candidates` that owns `bucket`: HeadBucket with ExpectedBucketOwner through each. */
async function findBucketOwner(
  other: OtherAccounts,
  calls: Calls,
  bucket: string,
  exclude: string,
): Promise<{ account: string; clients: AwsClients } | undefined> {
  const candidates = [...new Set(other.candidates)].filter((a) => a !== exclude);
  const tried = await Promise.all(
    candidates.map(async (account) => {
      try {
        const clients = await other.clientsFor(account);
        // S3 answers 403 when the bucket's owner is not ExpectedBucketOwner (S3 User Guide, "Verifying bucket
        // ownership with bucket owner condition"); only the owner's session gets 200.
        await clients.s3.send(new HeadBucketCommand({ Bucket: bucket, ExpectedBucketOwner: account }));
        calls.push({ api: 'HeadBucket (owner)', target: `${bucket} @ ${account}`, ok: true });
        return { account, clients };
      } catch {
        return undefined;
      }
    }),
  );
  return tried.find((t) => t !== undefined);
}

/**
 * Reads a bucket through the distribution's account; when that account may not read its policy (the bucket
 * belongs to another account: the cross-account OAC case), finds the owner among the other accounts and reads
 * it there, recording the owner as `account`. The refused reads of the first attempt are then not evidence.
 */
async function locateBucket(
  clients: AwsClients,
  calls: Calls,
  name: string,
  keys: string[],
  account: string,
  other: OtherAccounts | undefined,
): Promise<{ evidence: BucketEvidence; clients: AwsClients }> {
  const local: Calls = [];
  const here = await collectBucket(clients, local, name, keys);
  const refused = !here.policy.ok && NOT_THE_OWNER.has(here.policy.code);
  const owner = other && refused ? await findBucketOwner(other, calls, name, account) : undefined;
  if (!owner) {
    calls.push(...local);
    return { evidence: here, clients };
  }
  const [there, ownerPab] = await Promise.all([
    collectBucket(owner.clients, calls, name, keys),
    // Block Public Access of the owner account applies to its bucket (S3 User Guide, "Blocking public access")
    read(
      calls,
      'GetPublicAccessBlock (account)',
      owner.account,
      async () =>
        (
          await owner.clients.s3control.send(
            new GetAccountPublicAccessBlockCommand({ AccountId: owner.account }),
          )
        ).PublicAccessBlockConfiguration ?? null,
      ['NoSuchPublicAccessBlockConfiguration'],
    ),
  ]);
  return {
    evidence: { ...there, account: owner.account, accountPublicAccessBlock: ownerPab },
    clients: owner.clients,
  };
}

async function collectBucket(
  clients: AwsClients,
  calls: Calls,
  name: string,
  keys: string[],
): Promise<BucketEvidence> {
  const s3 = clients.s3;
  const [policy, pab, ownership, payer, encryption, website, acl, heads] = await Promise.all([
    read(
      calls,
      'GetBucketPolicy',
      name,
      async () => (await s3.send(new GetBucketPolicyCommand({ Bucket: name }))).Policy ?? null,
      ['NoSuchBucketPolicy'],
    ),
    read(
      calls,
      'GetPublicAccessBlock',
      name,
      async () =>
        (await s3.send(new GetPublicAccessBlockCommand({ Bucket: name }))).PublicAccessBlockConfiguration ??
        null,
      ['NoSuchPublicAccessBlockConfiguration'],
    ),
    read(
      calls,
      'GetBucketOwnershipControls',
      name,
      async () =>
        (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket: name }))).OwnershipControls ?? null,
      ['OwnershipControlsNotFoundError'],
    ),
    read(calls, 'GetBucketRequestPayment', name, async () => {
      const p = (await s3.send(new GetBucketRequestPaymentCommand({ Bucket: name }))).Payer;
      return p === 'Requester' ? ('Requester' as const) : ('BucketOwner' as const);
    }),
    read(
      calls,
      'GetBucketEncryption',
      name,
      async () =>
        (await s3.send(new GetBucketEncryptionCommand({ Bucket: name }))).ServerSideEncryptionConfiguration ??
        null,
      ['ServerSideEncryptionConfigurationNotFoundError'],
    ),
    read(
      calls,
      'GetBucketWebsite',
      name,
      async () => {
        const w = await s3.send(new GetBucketWebsiteCommand({ Bucket: name }));
        const { $metadata: _m, ...config } = w;
        return config;
      },
      ['NoSuchWebsiteConfiguration'],
    ),
    read(calls, 'GetBucketAcl', name, async () => {
      const out = await s3.send(new GetBucketAclCommand({ Bucket: name }));
      return {
        ownerId: out.Owner?.ID,
        publicRead: (out.Grants ?? []).some(
          (g) =>
            g.Grantee?.URI === 'http://acs.amazonaws.com/groups/global/AllUsers' &&
            (g.Permission === 'READ' || g.Permission === 'FULL_CONTROL'),
        ),
      };
    }),
    Promise.all(keys.map((key) => headObject(clients, calls, name, key))),
  ]);
  const bucketOwner = acl.ok ? acl.value?.ownerId : undefined;
  const objects = heads.map(([key, head]) => ownedBy(key, head, bucketOwner));
  const publicAcl: Readable<boolean> = acl.ok ? { ok: true, value: acl.value?.publicRead ?? false } : acl;
  return {
    name,
    policy,
    publicAccessBlock: pab,
    ownershipControls: ownership,
    requestPayer: nonNull(payer, 'NoRequestPayment'),
    encryption,
    website,
    publicAcl,
    objects: Object.fromEntries(objects),
    ...(bucketOwner !== undefined ? { ownerCanonicalId: bucketOwner } : {}),
  };
}

type Head = Readable<ObjectHead & { ownerCanonicalId?: string }>;

async function headObject(clients: AwsClients, calls: Calls, name: string, key: string) {
  // "/" with no default root object reaches the bucket itself, not an object: S3 keys are at least one
  // character (the S3 model's ObjectKey has min 1), so there is nothing to head and HeadObject would be refused.
  if (key === '') return [key, { ok: true, value: { key, exists: false } } as Head] as const;
  const s3 = clients.s3;
  const r = await read(
    calls,
    'HeadObject',
    `${name}/${key}`,
    async () => {
      // HeadObject does not name the owner; the object ACL does (canonical user id). Both at once:
      // they do not depend on each other, and the ACL of a missing key simply fails.
      const [h, acl] = await Promise.all([
        s3.send(new HeadObjectCommand({ Bucket: name, Key: key })),
        s3.send(new GetObjectAclCommand({ Bucket: name, Key: key })).catch(() => undefined),
      ]);
      return {
        key,
        exists: true,
        serverSideEncryption: h.ServerSideEncryption,
        kmsKeyId: h.SSEKMSKeyId,
        ownerCanonicalId: acl?.Owner?.ID,
      };
    },
    ['NotFound', 'NoSuchKey'],
  );
  const value: Head = r.ok ? { ok: true, value: r.value ?? { key, exists: false } } : r;
  return [key, value] as const;
}

/** An object owned by another canonical user than the bucket owner was written by another account. */
function ownedBy(key: string, head: Head, bucketOwner: string | undefined): [string, Readable<ObjectHead>] {
  if (!head.ok || !head.value.exists) return [key, head];
  const { ownerCanonicalId, ...rest } = head.value;
  const foreign =
    bucketOwner !== undefined && ownerCanonicalId !== undefined && ownerCanonicalId !== bucketOwner;
  return [
    key,
    { ok: true, value: { ...rest, ...(foreign ? { ownerAccount: `canonical:${ownerCanonicalId}` } : {}) } },
  ];
}

/**
 * The keys only a viewer-request function's rewrite reveals (TestFunction passed on another URI), read
 * once the replays are back: each bucket with those extra HeadObject answers, and the extra buckets alone.
 */
async function headRewrittenKeys(
  clientsOfBucket: (bucket: string) => Promise<AwsClients>,
  calls: Calls,
  functions: readonly FunctionEvidence[],
  s3Origins: readonly { o: import('@aws-sdk/client-cloudfront').Origin; target: { bucket?: string } }[],
  buckets: readonly BucketEvidence[],
  defaultRootObject: string | undefined,
): Promise<{ all: BucketEvidence[]; added: BucketEvidence[] }> {
  const uris = new Set<string>();
  for (const f of functions) {
    for (const p of f.replays) {
      if (p.result.ok && p.result.value.uri !== undefined) uris.add(p.result.value.uri);
    }
  }
  const wanted = new Map<string, Set<string>>();
  for (const { o, target } of s3Origins) {
    const bucket = buckets.find((b) => b.name === target.bucket);
    if (!bucket) continue;
    const keys = wanted.get(bucket.name) ?? new Set<string>();
    for (const uri of uris) {
      const key = objectKey(o.OriginPath, uri, defaultRootObject);
      if (bucket.objects[key] === undefined) keys.add(key);
    }
    wanted.set(bucket.name, keys);
  }
  const all: BucketEvidence[] = [];
  const added: BucketEvidence[] = [];
  for (const bucket of buckets) {
    const keys = [...(wanted.get(bucket.name) ?? [])];
    if (keys.length === 0) {
      all.push(bucket);
      continue;
    }
    const owner = await clientsOfBucket(bucket.name);
    const heads = await Promise.all(keys.map((key) => headObject(owner, calls, bucket.name, key)));
    const objects = Object.fromEntries(
      heads.map(([key, head]) => ownedBy(key, head, bucket.ownerCanonicalId)),
    );
    all.push({ ...bucket, objects: { ...bucket.objects, ...objects } });
    added.push({ ...bucket, objects });
  }
  return { all, added };
}

/** Each origin bucket's region: from its endpoint when it names one, else GetBucketLocation (read once). */
function bucketRegions(
  clientsOfBucket: (bucket: string) => Promise<AwsClients>,
  calls: Calls,
  s3Origins: readonly { target: { bucket?: string; region?: string } }[],
): (bucket: string) => Promise<string | undefined> {
  const known = new Map<string, Promise<string | undefined>>();
  for (const { target } of s3Origins)
    if (target.bucket && target.region) known.set(target.bucket, Promise.resolve(target.region));
  return (bucket) => {
    const found = known.get(bucket);
    if (found) return found;
    const asked = read(calls, 'GetBucketLocation', bucket, async () => {
      // GetBucketLocation answers the bucket owner only (S3 API Reference): ask through the owner's clients
      const out = await (await clientsOfBucket(bucket)).s3.send(
        new GetBucketLocationCommand({ Bucket: bucket }),
      );
      // us-east-1 answers an empty LocationConstraint; EU is the legacy name of eu-west-1 (S3 API Reference)
      const c = out.LocationConstraint as string | undefined;
      return !c ? 'us-east-1' : c === 'EU' ? 'eu-west-1' : c;
    }).then((r) => (r.ok ? (r.value ?? undefined) : undefined));
    known.set(bucket, asked);
    return asked;
  };
}

/**
 * The SSE-KMS keys of the objects read: DescribeKey (an AWS managed key such as aws/s3 says KeyManager = AWS,
 * whatever form HeadObject named it in) and the key policy, each asked in the key's own region.
 */
async function collectKmsKeys(
  clientsOf: (account: string | undefined) => Promise<AwsClients>,
  calls: Calls,
  buckets: BucketEvidence[],
  bucketRegion: (bucket: string) => Promise<string | undefined>,
  distributionAccount: string,
): Promise<Record<string, KmsKeyEvidence>> {
  const refs = new Map<string, string>();
  for (const b of buckets) {
    for (const o of Object.values(b.objects)) {
      if (o.ok && o.value.kmsKeyId && !refs.has(o.value.kmsKeyId)) refs.set(o.value.kmsKeyId, b.name);
    }
  }
  const entries = await Promise.all(
    [...refs].map(async ([keyId, bucket]) => {
      const region = kmsRegionOf(keyId) ?? (await bucketRegion(bucket));
      // GetKeyPolicy is not a cross-account operation (KMS API Reference, GetKeyPolicy): read a key in its own
      // account, named by its ARN, else the account of the bucket that uses it
      const owner =
        kmsAccountOf(keyId) ?? buckets.find((b) => b.name === bucket)?.account ?? distributionAccount;
      const clients = await clientsOf(owner);
      const kms: KMSClient = region && clients.kmsIn ? await clients.kmsIn(region) : clients.kms;
      const described = await read(calls, 'DescribeKey', keyId, async () => {
        const out = await kms.send(new DescribeKeyCommand({ KeyId: keyId }));
        return out.KeyMetadata ?? null;
      });
      const meta = described.ok ? described.value : null;
      // GetKeyPolicy takes a key id or ARN, never an alias: use what DescribeKey resolved
      const arn = meta?.Arn ?? keyId;
      const r = await read(calls, 'GetKeyPolicy', arn, async () => {
        const out = await kms.send(new GetKeyPolicyCommand({ KeyId: arn, PolicyName: 'default' }));
        return out.Policy ?? null;
      });
      const ev: KmsKeyEvidence = {
        keyId: meta?.KeyId ?? kmsKeyIdOf(keyId),
        arn,
        policy: nonNull(r, 'NoKeyPolicy'),
        ...(region ? { region } : {}),
        keyManager: described.ok
          ? meta
            ? { ok: true, value: meta.KeyManager === 'AWS' ? 'AWS' : 'CUSTOMER' }
            : { ok: false, code: 'NotFoundException', message: `DescribeKey ${keyId}: no key metadata` }
          : described,
      };
      return [keyId, ev] as const;
    }),
  );
  return Object.fromEntries(entries);
}

function functionEvent(dist: DistributionEvidence, req: ViewerRequest): Record<string, unknown> {
  const u = new URL(req.url);
  const headers: Record<string, { value: string }> = { host: { value: u.host } };
  for (const [k, v] of Object.entries(req.headers ?? {})) headers[k.toLowerCase()] = { value: v };
  const querystring: Record<string, { value: string }> = {};
  u.searchParams.forEach((v, k) => {
    querystring[k] = { value: v };
  });
  return {
    version: '1.0',
    context: {
      distributionDomainName: dist.DomainName,
      distributionId: dist.Id,
      eventType: 'viewer-request',
      requestId: 'cf403-replay',
    },
    viewer: { ip: req.clientIp ?? '192.0.2.10' },
    request: { method: req.method, uri: u.pathname, querystring, headers, cookies: {} },
  };
}

async function collectFunctions(
  clients: AwsClients,
  calls: Calls,
  dist: DistributionEvidence,
  behaviors: { FunctionAssociations?: import('@aws-sdk/client-cloudfront').FunctionAssociations }[],
  requests: ViewerRequest[],
): Promise<FunctionEvidence[]> {
  const assoc = new Map<string, string>();
  for (const b of behaviors) {
    for (const a of b.FunctionAssociations?.Items ?? []) {
      if (a.FunctionARN && a.EventType) assoc.set(a.FunctionARN, a.EventType);
    }
  }
  return Promise.all(
    [...assoc].map(async ([arn, eventType]) => {
      const name = arn.split('/').pop() ?? arn;
      if (eventType !== 'viewer-request') return { name, arn, eventType, replays: [] };
      // The code says what a refusal checks (a header, a token, an address); read beside the ETag.
      const [described, code] = await Promise.all([
        read(calls, 'DescribeFunction', name, async () => {
          const out = await clients.cloudfront.send(
            new DescribeFunctionCommand({ Name: name, Stage: 'LIVE' }),
          );
          return out.ETag ?? null;
        }),
        read(calls, 'GetFunction', name, async () => {
          const out = await clients.cloudfront.send(new GetFunctionCommand({ Name: name, Stage: 'LIVE' }));
          return out.FunctionCode ? new TextDecoder().decode(out.FunctionCode).slice(0, 8192) : null;
        }),
      ]);
      const etag = described.ok ? described.value : null;
      const replays = await Promise.all(
        requests.map(async (req) => {
          const result = await read(calls, 'TestFunction', name, async () => {
            const out = await clients.cloudfront.send(
              new TestFunctionCommand({
                Name: name,
                IfMatch: etag ?? '',
                Stage: 'LIVE',
                EventObject: new TextEncoder().encode(JSON.stringify(functionEvent(dist, req))),
              }),
            );
            const t = out.TestResult;
            if (t?.FunctionErrorMessage) return { error: t.FunctionErrorMessage };
            const output = t?.FunctionOutput ? (JSON.parse(t.FunctionOutput) as Record<string, unknown>) : {};
            const response = (output.response ?? output) as { statusCode?: unknown };
            // FunctionOutput wraps what the function returned: {"request": ...} when it lets the request on
            // (CloudFront API Reference, TestFunction / TestResult).
            const passed = output.request as { uri?: unknown } | undefined;
            const uri = typeof passed?.uri === 'string' ? passed.uri : undefined;
            return {
              responseStatus: typeof response.statusCode === 'number' ? response.statusCode : undefined,
              ...(uri !== undefined && uri !== new URL(req.url).pathname ? { uri } : {}),
            };
          });
          return { url: req.url, method: req.method, result: nonNull(result, 'NoTestResult') };
        }),
      );
      return { name, arn, eventType, replays, ...(code.ok && code.value ? { code: code.value } : {}) };
    }),
  );
}

/** The SDK hands ByteMatchStatement.SearchString over as bytes; the evidence keeps text. */
function decodeSearchStrings(value: unknown): unknown {
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (Array.isArray(value)) return value.map(decodeSearchStrings);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeSearchStrings(v)]));
  }
  return value;
}

function referencedIpSets(s: WafStatement, out: Set<string>): void {
  if (s.IPSetReferenceStatement) out.add(s.IPSetReferenceStatement.ARN);
  if (s.NotStatement) referencedIpSets(s.NotStatement.Statement, out);
  for (const x of s.AndStatement?.Statements ?? []) referencedIpSets(x, out);
  for (const x of s.OrStatement?.Statements ?? []) referencedIpSets(x, out);
}

function parseWafArn(
  arn: string,
): { name: string; id: string; scope: 'CLOUDFRONT' | 'REGIONAL' } | undefined {
  const m = /:(global|regional)\/(?:webacl|ipset)\/([^/]+)\/([^/]+)$/.exec(arn);
  if (!m?.[2] || !m[3]) return undefined;
  return { name: m[2], id: m[3], scope: m[1] === 'global' ? 'CLOUDFRONT' : 'REGIONAL' };
}

async function collectWaf(
  clients: AwsClients,
  calls: Calls,
  webAclArn: string,
  now: Date,
): Promise<Readable<WafEvidence | null>> {
  const parsed = parseWafArn(webAclArn);
  if (!parsed)
    return { ok: false, code: 'UnsupportedWebACLId', message: `WebACLId ${webAclArn} is not a WAFv2 ARN` };
  const acl = await read(calls, 'GetWebACL', webAclArn, async () => {
    const out = await clients.wafv2.send(
      new GetWebACLCommand({ Name: parsed.name, Id: parsed.id, Scope: parsed.scope }),
    );
    return out.WebACL ? (decodeSearchStrings(out.WebACL) as WafWebAcl) : null;
  });
  if (!acl.ok) return acl;
  if (!acl.value)
    return { ok: false, code: 'WAFNonexistentItemException', message: `web ACL ${webAclArn} not found` };
  const webAcl = acl.value;
  const arns = new Set<string>();
  for (const r of webAcl.Rules ?? []) referencedIpSets(r.Statement, arns);
  const [ipSets, samples] = await Promise.all([
    Promise.all(
      [...arns].map(async (arn) => {
        const p = parseWafArn(arn);
        if (!p) return null;
        const r = await read(calls, 'GetIPSet', arn, async () => {
          const out = await clients.wafv2.send(
            new GetIPSetCommand({ Name: p.name, Id: p.id, Scope: p.scope }),
          );
          return (out.IPSet as unknown as WafIpSet | undefined) ?? null;
        });
        return r.ok ? r.value : null;
      }),
    ),
    Promise.all(
      (webAcl.Rules ?? []).map(async (rule: WafRule) => {
        const r = await read(calls, 'GetSampledRequests', rule.Name, async () => {
          const out = await clients.wafv2.send(
            new GetSampledRequestsCommand({
              WebAclArn: webAclArn,
              RuleMetricName: rule.VisibilityConfig?.MetricName ?? rule.Name,
              Scope: parsed.scope,
              TimeWindow: { StartTime: new Date(now.getTime() - SAMPLE_WINDOW_MS), EndTime: now },
              MaxItems: 100,
            }),
          );
          return (out.SampledRequests ?? []).map(
            (s): WafSampledRequest => ({
              WebAclArn: webAclArn,
              RuleName: rule.Name,
              RuleNameWithinRuleGroup: s.RuleNameWithinRuleGroup,
              Action: s.Action ?? '',
              Request: {
                ClientIP: s.Request?.ClientIP ?? '',
                Country: s.Request?.Country,
                URI: s.Request?.URI ?? '',
                Method: s.Request?.Method ?? '',
                ...(s.Request?.Headers?.length
                  ? { Headers: s.Request.Headers.map((h) => ({ Name: h.Name ?? '', Value: h.Value ?? '' })) }
                  : {}),
              },
            }),
          );
        });
        return r.ok ? (r.value ?? []) : [];
      }),
    ),
  ]);
  return {
    ok: true,
    value: {
      webAcl,
      ipSets: ipSets.filter((s): s is WafIpSet => s !== null),
      sampledRequests: samples.flat(),
    },
  };
}

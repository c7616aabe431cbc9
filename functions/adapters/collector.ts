// Collects every piece of evidence a diagnosis needs, concurrently wherever calls do not depend on
// each other. Read-only: this file sends no mutating command.
import {
  DescribeFunctionCommand,
  GetCloudFrontOriginAccessIdentityCommand,
  GetDistributionCommand,
  type GetDistributionCommandOutput,
  GetKeyGroupCommand,
  GetOriginAccessControlCommand,
  GetOriginRequestPolicyCommand,
  TestFunctionCommand,
} from '@aws-sdk/client-cloudfront';
import { GetKeyPolicyCommand } from '@aws-sdk/client-kms';
import {
  GetBucketAclCommand,
  GetBucketEncryptionCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketRequestPaymentCommand,
  GetBucketWebsiteCommand,
  GetObjectAclCommand,
  GetPublicAccessBlockCommand,
  HeadObjectCommand,
} from '@aws-sdk/client-s3';
import { GetPublicAccessBlockCommand as GetAccountPublicAccessBlockCommand } from '@aws-sdk/client-s3-control';
import { GetIPSetCommand, GetSampledRequestsCommand, GetWebACLCommand } from '@aws-sdk/client-wafv2';
import { toProbeResult } from '../domain/fingerprint.ts';
import { classifyOriginDomain, objectKey, requestPath } from '../domain/routing.ts';
import type {
  BucketEvidence,
  DistributionEvidence,
  Evidence,
  FunctionEvidence,
  KmsKeyEvidence,
  ObjectHead,
  OriginEvidence,
  Readable,
  ViewerRequest,
  WafEvidence,
} from '../domain/types.ts';
import type { WafIpSet, WafRule, WafSampledRequest, WafStatement, WafWebAcl } from '../domain/waf-types.ts';
import { DistributionNotFoundError } from '../errors.ts';
import { errorCode, toStepError } from './aws-call.ts';
import type { AwsClients } from './clients.ts';
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
}

type Calls = Evidence['calls'];

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
  const requests = input.requests ?? (await requestLog.failingRequests(distribution));
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
      // The same key without the origin path, to spot a wrong OriginPath.
      if (o.OriginPath) keys.add(objectKey('', path, config.DefaultRootObject));
    }
    keysByBucket.set(target.bucket, keys);
  }
  const bucketsP = Promise.all(
    bucketNames.map((b) => collectBucket(clients, calls, b, [...(keysByBucket.get(b) ?? [])])),
  );
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
    ? collectWaf(clients, calls, config.WebACLId)
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

  // Key policies depend only on the HeadObject answers: start them as soon as the buckets are read.
  const kmsP = bucketsP.then((b) => collectKmsKeys(clients, calls, b));
  const [originEv, buckets, accountPublicAccessBlock, keyGroups, policies, functions, waf, probes, kmsKeys] =
    await Promise.all([
      originsP,
      bucketsP,
      accountPabP,
      keyGroupsP,
      policiesP,
      functionsP,
      wafP,
      probesP,
      kmsP,
    ]);

  const bucketMap: Record<string, BucketEvidence> = Object.fromEntries(buckets.map((b) => [b.name, b]));
  return {
    collectedAt: new Date().toISOString(),
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
    requests,
    probes,
    calls,
  };
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
    Promise.all(
      keys.map(async (key) => {
        const r = await read<ObjectHead>(
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
        const value: Readable<ObjectHead> = r.ok ? { ok: true, value: r.value ?? { key, exists: false } } : r;
        return [key, value] as const;
      }),
    ),
  ]);
  // An object owned by another canonical user than the bucket owner was written by another account.
  const bucketOwner = acl.ok ? acl.value?.ownerId : undefined;
  const objects = heads.map(([key, head]): [string, Readable<ObjectHead>] => {
    if (!head.ok || !head.value.exists) return [key, head];
    const { ownerCanonicalId, ...rest } = head.value as ObjectHead & { ownerCanonicalId?: string };
    const foreign =
      bucketOwner !== undefined && ownerCanonicalId !== undefined && ownerCanonicalId !== bucketOwner;
    return [
      key,
      { ok: true, value: { ...rest, ...(foreign ? { ownerAccount: `canonical:${ownerCanonicalId}` } : {}) } },
    ];
  });
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
  };
}

async function collectKmsKeys(
  clients: AwsClients,
  calls: Calls,
  buckets: BucketEvidence[],
): Promise<Record<string, KmsKeyEvidence>> {
  const keyIds = new Set<string>();
  for (const b of buckets) {
    for (const o of Object.values(b.objects)) {
      if (o.ok && o.value.kmsKeyId) keyIds.add(o.value.kmsKeyId);
    }
  }
  const entries = await Promise.all(
    [...keyIds].map(async (keyId) => {
      const r = await read(calls, 'GetKeyPolicy', keyId, async () => {
        const out = await clients.kms.send(new GetKeyPolicyCommand({ KeyId: keyId, PolicyName: 'default' }));
        return out.Policy ?? null;
      });
      const ev: KmsKeyEvidence = {
        keyId: keyId.split('/').pop() ?? keyId,
        arn: keyId,
        policy: nonNull(r, 'NoKeyPolicy'),
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
      const described = await read(calls, 'DescribeFunction', name, async () => {
        const out = await clients.cloudfront.send(new DescribeFunctionCommand({ Name: name, Stage: 'LIVE' }));
        return out.ETag ?? null;
      });
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
            return {
              responseStatus: typeof response.statusCode === 'number' ? response.statusCode : undefined,
            };
          });
          return { url: req.url, method: req.method, result: nonNull(result, 'NoTestResult') };
        }),
      );
      return { name, arn, eventType, replays };
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
  const now = new Date();
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
              TimeWindow: { StartTime: new Date(now.getTime() - 3 * 3600_000), EndTime: now },
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

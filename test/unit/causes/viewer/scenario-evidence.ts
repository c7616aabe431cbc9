// A test-only stand-in for the collector: reads a scenario file into Evidence, with the workflow's probes
// answered by the edge model (sim/edge) from simulation.probe, so a scenario's rules can be checked
// before the real collector and world are wired together.
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import { toProbeResult } from '../../../../functions/domain/fingerprint.ts';
import { classifyOriginDomain, objectKey, requestPath } from '../../../../functions/domain/routing.ts';
import type {
  BucketEvidence,
  Evidence,
  FunctionEvidence,
  OriginEvidence,
} from '../../../../functions/domain/types.ts';
import { type EdgeView, respond, runCloudFrontFunction } from '../../../../sim/edge/index.ts';
import { loadScenario } from '../../../../sim/scenario/load.ts';
import type { Scenario } from '../../../../sim/scenario/types.ts';

export const DEFAULT_PROBE = { country: 'US', clientIp: '192.0.2.10' };

/** Reads and validates a scenario file (the loader rejects a malformed one, naming the field). */
export function readScenario(path: string): Scenario {
  return loadScenario(path);
}

/** The edge serves each distribution's config; an InProgress one is stale until `deployed` is set. */
export function viewOf(sc: Scenario, deployed = false): EdgeView {
  return {
    scenario: sc,
    deployedConfig(id: string): DistributionConfig {
      const d = sc.cloudfront.distributions.find((x) => x.Id === id);
      if (!d) throw new Error(`no distribution ${id}`);
      return d.DistributionConfig;
    },
    staleEdge: (id) =>
      !deployed && sc.cloudfront.distributions.find((x) => x.Id === id)?.Status === 'InProgress',
    accountPublicAccessBlock: () => sc.s3.accountPublicAccessBlock ?? null,
  };
}

function origins(sc: Scenario, config: DistributionConfig): OriginEvidence[] {
  return (config.Origins?.Items ?? []).map((o) => {
    const target = classifyOriginDomain(o.DomainName ?? '');
    const oacId = o.OriginAccessControlId ?? '';
    const oac = sc.cloudfront.originAccessControls?.find((x) => x.Id === oacId);
    const oaiId = (o.S3OriginConfig?.OriginAccessIdentity ?? '').split('/').pop() ?? '';
    const oai = sc.cloudfront.originAccessIdentities?.find((x) => x.Id === oaiId);
    return {
      id: o.Id ?? '',
      domainName: o.DomainName ?? '',
      originPath: o.OriginPath ?? '',
      kind: target.kind,
      ...(target.bucket ? { bucket: target.bucket } : {}),
      oac:
        oacId === ''
          ? { ok: true, value: null }
          : oac
            ? { ok: true, value: { Id: oac.Id, OriginAccessControlConfig: oac.OriginAccessControlConfig } }
            : { ok: false, code: 'NoSuchOriginAccessControl', message: oacId },
      oai:
        oaiId === ''
          ? { ok: true, value: null }
          : oai
            ? { ok: true, value: { Id: oai.Id, S3CanonicalUserId: oai.S3CanonicalUserId } }
            : { ok: false, code: 'NoSuchCloudFrontOriginAccessIdentity', message: oaiId },
    };
  });
}

function buckets(
  sc: Scenario,
  config: DistributionConfig,
  originList: OriginEvidence[],
): Record<string, BucketEvidence> {
  const out: Record<string, BucketEvidence> = {};
  for (const b of sc.s3.buckets) {
    out[b.Name] = {
      name: b.Name,
      policy: { ok: true, value: b.Policy },
      publicAccessBlock: { ok: true, value: b.PublicAccessBlockConfiguration },
      ownershipControls: { ok: true, value: b.OwnershipControls },
      requestPayer: { ok: true, value: b.Payer ?? 'BucketOwner' },
      encryption: { ok: true, value: b.ServerSideEncryptionConfiguration },
      website: { ok: true, value: b.WebsiteConfiguration },
      publicAcl: { ok: true, value: b.PublicReadAcl === true },
      objects: {},
    };
  }
  // HeadObject of every key a logged request maps to on every S3 origin, and of the index object for `/`.
  for (const origin of originList) {
    const bucket = origin.bucket ? out[origin.bucket] : undefined;
    const stored = sc.s3.buckets.find((b) => b.Name === origin.bucket);
    if (!bucket || !stored) continue;
    for (const r of sc.requests) {
      const path = requestPath(r.url);
      const keys = [objectKey(origin.originPath, path, config.DefaultRootObject)];
      if (path === '/') keys.push(objectKey(origin.originPath, '/index.html'));
      for (const key of keys) {
        const obj = stored.Objects.find((o) => o.Key === key);
        bucket.objects[key] = { ok: true, value: { key, exists: obj !== undefined } };
      }
    }
  }
  return out;
}

function functions(
  sc: Scenario,
  distributionId: string,
  domain: string,
  config: DistributionConfig,
): FunctionEvidence[] {
  const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors?.Items ?? [])];
  const arns = new Set(
    behaviors.flatMap((b) =>
      (b?.FunctionAssociations?.Items ?? [])
        .filter((a) => a.EventType === 'viewer-request')
        .map((a) => a.FunctionARN ?? ''),
    ),
  );
  return (sc.cloudfront.functions ?? [])
    .filter((f) => arns.has(f.FunctionMetadata.FunctionARN ?? ''))
    .map((f) => ({
      name: f.Name,
      arn: f.FunctionMetadata.FunctionARN ?? '',
      eventType: 'viewer-request',
      replays: sc.requests.map((r) => {
        const u = new URL(r.url);
        const run = runCloudFrontFunction(f.FunctionCode, {
          version: '1.0',
          context: {
            distributionDomainName: domain,
            distributionId,
            eventType: 'viewer-request',
            requestId: 'test',
          },
          viewer: { ip: r.clientIp ?? '192.0.2.10' },
          request: {
            method: r.method,
            uri: u.pathname,
            querystring: Object.fromEntries([...u.searchParams].map(([k, v]) => [k, { value: v }])),
            headers: { host: { value: u.host } },
            cookies: {},
          },
        });
        const result = run.result;
        const status =
          typeof result === 'object' && result !== null && 'statusCode' in result
            ? Number(result.statusCode)
            : undefined;
        return {
          url: r.url,
          method: r.method,
          result: run.error
            ? { ok: true as const, value: { error: run.error } }
            : { ok: true as const, value: status === undefined ? {} : { responseStatus: status } },
        };
      }),
    }));
}

export function evidenceFromScenario(sc: Scenario, view: EdgeView = viewOf(sc)): Evidence {
  const d = sc.cloudfront.distributions[0];
  if (!d) throw new Error(`${sc.name}: no distribution`);
  const config = d.DistributionConfig;
  const originList = origins(sc, config);
  const acl = sc.wafv2?.webAcls?.find(
    (a) => config.WebACLId && (a.ARN === config.WebACLId || a.Id === config.WebACLId),
  );
  const probe = sc.simulation?.probe ?? DEFAULT_PROBE;
  return {
    collectedAt: '2026-11-28T00:00:00Z',
    account: sc.account,
    region: sc.region,
    distribution: {
      Id: d.Id,
      ARN: d.ARN,
      DomainName: d.DomainName,
      Status: d.Status,
      ETag: d.ETag,
      DistributionConfig: config,
    },
    origins: originList,
    buckets: buckets(sc, config, originList),
    accountPublicAccessBlock: { ok: true, value: sc.s3.accountPublicAccessBlock ?? null },
    kmsKeys: {},
    waf: acl
      ? {
          ok: true,
          value: {
            webAcl: acl,
            ipSets: sc.wafv2?.ipSets ?? [],
            sampledRequests: (sc.wafv2?.sampledRequests ?? []).filter(
              (s) => !s.WebAclArn || s.WebAclArn === acl.ARN,
            ),
          },
        }
      : { ok: true, value: null },
    keyGroups: Object.fromEntries(
      (sc.cloudfront.keyGroups ?? []).map((k) => [k.Id, { ok: true, value: k.KeyGroupConfig }]),
    ),
    functions: functions(sc, d.Id, d.DomainName, config),
    originRequestPolicies: {},
    requests: sc.requests,
    probes: sc.requests.map((r) => {
      const req = { url: r.url, method: r.method, headers: r.headers };
      return toProbeResult(req, respond(view, { ...req, ...probe }));
    }),
    calls: [],
  };
}

// CloudFront commands answered from the world, in the SDK v3 output shapes.
import type {
  ActiveTrustedKeyGroups,
  CreateInvalidationCommandInput,
  CreateInvalidationCommandOutput,
  CreateOriginAccessControlCommandInput,
  CreateOriginAccessControlCommandOutput,
  DeleteOriginAccessControlCommandInput,
  DeleteOriginAccessControlCommandOutput,
  DescribeFunctionCommandInput,
  DescribeFunctionCommandOutput,
  Distribution,
  DistributionConfig,
  DistributionSummary,
  FunctionStage,
  FunctionSummary,
  GetCloudFrontOriginAccessIdentityCommandInput,
  GetCloudFrontOriginAccessIdentityCommandOutput,
  GetDistributionCommandInput,
  GetDistributionCommandOutput,
  GetDistributionConfigCommandInput,
  GetDistributionConfigCommandOutput,
  GetFunctionCommandInput,
  GetFunctionCommandOutput,
  GetInvalidationCommandInput,
  GetInvalidationCommandOutput,
  GetKeyGroupCommandInput,
  GetKeyGroupCommandOutput,
  GetOriginAccessControlCommandInput,
  GetOriginAccessControlCommandOutput,
  GetOriginRequestPolicyCommandInput,
  GetOriginRequestPolicyCommandOutput,
  Invalidation,
  ListDistributionsCommandInput,
  ListDistributionsCommandOutput,
  ListInvalidationsCommandInput,
  ListInvalidationsCommandOutput,
  ListOriginAccessControlsCommandInput,
  ListOriginAccessControlsCommandOutput,
  ListTagsForResourceCommandInput,
  ListTagsForResourceCommandOutput,
  OriginAccessControlConfig,
  TestFunctionCommandInput,
  TestFunctionCommandOutput,
  UpdateDistributionCommandInput,
  UpdateDistributionCommandOutput,
} from '@aws-sdk/client-cloudfront';
import { Uint8ArrayBlobAdapter } from '@smithy/core/serde';
import type { CloudFrontFunctionEvent } from '../edge/cloudfront-function.ts';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import { managedOriginRequestPolicy } from './managed-policies.ts';
import { findQuantityMismatch } from './quantities.ts';
import type { DistributionState, InvalidationState } from './state.ts';
import type { World } from './world.ts';

const API_BASE = 'https://cloudfront.amazonaws.com/2020-05-31';

function cfError(name: string, message: string, status: number): Error {
  return serviceError({ service: 'cloudfront', name, message, status });
}

/** Page of a list by CloudFront's Marker convention: the marker is the id of the last item already seen. */
function page<T>(items: T[], idOf: (item: T) => string, marker: string | undefined, maxItems: unknown) {
  const max = maxItems === undefined ? 100 : Number(maxItems);
  if (!Number.isInteger(max) || max < 0)
    throw cfError('InvalidArgument', `MaxItems must be a non-negative integer`, 400);
  let start = 0;
  if (marker) {
    const at = items.findIndex((item) => idOf(item) === marker);
    start = at < 0 ? items.length : at + 1;
  }
  const slice = items.slice(start, start + max);
  const isTruncated = start + max < items.length;
  const last = slice[slice.length - 1];
  return {
    Marker: marker ?? '',
    NextMarker: isTruncated && last !== undefined ? idOf(last) : undefined,
    MaxItems: max,
    IsTruncated: isTruncated,
    Quantity: slice.length,
    // an empty list comes back without Items, as the XML has none
    Items: slice.length > 0 ? slice : undefined,
  };
}

function trustedKeyGroupIds(config: DistributionConfig): string[] {
  const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors?.Items ?? [])];
  const ids = new Set<string>();
  for (const b of behaviors) {
    if (b?.TrustedKeyGroups?.Enabled) for (const id of b.TrustedKeyGroups.Items ?? []) ids.add(id);
  }
  return [...ids];
}

function isInvalidPath(path: unknown): boolean {
  if (typeof path !== 'string' || !path.startsWith('/')) return true;
  const star = path.indexOf('*');
  return star >= 0 && star !== path.length - 1;
}

export function cloudFrontHandlers(world: World): Handlers {
  const st = world.state;

  const distribution = (id: unknown): DistributionState => {
    const d = typeof id === 'string' ? st.distributions.get(id) : undefined;
    if (!d) throw cfError('NoSuchDistribution', 'The specified distribution does not exist.', 404);
    return d;
  };

  const invalidationStatus = (inv: InvalidationState) =>
    inv.completeAt <= world.now() ? 'Completed' : 'InProgress';

  const activeKeyGroups = (config: DistributionConfig): ActiveTrustedKeyGroups => {
    const items = trustedKeyGroupIds(config).map((id) => {
      const keys = st.keyGroups.get(id)?.KeyGroupConfig.Items ?? [];
      return {
        KeyGroupId: id,
        KeyPairIds: { Quantity: keys.length, Items: keys.length > 0 ? [...keys] : undefined },
      };
    });
    return { Enabled: items.length > 0, Quantity: items.length, Items: items.length > 0 ? items : undefined };
  };

  const distributionOutput = (d: DistributionState): Distribution => ({
    Id: d.Id,
    ARN: d.ARN,
    Status: d.status,
    LastModifiedTime: new Date(d.lastModified),
    InProgressInvalidationBatches: d.invalidations.filter((i) => invalidationStatus(i) === 'InProgress')
      .length,
    DomainName: d.DomainName,
    ActiveTrustedSigners: { Enabled: false, Quantity: 0 },
    ActiveTrustedKeyGroups: activeKeyGroups(d.config),
    DistributionConfig: structuredClone(d.config),
  });

  const checkIfMatch = (ifMatch: string | undefined, etag: string): void => {
    if (!ifMatch)
      throw cfError(
        'InvalidIfMatchVersion',
        'The If-Match version is missing or not valid for the resource.',
        400,
      );
    if (ifMatch !== etag) {
      throw cfError(
        'PreconditionFailed',
        "The request failed because it didn't meet the preconditions in one or more request-header fields.",
        412,
      );
    }
  };

  const validateDistributionConfig = (config: DistributionConfig, current: DistributionConfig): void => {
    const mismatch = findQuantityMismatch(config);
    if (mismatch) {
      throw cfError(
        'InconsistentQuantities',
        `The value of Quantity and the size of Items don't match (${mismatch.path}: Quantity ${String(mismatch.quantity)}, ${mismatch.length} Items).`,
        400,
      );
    }
    if (config.CallerReference !== current.CallerReference) {
      throw cfError('IllegalUpdate', 'The CallerReference of a distribution cannot be changed.', 400);
    }
    const origins = config.Origins?.Items ?? [];
    if (origins.length === 0)
      throw cfError('InvalidArgument', 'The distribution must have at least one origin.', 400);
    for (const origin of origins) {
      const oacId = origin.OriginAccessControlId ?? '';
      const oai = origin.S3OriginConfig?.OriginAccessIdentity ?? '';
      if (oacId === '') continue;
      if (oai !== '') {
        throw cfError(
          'IllegalOriginAccessConfiguration',
          `Origin ${origin.Id} cannot have both an origin access control and an origin access identity.`,
          400,
        );
      }
      if ((origin.DomainName ?? '').includes('.s3-website')) {
        throw cfError(
          'InvalidDomainNameForOriginAccessControl',
          `An origin access control cannot be used with the S3 website endpoint ${origin.DomainName}.`,
          400,
        );
      }
      if (!st.oacs.has(oacId)) {
        throw cfError('NoSuchOriginAccessControl', `The origin access control ${oacId} does not exist.`, 404);
      }
    }
    const targets = new Set<string>([
      ...origins.map((o) => o.Id ?? ''),
      ...(config.OriginGroups?.Items ?? []).map((g) => g.Id ?? ''),
    ]);
    const behaviors = [config.DefaultCacheBehavior, ...(config.CacheBehaviors?.Items ?? [])];
    for (const b of behaviors) {
      if (b && !targets.has(b.TargetOriginId ?? '')) {
        throw cfError(
          'NoSuchOrigin',
          `One or more of your origins or origin groups do not exist (${b.TargetOriginId}).`,
          404,
        );
      }
    }
    for (const id of trustedKeyGroupIds(config)) {
      if (!st.keyGroups.has(id))
        throw cfError('TrustedKeyGroupDoesNotExist', `The key group ${id} does not exist.`, 400);
    }
  };

  const oac = (id: unknown) => {
    const found = typeof id === 'string' ? st.oacs.get(id) : undefined;
    if (!found) throw cfError('NoSuchOriginAccessControl', 'The origin access control does not exist.', 404);
    return found;
  };

  const fn = (name: unknown, stage: FunctionStage | undefined) => {
    const found = typeof name === 'string' ? st.functions.get(name) : undefined;
    // a published function exists in both stages; an unpublished one only in DEVELOPMENT
    if (!found || (stage === 'LIVE' && found.FunctionMetadata.Stage !== 'LIVE')) {
      throw cfError('NoSuchFunctionExists', 'The function does not exist.', 404);
    }
    return found;
  };

  const functionSummary = (name: string, stage: FunctionStage | undefined): FunctionSummary => {
    const f = fn(name, stage);
    const effectiveStage = stage ?? 'DEVELOPMENT';
    const arn = f.FunctionMetadata.FunctionARN ?? '';
    const associated = [...st.distributions.values()].some((d) =>
      [d.config.DefaultCacheBehavior, ...(d.config.CacheBehaviors?.Items ?? [])].some((b) =>
        (b?.FunctionAssociations?.Items ?? []).some((a) => a.FunctionARN === arn),
      ),
    );
    const toDate = (v: unknown) =>
      v instanceof Date ? v : typeof v === 'string' ? new Date(v) : new Date(0);
    const created = f.FunctionMetadata.CreatedTime;
    const modified = f.FunctionMetadata.LastModifiedTime;
    return {
      Name: f.Name,
      Status: f.FunctionMetadata.Stage !== 'LIVE' ? 'UNPUBLISHED' : associated ? 'DEPLOYED' : 'UNASSOCIATED',
      FunctionConfig: structuredClone(f.FunctionConfig),
      FunctionMetadata: {
        FunctionARN: arn,
        Stage: effectiveStage,
        CreatedTime: created === undefined ? new Date(0) : toDate(created),
        LastModifiedTime: modified === undefined ? new Date(0) : toDate(modified),
      },
    };
  };

  return {
    // Tags of a distribution (issue 12); other taggable CloudFront resources carry none here.
    ListTagsForResource: handler<ListTagsForResourceCommandInput, Out<ListTagsForResourceCommandOutput>>(
      (input) => {
        const id = /^arn:aws[a-z-]*:cloudfront::\d{12}:distribution\/([A-Z0-9]+)$/.exec(
          input.Resource ?? '',
        )?.[1];
        if (!id)
          throw cfError('InvalidArgument', `${input.Resource ?? 'null'} is not a valid resource ARN.`, 400);
        const d = st.distributions.get(id);
        if (!d || d.ARN !== input.Resource)
          throw cfError('NoSuchResource', 'The specified resource does not exist.', 404);
        const items = structuredClone(d.tags ?? []);
        return { Tags: { Items: items } };
      },
    ),

    GetDistribution: handler<GetDistributionCommandInput, Out<GetDistributionCommandOutput>>((input) => {
      const d = distribution(input.Id);
      return { Distribution: distributionOutput(d), ETag: d.ETag };
    }),

    GetDistributionConfig: handler<
      GetDistributionConfigCommandInput,
      Out<GetDistributionConfigCommandOutput>
    >((input) => {
      const d = distribution(input.Id);
      return { DistributionConfig: structuredClone(d.config), ETag: d.ETag };
    }),

    UpdateDistribution: handler<UpdateDistributionCommandInput, Out<UpdateDistributionCommandOutput>>(
      (input) => {
        const d = distribution(input.Id);
        if (!input.DistributionConfig)
          throw cfError('InvalidArgument', 'DistributionConfig is required.', 400);
        checkIfMatch(input.IfMatch, d.ETag);
        validateDistributionConfig(input.DistributionConfig, d.config);
        d.config = structuredClone(input.DistributionConfig);
        d.ETag = world.ids.alnum('E', 13);
        d.status = 'InProgress';
        d.deployAt = world.now() + world.deploymentSeconds * 1000;
        d.lastModified = world.now();
        return { Distribution: distributionOutput(d), ETag: d.ETag };
      },
    ),

    ListDistributions: handler<ListDistributionsCommandInput, Out<ListDistributionsCommandOutput>>(
      (input) => {
        const list = page([...st.distributions.values()], (d) => d.Id, input.Marker, input.MaxItems);
        const items = list.Items?.map(
          (d): DistributionSummary => ({
            Id: d.Id,
            ARN: d.ARN,
            ETag: d.ETag,
            Status: d.status,
            LastModifiedTime: new Date(d.lastModified),
            DomainName: d.DomainName,
            Aliases: structuredClone(d.config.Aliases),
            Origins: structuredClone(d.config.Origins),
            OriginGroups: structuredClone(d.config.OriginGroups),
            DefaultCacheBehavior: structuredClone(d.config.DefaultCacheBehavior),
            CacheBehaviors: structuredClone(d.config.CacheBehaviors),
            CustomErrorResponses: structuredClone(d.config.CustomErrorResponses),
            Comment: d.config.Comment,
            PriceClass: d.config.PriceClass,
            Enabled: d.config.Enabled,
            ViewerCertificate: structuredClone(d.config.ViewerCertificate),
            Restrictions: structuredClone(d.config.Restrictions),
            WebACLId: d.config.WebACLId,
            HttpVersion: d.config.HttpVersion,
            IsIPV6Enabled: d.config.IsIPV6Enabled,
            Staging: d.config.Staging ?? false,
          }),
        );
        return { DistributionList: { ...list, Items: items } };
      },
    ),

    ListOriginAccessControls: handler<
      ListOriginAccessControlsCommandInput,
      Out<ListOriginAccessControlsCommandOutput>
    >((input) => {
      const list = page([...st.oacs.values()], (o) => o.Id, input.Marker, input.MaxItems);
      const items = list.Items?.map((o) => ({
        Id: o.Id,
        Description: o.config.Description ?? '',
        Name: o.config.Name,
        SigningProtocol: o.config.SigningProtocol,
        SigningBehavior: o.config.SigningBehavior,
        OriginAccessControlOriginType: o.config.OriginAccessControlOriginType,
      }));
      return { OriginAccessControlList: { ...list, Items: items } };
    }),

    GetOriginAccessControl: handler<
      GetOriginAccessControlCommandInput,
      Out<GetOriginAccessControlCommandOutput>
    >((input) => {
      const o = oac(input.Id);
      return {
        OriginAccessControl: { Id: o.Id, OriginAccessControlConfig: structuredClone(o.config) },
        ETag: o.ETag,
      };
    }),

    CreateOriginAccessControl: handler<
      CreateOriginAccessControlCommandInput,
      Out<CreateOriginAccessControlCommandOutput>
    >((input) => {
      const config: OriginAccessControlConfig | undefined = input.OriginAccessControlConfig;
      if (!config?.Name) throw cfError('InvalidArgument', 'OriginAccessControlConfig.Name is required.', 400);
      if (config.SigningProtocol !== 'sigv4')
        throw cfError('InvalidArgument', 'SigningProtocol must be sigv4.', 400);
      if (!['always', 'never', 'no-override'].includes(config.SigningBehavior ?? '')) {
        throw cfError('InvalidArgument', 'SigningBehavior must be always, never or no-override.', 400);
      }
      if (
        !['s3', 'mediastore', 'mediapackagev2', 'lambda'].includes(config.OriginAccessControlOriginType ?? '')
      ) {
        throw cfError('InvalidArgument', 'OriginAccessControlOriginType is not valid.', 400);
      }
      if ([...st.oacs.values()].some((o) => o.config.Name === config.Name)) {
        throw cfError(
          'OriginAccessControlAlreadyExists',
          `An origin access control named ${config.Name} already exists.`,
          409,
        );
      }
      const Id = world.ids.alnum('E', 13);
      const ETag = world.ids.alnum('E', 12);
      st.oacs.set(Id, { Id, ETag, config: structuredClone(config) });
      return {
        OriginAccessControl: { Id, OriginAccessControlConfig: structuredClone(config) },
        Location: `${API_BASE}/origin-access-control/${Id}`,
        ETag,
      };
    }),

    DeleteOriginAccessControl: handler<
      DeleteOriginAccessControlCommandInput,
      Out<DeleteOriginAccessControlCommandOutput>
    >((input) => {
      const o = oac(input.Id);
      checkIfMatch(input.IfMatch, o.ETag);
      const inUse = [...st.distributions.values()].some((d) =>
        (d.config.Origins?.Items ?? []).some((origin) => origin.OriginAccessControlId === o.Id),
      );
      if (inUse) throw cfError('OriginAccessControlInUse', 'The origin access control is in use.', 409);
      st.oacs.delete(o.Id);
      return {};
    }),

    GetCloudFrontOriginAccessIdentity: handler<
      GetCloudFrontOriginAccessIdentityCommandInput,
      Out<GetCloudFrontOriginAccessIdentityCommandOutput>
    >((input) => {
      const o = typeof input.Id === 'string' ? st.oais.get(input.Id) : undefined;
      if (!o) {
        throw cfError(
          'NoSuchCloudFrontOriginAccessIdentity',
          'The specified origin access identity does not exist.',
          404,
        );
      }
      return {
        CloudFrontOriginAccessIdentity: {
          Id: o.Id,
          S3CanonicalUserId: o.S3CanonicalUserId,
          CloudFrontOriginAccessIdentityConfig: structuredClone(
            o.CloudFrontOriginAccessIdentityConfig ?? { CallerReference: o.Id, Comment: '' },
          ),
        },
        ETag: o.ETag,
      };
    }),

    GetKeyGroup: handler<GetKeyGroupCommandInput, Out<GetKeyGroupCommandOutput>>((input) => {
      const k = typeof input.Id === 'string' ? st.keyGroups.get(input.Id) : undefined;
      if (!k) throw cfError('NoSuchResource', 'A resource that was specified is not valid.', 404);
      return {
        KeyGroup: {
          Id: k.Id,
          LastModifiedTime: new Date(0),
          KeyGroupConfig: structuredClone(k.KeyGroupConfig),
        },
        ETag: k.ETag,
      };
    }),

    DescribeFunction: handler<DescribeFunctionCommandInput, Out<DescribeFunctionCommandOutput>>((input) => {
      const summary = functionSummary(input.Name ?? '', input.Stage);
      return { FunctionSummary: summary, ETag: fn(input.Name, input.Stage).ETag };
    }),

    GetFunction: handler<GetFunctionCommandInput, Out<GetFunctionCommandOutput>>((input) => {
      const f = fn(input.Name, input.Stage);
      return {
        FunctionCode: Uint8ArrayBlobAdapter.fromString(f.FunctionCode),
        ETag: f.ETag,
        ContentType: 'application/octet-stream',
      };
    }),

    TestFunction: handler<TestFunctionCommandInput, Out<TestFunctionCommandOutput>>(async (input) => {
      const f = fn(input.Name, input.Stage);
      checkIfMatch(input.IfMatch, f.ETag);
      let event: CloudFrontFunctionEvent;
      try {
        const text = new TextDecoder().decode(input.EventObject ?? new Uint8Array());
        event = JSON.parse(text) as CloudFrontFunctionEvent;
      } catch (cause) {
        throw Object.assign(cfError('InvalidArgument', 'The EventObject is not valid JSON.', 400), { cause });
      }
      // the function runner belongs to the edge model; loaded lazily so the world works without it until needed
      const { runCloudFrontFunction } = await import('../edge/cloudfront-function.ts');
      const run = runCloudFrontFunction(f.FunctionCode, event);
      const result = run.result as Record<string, unknown> | null | undefined;
      const eventType = (event as { context?: { eventType?: string } }).context?.eventType;
      // the real FunctionOutput wraps the returned object as {"request": ...} or {"response": ...}
      const isResponse =
        eventType === 'viewer-response' ||
        (result !== null && typeof result === 'object' && 'statusCode' in result);
      return {
        TestResult: {
          FunctionSummary: functionSummary(f.Name, input.Stage),
          ComputeUtilization: '10',
          FunctionExecutionLogs: run.logs,
          FunctionErrorMessage: run.error ?? '',
          FunctionOutput: run.error
            ? ''
            : JSON.stringify(isResponse ? { response: result } : { request: result }),
        },
      };
    }),

    GetOriginRequestPolicy: handler<
      GetOriginRequestPolicyCommandInput,
      Out<GetOriginRequestPolicyCommandOutput>
    >((input) => {
      const id = input.Id ?? '';
      const custom = st.originRequestPolicies.get(id);
      const policy = custom ?? managedOriginRequestPolicy(id);
      if (!policy)
        throw cfError('NoSuchOriginRequestPolicy', 'The origin request policy does not exist.', 404);
      return {
        OriginRequestPolicy: {
          Id: policy.Id,
          LastModifiedTime: new Date(0),
          OriginRequestPolicyConfig: structuredClone(policy.OriginRequestPolicyConfig),
        },
        ETag: custom?.ETag ?? 'E23ZP02F085DFQ',
      };
    }),

    CreateInvalidation: handler<CreateInvalidationCommandInput, Out<CreateInvalidationCommandOutput>>(
      (input) => {
        const d = distribution(input.DistributionId);
        const batch = input.InvalidationBatch;
        if (!batch?.Paths || !batch.CallerReference) {
          throw cfError('InvalidArgument', 'InvalidationBatch needs Paths and CallerReference.', 400);
        }
        const mismatch = findQuantityMismatch(batch.Paths, 'InvalidationBatch.Paths');
        if (mismatch)
          throw cfError(
            'InconsistentQuantities',
            "The value of Quantity and the size of Items don't match.",
            400,
          );
        const paths = batch.Paths.Items ?? [];
        if (paths.length === 0 || paths.some(isInvalidPath)) {
          throw cfError(
            'InvalidArgument',
            'Your request contains one or more invalid invalidation paths.',
            400,
          );
        }
        const invalidationOutput = (inv: InvalidationState): Invalidation => ({
          Id: inv.Id,
          Status: invalidationStatus(inv),
          CreateTime: new Date(inv.createdAt),
          InvalidationBatch: structuredClone(inv.batch),
        });
        // the same CallerReference returns the invalidation already made (idempotent retries)
        const existing = d.invalidations.find((i) => i.batch.CallerReference === batch.CallerReference);
        const inv = existing ?? {
          Id: world.ids.alnum('I', 13),
          createdAt: world.now(),
          completeAt: world.now() + world.invalidationSeconds * 1000,
          batch: structuredClone(batch),
        };
        if (!existing) d.invalidations.push(inv);
        return {
          Location: `${API_BASE}/distribution/${d.Id}/invalidation/${inv.Id}`,
          Invalidation: invalidationOutput(inv),
        };
      },
    ),

    GetInvalidation: handler<GetInvalidationCommandInput, Out<GetInvalidationCommandOutput>>((input) => {
      const d = distribution(input.DistributionId);
      const inv = d.invalidations.find((i) => i.Id === input.Id);
      if (!inv) throw cfError('NoSuchInvalidation', 'The specified invalidation does not exist.', 404);
      return {
        Invalidation: {
          Id: inv.Id,
          Status: invalidationStatus(inv),
          CreateTime: new Date(inv.createdAt),
          InvalidationBatch: structuredClone(inv.batch),
        },
      };
    }),

    ListInvalidations: handler<ListInvalidationsCommandInput, Out<ListInvalidationsCommandOutput>>(
      (input) => {
        const d = distribution(input.DistributionId);
        const newestFirst = [...d.invalidations].reverse();
        const list = page(newestFirst, (i) => i.Id, input.Marker, input.MaxItems);
        const items = list.Items?.map((i) => ({
          Id: i.Id,
          CreateTime: new Date(i.createdAt),
          Status: invalidationStatus(i),
        }));
        return { InvalidationList: { ...list, Items: items } };
      },
    ),
  };
}

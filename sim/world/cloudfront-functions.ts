// CloudFront Functions writes: CreateFunction (DEVELOPMENT stage), PublishFunction (copies it to LIVE),
// DeleteFunction (refused while a distribution associates it). CloudFront API Reference, CreateFunction,
// PublishFunction, DeleteFunction.
import type {
  CreateFunctionCommandInput,
  CreateFunctionCommandOutput,
  DeleteFunctionCommandInput,
  DeleteFunctionCommandOutput,
  FunctionSummary,
  PublishFunctionCommandInput,
  PublishFunctionCommandOutput,
} from '@aws-sdk/client-cloudfront';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

const API_BASE = 'https://cloudfront.amazonaws.com/2020-05-31';
// Name: 1-64 of [a-zA-Z0-9-_]; code up to 10 KB for cloudfront-js (CloudFront Developer Guide, "Quotas on
// CloudFront Functions": maximum function size 10 KB).
const NAME = /^[a-zA-Z0-9\-_]{1,64}$/;
const MAX_CODE_BYTES = 10 * 1024;

function cfError(name: string, message: string, status: number): Error {
  return serviceError({ service: 'cloudfront', name, message, status });
}

export function cloudFrontFunctionHandlers(world: World): Handlers {
  const st = world.state;

  const existing = (name: unknown) => {
    const f = typeof name === 'string' ? st.functions.get(name) : undefined;
    if (!f) throw cfError('NoSuchFunctionExists', 'The function does not exist.', 404);
    return f;
  };

  const checkIfMatch = (ifMatch: string | undefined, etag: string): void => {
    if (!ifMatch)
      throw cfError(
        'InvalidIfMatchVersion',
        'The If-Match version is missing or not valid for the resource.',
        400,
      );
    if (ifMatch !== etag)
      throw cfError(
        'PreconditionFailed',
        "The request failed because it didn't meet the preconditions in one or more request-header fields.",
        412,
      );
  };

  const summary = (name: string): FunctionSummary => {
    const f = existing(name);
    const live = f.FunctionMetadata.Stage === 'LIVE';
    return {
      Name: f.Name,
      Status: live ? 'UNASSOCIATED' : 'UNPUBLISHED',
      FunctionConfig: structuredClone(f.FunctionConfig),
      FunctionMetadata: {
        FunctionARN: f.FunctionMetadata.FunctionARN,
        Stage: f.FunctionMetadata.Stage,
        CreatedTime: new Date(world.now()),
        LastModifiedTime: new Date(world.now()),
      },
    };
  };

  return {
    CreateFunction: handler<CreateFunctionCommandInput, Out<CreateFunctionCommandOutput>>((input) => {
      const name = input.Name ?? '';
      if (!NAME.test(name)) throw cfError('InvalidArgument', 'The function name is not valid.', 400);
      if (st.functions.has(name))
        throw cfError('FunctionAlreadyExists', `A function with the name ${name} already exists.`, 409);
      const code = input.FunctionCode ? new TextDecoder().decode(input.FunctionCode) : '';
      if (code === '' || Buffer.byteLength(code) > MAX_CODE_BYTES)
        throw cfError('FunctionSizeLimitExceeded', 'The function is too large or empty.', 413);
      if (!input.FunctionConfig?.Runtime)
        throw cfError('InvalidArgument', 'FunctionConfig.Runtime is required.', 400);
      const ETag = world.ids.alnum('E', 13);
      st.functions.set(name, {
        Name: name,
        FunctionConfig: {
          Comment: input.FunctionConfig.Comment ?? '',
          Runtime: input.FunctionConfig.Runtime,
        },
        FunctionMetadata: {
          FunctionARN: `arn:aws:cloudfront::${world.account}:function/${name}`,
          Stage: 'DEVELOPMENT',
          LastModifiedTime: new Date(world.now()),
        },
        FunctionCode: code,
        ETag,
      });
      return { FunctionSummary: summary(name), Location: `${API_BASE}/function/${name}`, ETag };
    }),

    PublishFunction: handler<PublishFunctionCommandInput, Out<PublishFunctionCommandOutput>>((input) => {
      const f = existing(input.Name);
      checkIfMatch(input.IfMatch, f.ETag);
      f.FunctionMetadata = { ...f.FunctionMetadata, Stage: 'LIVE' };
      return { FunctionSummary: summary(f.Name) };
    }),

    DeleteFunction: handler<DeleteFunctionCommandInput, Out<DeleteFunctionCommandOutput>>((input) => {
      const f = existing(input.Name);
      checkIfMatch(input.IfMatch, f.ETag);
      const arn = f.FunctionMetadata.FunctionARN;
      const inUse = [...st.distributions.values()].some((d) =>
        [d.config.DefaultCacheBehavior, ...(d.config.CacheBehaviors?.Items ?? [])].some((b) =>
          (b?.FunctionAssociations?.Items ?? []).some((a) => a.FunctionARN === arn),
        ),
      );
      if (inUse)
        throw cfError('FunctionInUse', 'Cannot delete function, it is associated with a distribution.', 409);
      st.functions.delete(f.Name);
      return {};
    }),
  };
}

// S3 Control: the account-level Block Public Access settings.
import type {
  GetPublicAccessBlockCommandInput,
  GetPublicAccessBlockCommandOutput,
} from '@aws-sdk/client-s3-control';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

export function s3ControlHandlers(world: World): Handlers {
  return {
    GetPublicAccessBlock: handler<GetPublicAccessBlockCommandInput, Out<GetPublicAccessBlockCommandOutput>>(
      (input) => {
        if (input.AccountId !== world.account) {
          throw serviceError({
            service: 's3control',
            name: 'AccessDenied',
            message: 'Access Denied',
            status: 403,
          });
        }
        const pab = world.accountPublicAccessBlock();
        if (!pab) {
          throw serviceError({
            service: 's3control',
            name: 'NoSuchPublicAccessBlockConfiguration',
            message: 'The public access block configuration was not found',
            status: 404,
          });
        }
        return { PublicAccessBlockConfiguration: structuredClone(pab) };
      },
    ),
  };
}

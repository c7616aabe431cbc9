// KMS key reads and key policy writes.
import type {
  DescribeKeyCommandInput,
  DescribeKeyCommandOutput,
  GetKeyPolicyCommandInput,
  GetKeyPolicyCommandOutput,
  PutKeyPolicyCommandInput,
  PutKeyPolicyCommandOutput,
} from '@aws-sdk/client-kms';
import type { ScenarioKmsKey } from '../scenario/types.ts';
import { serviceError } from './errors.ts';
import { type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

function kmsError(name: string, message: string, status: number): Error {
  return serviceError({ service: 'kms', name, message, status });
}

export function kmsHandlers(world: World): Handlers {
  const key = (keyId: unknown): ScenarioKmsKey => {
    const id = typeof keyId === 'string' ? keyId : '';
    // a key is named by its id or its ARN; an ARN's last segment is `key/<id>`
    const found = world.state.kmsKeys.find(
      (k) => k.KeyId === id || k.Arn === id || k.Arn.endsWith(`:key/${id}`),
    );
    if (!found) {
      throw kmsError(
        'NotFoundException',
        `Key 'arn:aws:kms:${world.region}:${world.account}:key/${id}' does not exist`,
        400,
      );
    }
    return found;
  };

  const checkPolicyName = (name: string | undefined) => {
    if (name !== undefined && name !== 'default')
      throw kmsError('NotFoundException', `Policy ${name} does not exist`, 400);
  };

  return {
    DescribeKey: handler<DescribeKeyCommandInput, Out<DescribeKeyCommandOutput>>((input) => {
      const k = key(input.KeyId);
      const account = k.Arn.split(':')[4] ?? world.account;
      return {
        KeyMetadata: {
          AWSAccountId: account,
          KeyId: k.KeyId,
          Arn: k.Arn,
          CreationDate: new Date(0),
          Enabled: true,
          Description: '',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyState: 'Enabled',
          Origin: 'AWS_KMS',
          KeyManager: 'CUSTOMER',
          CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
          MultiRegion: false,
        },
      };
    }),

    GetKeyPolicy: handler<GetKeyPolicyCommandInput, Out<GetKeyPolicyCommandOutput>>((input) => {
      checkPolicyName(input.PolicyName);
      return { Policy: key(input.KeyId).Policy, PolicyName: 'default' };
    }),

    PutKeyPolicy: handler<PutKeyPolicyCommandInput, Out<PutKeyPolicyCommandOutput>>((input) => {
      checkPolicyName(input.PolicyName);
      const k = key(input.KeyId);
      let doc: unknown;
      try {
        doc = JSON.parse(input.Policy ?? '');
      } catch (cause) {
        throw Object.assign(
          kmsError('MalformedPolicyDocumentException', 'The policy is not valid JSON.', 400),
          { cause },
        );
      }
      if (typeof doc !== 'object' || doc === null || !('Statement' in doc)) {
        throw kmsError('MalformedPolicyDocumentException', 'The policy has no Statement.', 400);
      }
      k.Policy = input.Policy ?? '';
      return {};
    }),
  };
}

// KMS key reads and key policy writes.
import type {
  DescribeKeyCommandInput,
  DescribeKeyCommandOutput,
  GetKeyPolicyCommandInput,
  GetKeyPolicyCommandOutput,
  ListResourceTagsCommandInput,
  ListResourceTagsCommandOutput,
  PutKeyPolicyCommandInput,
  PutKeyPolicyCommandOutput,
} from '@aws-sdk/client-kms';
import type { ScenarioKmsKey } from '../scenario/types.ts';
import { serviceError } from './errors.ts';
import { type HandlerContext, type Handlers, handler, type Out } from './handlers.ts';
import type { World } from './world.ts';

function kmsError(name: string, message: string, status: number): Error {
  return serviceError({ service: 'kms', name, message, status });
}

/** The region of a key, from its ARN (`arn:aws:kms:REGION:ACCOUNT:key/ID`). */
export function keyRegion(key: ScenarioKmsKey): string {
  return key.Arn.split(':')[3] ?? '';
}

/**
 * The key a KeyId names in the caller's region: a key id, key ARN, alias name (`alias/aws/s3`) or alias ARN.
 * KMS keys are regional: a key of another region is not found, even by its ARN (AWS KMS Developer Guide,
 * "AWS KMS keys": "KMS keys ... never leave the AWS Region in which they were created").
 */
export function findKmsKey(
  keys: readonly ScenarioKmsKey[],
  keyId: string,
  region: string | undefined,
): ScenarioKmsKey | undefined {
  const inRegion = (k: ScenarioKmsKey) => region === undefined || keyRegion(k) === region;
  if (keyId.startsWith('arn:')) {
    const arnRegion = keyId.split(':')[3];
    if (region !== undefined && arnRegion !== region) return undefined;
    const alias = /:(alias\/.+)$/.exec(keyId)?.[1];
    if (alias !== undefined) return keys.find((k) => inRegion(k) && (k.Aliases ?? []).includes(alias));
    return keys.find((k) => k.Arn === keyId);
  }
  if (keyId.startsWith('alias/')) return keys.find((k) => inRegion(k) && (k.Aliases ?? []).includes(keyId));
  return keys.find((k) => inRegion(k) && (k.KeyId === keyId || k.Arn.endsWith(`:key/${keyId}`)));
}

export function kmsHandlers(world: World): Handlers {
  const key = (keyId: unknown, context: HandlerContext | undefined): ScenarioKmsKey => {
    const id = typeof keyId === 'string' ? keyId : '';
    const region = context?.region ?? world.region;
    const found = findKmsKey(world.state.kmsKeys, id, region);
    if (!found) {
      const arn = id.startsWith('arn:')
        ? id
        : `arn:aws:kms:${region}:${world.account}:${id.startsWith('alias/') ? id : `key/${id}`}`;
      throw kmsError('NotFoundException', `Key '${arn}' does not exist`, 400);
    }
    return found;
  };

  const checkPolicyName = (name: string | undefined) => {
    if (name !== undefined && name !== 'default')
      throw kmsError('NotFoundException', `Policy ${name} does not exist`, 400);
  };

  return {
    DescribeKey: handler<DescribeKeyCommandInput, Out<DescribeKeyCommandOutput>>((input, context) => {
      const k = key(input.KeyId, context);
      const account = k.Arn.split(':')[4] ?? world.account;
      return {
        KeyMetadata: {
          AWSAccountId: account,
          KeyId: k.KeyId,
          Arn: k.Arn,
          CreationDate: new Date(0),
          Enabled: true,
          Description:
            k.KeyManager === 'AWS'
              ? 'Default key that protects my S3 objects when no other key is defined'
              : '',
          KeyUsage: 'ENCRYPT_DECRYPT',
          KeyState: 'Enabled',
          Origin: 'AWS_KMS',
          KeyManager: k.KeyManager ?? 'CUSTOMER',
          CustomerMasterKeySpec: 'SYMMETRIC_DEFAULT',
          KeySpec: 'SYMMETRIC_DEFAULT',
          EncryptionAlgorithms: ['SYMMETRIC_DEFAULT'],
          MultiRegion: false,
        },
      };
    }),

    // Tags of a key (issue 12), all on one page.
    ListResourceTags: handler<ListResourceTagsCommandInput, Out<ListResourceTagsCommandOutput>>(
      (input, context) => ({ Tags: structuredClone(key(input.KeyId, context).Tags ?? []), Truncated: false }),
    ),

    GetKeyPolicy: handler<GetKeyPolicyCommandInput, Out<GetKeyPolicyCommandOutput>>((input, context) => {
      checkPolicyName(input.PolicyName);
      return { Policy: key(input.KeyId, context).Policy, PolicyName: 'default' };
    }),

    PutKeyPolicy: handler<PutKeyPolicyCommandInput, Out<PutKeyPolicyCommandOutput>>((input, context) => {
      checkPolicyName(input.PolicyName);
      const k = key(input.KeyId, context);
      // "You can view the key policies of AWS managed keys, but you cannot change them" (AWS KMS Developer
      // Guide, "AWS managed keys"): their policy grants kms:PutKeyPolicy to no one.
      if (k.KeyManager === 'AWS') {
        throw kmsError(
          'AccessDeniedException',
          `User: ${world.callerArn} is not authorized to perform: kms:PutKeyPolicy on resource: ${k.Arn} because no resource-based policy allows the kms:PutKeyPolicy action`,
          400,
        );
      }
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

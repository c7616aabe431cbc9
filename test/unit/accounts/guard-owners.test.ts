// The plan reads the tags of what a change writes to tell who manages it: a bucket of another account is read
// there (GetBucketTagging answers the bucket owner's identities), the others in the distribution's account.
import { GetBucketTaggingCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { AwsClients } from '../../../functions/adapters/clients.ts';
import { readOwners } from '../../../functions/adapters/guard.ts';
import type { Action, Plan } from '../../../functions/domain/types.ts';

function s3Of(account: string, asked: string[]) {
  return {
    s3: {
      send: async (command: unknown) => {
        if (!(command instanceof GetBucketTaggingCommand)) throw new Error('unexpected');
        asked.push(`${account}:${command.input.Bucket}`);
        return { TagSet: [{ Key: 'cf403:managed-by', Value: `terraform-${account}` }] };
      },
    },
    kms: { send: async () => ({}) },
  } as unknown as Pick<AwsClients, 's3' | 'kms'>;
}

const grant = (bucket: string, account?: string): Action => ({
  id: `grant:${bucket}`,
  cause: 'BUCKET_POLICY_GRANT_MISSING',
  risk: 'destructive',
  description: 'grant',
  calls: [],
  diff: [],
  change: { type: 'merge-bucket-policy-statement', bucket, statement: {} },
  ...(account ? { account } : {}),
});

describe('readOwners across accounts', () => {
  it('reads a bucket of another account with that account clients', async () => {
    const asked: string[] = [];
    const plan: Plan = {
      actions: [grant('local-site'), grant('shared-assets', '333333333333')],
      hasChanges: true,
      requiresApproval: true,
    };
    const owners = await readOwners(s3Of('222222222222', asked), plan, 'E1', {}, async (a) => s3Of(a, asked));
    expect(asked.sort()).toEqual(['222222222222:local-site', '333333333333:shared-assets']);
    expect([...owners.values()].map((o) => o.tool).sort()).toEqual([
      'terraform-222222222222',
      'terraform-333333333333',
    ]);
  });
});

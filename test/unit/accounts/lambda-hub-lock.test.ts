// The lock step of a hub in Lambda (its own module: one step per Lambda container): it calls only the hub's
// table, so it never assumes a member role, and its lock is per account and distribution.
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AssumeRoleCommand } from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { EXECUTION, lambdaHub, MEMBER } from './lambda-hub-fixture.ts';

describe('a hub-only step in Lambda', () => {
  const { sts, ddb, seen } = lambdaHub();

  it('a step of the hub only (the lock) never assumes a member role', async () => {
    const before = sts.commandCalls(AssumeRoleCommand).length;
    const { handler } = await import('../../../functions/steps/lock/handler.ts');
    seen.length = 0;
    await expect(
      handler({ distributionId: 'EMEMBERDIST', account: MEMBER, executionId: EXECUTION }),
    ).resolves.toEqual({ acquired: true });
    expect(seen).toEqual([{ api: 'PutItem', key: 'AKIDHUBSTEP' }]);
    expect(sts.commandCalls(AssumeRoleCommand)).toHaveLength(before);
    const item = ddb.commandCalls(PutItemCommand)[0]?.args[0].input.Item;
    expect(item?.pk).toEqual({ S: `LOCK#${MEMBER}#EMEMBERDIST` });
  });
});

// StsAccountAccess (functions/adapters/accounts.ts): one session per member account, renewed before it expires,
// MemberAccessError when AssumeRole fails; the hub's own account keeps the step's own clients.
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  MemberAccessError,
  type SessionCredentials,
  StsAccountAccess,
} from '../../../functions/adapters/accounts.ts';
import type { AwsClients } from '../../../functions/adapters/clients.ts';

const HUB = '111111111111';
const MEMBER = '222222222222';
const OTHER = '333333333333';

/** Stand-in client sets: the tests look only at which set comes back and which credentials built it. */
const own = { tag: 'hub' } as unknown as AwsClients;

function setup(now: () => Date) {
  const sts = new STSClient({ region: 'us-east-1' });
  const mock = mockClient(sts);
  const made: { account: string; credentials: () => Promise<SessionCredentials> }[] = [];
  const access = new StsAccountAccess({
    home: HUB,
    own,
    sts,
    sessionName: 'cf403-apply-run-1',
    roleName: 'cf403-member',
    now,
    makeClients: async (account, credentials) => {
      made.push({ account, credentials });
      return { tag: account } as unknown as AwsClients;
    },
  });
  return { access, mock, made };
}

let counter = 0;
function issued(expiration: Date) {
  counter++;
  return {
    Credentials: {
      AccessKeyId: `ASIA${counter}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: expiration,
    },
  };
}

describe('StsAccountAccess', () => {
  let restore: (() => void) | undefined;
  afterEach(() => restore?.());

  it('keeps the step own clients for the hub account and assumes nothing', async () => {
    const { access, mock } = setup(() => new Date('2026-11-30T12:00:00Z'));
    restore = () => mock.restore();
    expect(await access.clientsFor(HUB)).toBe(own);
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(0);
  });

  it('assumes the member role once per account and reuses the session while it is valid', async () => {
    const t0 = new Date('2026-11-30T12:00:00Z');
    const { access, mock, made } = setup(() => t0);
    restore = () => mock.restore();
    mock.on(AssumeRoleCommand).callsFake(() => issued(new Date(t0.getTime() + 900_000)));
    const a = await access.clientsFor(MEMBER);
    const b = await access.clientsFor(MEMBER);
    expect(a).toBe(b);
    expect(made).toHaveLength(1);
    const first = await made[0]?.credentials();
    const second = await made[0]?.credentials();
    expect(first?.accessKeyId).toBe(second?.accessKeyId);
    const calls = mock.commandCalls(AssumeRoleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      RoleArn: `arn:aws:iam::${MEMBER}:role/cf403-member`,
      RoleSessionName: 'cf403-apply-run-1',
      DurationSeconds: 900,
    });
  });

  it('renews a session a minute before it expires', async () => {
    let now = new Date('2026-11-30T12:00:00Z');
    const { access, mock, made } = setup(() => now);
    restore = () => mock.restore();
    mock.on(AssumeRoleCommand).callsFake(() => issued(new Date(now.getTime() + 900_000)));
    await access.clientsFor(MEMBER);
    const credentials = made[0]?.credentials;
    if (!credentials) throw new Error('no clients made');
    const first = await credentials();
    now = new Date(now.getTime() + 13 * 60_000); // two minutes left: kept
    expect((await credentials()).accessKeyId).toBe(first.accessKeyId);
    now = new Date(now.getTime() + 90_000); // 30 s left: renewed
    const renewed = await credentials();
    expect(renewed.accessKeyId).not.toBe(first.accessKeyId);
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(2);
  });

  it('clients asking for credentials at once share one AssumeRole', async () => {
    const t0 = new Date('2026-11-30T12:00:00Z');
    const { access, mock, made } = setup(() => t0);
    restore = () => mock.restore();
    mock.on(AssumeRoleCommand).callsFake(async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return issued(new Date(t0.getTime() + 900_000));
    });
    await access.clientsFor(MEMBER);
    const credentials = made[0]?.credentials;
    if (!credentials) throw new Error('no clients made');
    const keys = await Promise.all([credentials(), credentials(), credentials()]);
    expect(new Set(keys.map((k) => k.accessKeyId)).size).toBe(1);
    expect(mock.commandCalls(AssumeRoleCommand)).toHaveLength(1);
  });

  it('keeps one session per account', async () => {
    const t0 = new Date('2026-11-30T12:00:00Z');
    const { access, mock, made } = setup(() => t0);
    restore = () => mock.restore();
    mock.on(AssumeRoleCommand).callsFake(() => issued(new Date(t0.getTime() + 900_000)));
    await access.clientsFor(MEMBER);
    await access.clientsFor(OTHER);
    const keys = await Promise.all(made.map(async (m) => (await m.credentials()).accessKeyId));
    expect(made.map((m) => m.account)).toEqual([MEMBER, OTHER]);
    expect(new Set(keys).size).toBe(2);
    expect(mock.commandCalls(AssumeRoleCommand).map((c) => c.args[0].input.RoleArn)).toEqual([
      `arn:aws:iam::${MEMBER}:role/cf403-member`,
      `arn:aws:iam::${OTHER}:role/cf403-member`,
    ]);
  });

  it('turns a refused AssumeRole into MemberAccessError naming the account and role, with the cause', async () => {
    const { access, mock, made } = setup(() => new Date('2026-11-30T12:00:00Z'));
    restore = () => mock.restore();
    const refusal = new STSServiceException({
      name: 'AccessDenied',
      $fault: 'client',
      $metadata: { httpStatusCode: 403 },
      message: 'not authorized to perform: sts:AssumeRole',
    });
    mock.on(AssumeRoleCommand).rejects(refusal);
    await access.clientsFor(MEMBER);
    const credentials = made[0]?.credentials;
    if (!credentials) throw new Error('no clients made');
    const err = await credentials().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MemberAccessError);
    expect((err as Error).message).toContain(`account ${MEMBER}`);
    expect((err as Error).message).toContain(`arn:aws:iam::${MEMBER}:role/cf403-member`);
    expect((err as Error).message).toContain('AccessDenied');
    expect((err as Error).cause).toBe(refusal);
  });

  it('refuses an answer without credentials', async () => {
    const { access, mock, made } = setup(() => new Date('2026-11-30T12:00:00Z'));
    restore = () => mock.restore();
    mock.on(AssumeRoleCommand).resolves({});
    await access.clientsFor(MEMBER);
    await expect(made[0]?.credentials()).rejects.toThrow(/returned no credentials/);
  });

  it('does not cache a failed client build: the next call tries again', async () => {
    const sts = new STSClient({ region: 'us-east-1' });
    let attempts = 0;
    const access = new StsAccountAccess({
      home: HUB,
      own,
      sts,
      sessionName: 's',
      makeClients: async () => {
        attempts++;
        if (attempts === 1) throw new Error('boom');
        return { tag: 'second' } as unknown as AwsClients;
      },
    });
    await expect(access.clientsFor(MEMBER)).rejects.toThrow('boom');
    await expect(access.clientsFor(MEMBER)).resolves.toMatchObject({ tag: 'second' });
  });
});

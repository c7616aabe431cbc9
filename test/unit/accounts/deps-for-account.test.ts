// depsForAccount (functions/steps/runtime.ts): per invocation, the member-side clients of the invocation's
// account and that account's own scope; the hub's own services, artifacts, logger and metrics stay the hub's.
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { type AccountAccess, MemberAccessError } from '../../../functions/adapters/accounts.ts';
import type { AwsClients } from '../../../functions/adapters/clients.ts';
import type { RequestLog } from '../../../functions/adapters/request-log.ts';
import { parseConfig } from '../../../functions/config.ts';
import { MEMBER_SCOPE_PARAMETER } from '../../../functions/domain/accounts.ts';
import { InvalidStepInputError, MemberScopeError } from '../../../functions/errors.ts';
import { depsForAccount, invocationAccount, type StepDeps } from '../../../functions/steps/runtime.ts';
import { STEP_CLIENTS } from '../../../functions/steps/step-clients.ts';

const HUB = '111111111111';
const MEMBER = '222222222222';
const STRANGER = '444444444444';

type Send = (command: unknown) => Promise<unknown>;
/** A client set whose every client says which account it belongs to; ssm answers the scope parameter. */
function clientsOf(account: string, scope?: string | Error): AwsClients {
  const client = (service: string, send?: Send) => ({
    account,
    service,
    send: send ?? (async () => ({})),
  });
  const ssmSend: Send = async (command) => {
    if (!(command instanceof GetParameterCommand) || command.input.Name !== MEMBER_SCOPE_PARAMETER)
      throw new Error('unexpected ssm call');
    if (scope instanceof Error) throw scope;
    if (scope === undefined)
      throw Object.assign(new Error('parameter not found'), { name: 'ParameterNotFound' });
    return { Parameter: { Value: scope } };
  };
  return {
    cloudfront: client('cloudfront'),
    s3: client('s3'),
    s3control: client('s3control'),
    kms: client('kms'),
    wafv2: client('wafv2'),
    sns: client('sns'),
    sfn: client('sfn'),
    ssm: client('ssm', ssmSend),
    dynamodb: client('dynamodb'),
    cloudwatch: client('cloudwatch'),
    logs: client('logs'),
    lambda: client('lambda'),
  } as unknown as AwsClients;
}

const accountOf = (c: unknown) => (c as { account: string }).account;

function access(members: Record<string, AwsClients>, hub: AwsClients) {
  const asked: string[] = [];
  const a: AccountAccess = {
    home: HUB,
    clientsFor: async (account) => {
      asked.push(account);
      if (account === HUB) return hub;
      const c = members[account];
      if (!c) throw new MemberAccessError(`no role in ${account}`);
      return c;
    },
  };
  return { access: a, asked };
}

function base(
  clients: AwsClients,
  accounts?: AccountAccess,
  env: Record<string, string> = {},
): StepDeps & { logs: RequestLog[] } {
  const logs: RequestLog[] = [];
  const log: RequestLog = { failingRequests: async () => [] };
  return {
    logs,
    config: parseConfig({
      CF403_ARTIFACT_BUCKET: 'artifacts',
      CF403_SCOPE: 'distributions',
      CF403_DISTRIBUTION_IDS: 'EHUBDIST',
      CF403_ACCOUNT: HUB,
      CF403_MEMBER_ACCOUNTS: MEMBER,
      ...env,
    }),
    clients,
    artifacts: {
      put: async () => ({ bucket: 'a', key: 'k' }),
      get: async () => ({}) as never,
      find: async () => undefined,
    },
    prober: { probe: async () => ({ status: 200, headers: {}, body: '' }) },
    requestLog: log,
    requestLogFor: (c) => {
      const made: RequestLog & { account: string } = {
        account: accountOf(c.s3),
        failingRequests: async () => [],
      };
      logs.push(made);
      return made;
    },
    logger: { warn: () => undefined, info: () => undefined } as never,
    metrics: { record: () => undefined, flush: () => undefined } as never,
    now: () => new Date('2026-11-30T12:00:00Z'),
    sleep: async () => undefined,
    ...(accounts ? { accounts } : {}),
  };
}

const SCOPE = JSON.stringify({ kind: 'distributions', distributionIds: ['EMEMBERDIST'] });

describe('depsForAccount', () => {
  it('returns the base deps unchanged in single-account mode', async () => {
    const hub = clientsOf(HUB);
    const deps = base(hub);
    expect(await depsForAccount(deps, { account: MEMBER })).toBe(deps);
  });

  it('returns the base deps for the hub own account and for a step that calls no member-side service', async () => {
    const hub = clientsOf(HUB);
    const { access: a, asked } = access({ [MEMBER]: clientsOf(MEMBER, SCOPE) }, hub);
    const deps = base(hub, a);
    expect(await depsForAccount(deps, { account: HUB })).toBe(deps);
    expect(await depsForAccount(deps, { account: MEMBER }, STEP_CLIENTS.lock)).toBe(deps);
    expect(await depsForAccount(deps, { state: { collect: { account: MEMBER } } }, STEP_CLIENTS.notify)).toBe(
      deps,
    );
    expect(asked).toEqual([]);
  });

  it('swaps the member-side clients for the member account, keeps the hub services, and applies the member scope', async () => {
    const hub = clientsOf(HUB);
    const member = clientsOf(MEMBER, SCOPE);
    const { access: a } = access({ [MEMBER]: member }, hub);
    const deps = base(hub, a);
    const got = await depsForAccount(
      deps,
      { account: MEMBER, distributionId: 'EMEMBERDIST' },
      STEP_CLIENTS.apply,
    );
    for (const name of [
      'cloudfront',
      's3',
      's3control',
      'kms',
      'wafv2',
      'lambda',
      'cloudwatch',
      'logs',
    ] as const)
      expect(accountOf(got.clients[name]), name).toBe(MEMBER);
    for (const name of ['sns', 'sfn', 'ssm', 'dynamodb'] as const)
      expect(accountOf(got.clients[name]), name).toBe(HUB);
    expect(got.artifacts).toBe(deps.artifacts);
    expect(got.logger).toBe(deps.logger);
    expect(got.metrics).toBe(deps.metrics);
    // the access logs are read with the member's S3
    expect((got.requestLog as unknown as { account: string }).account).toBe(MEMBER);
    expect(got.config.scope).toBe('distributions');
    expect(got.config.distributionIds).toEqual(['EMEMBERDIST']);
    expect(deps.config.distributionIds).toEqual(['EHUBDIST']);
    expect(got.config.planOnly).toBe(false);
  });

  it('takes the account from the alarm event (collect) and from the state (notify)', () => {
    expect(invocationAccount({ event: { account: MEMBER } })).toBe(MEMBER);
    expect(invocationAccount({ state: { collect: { account: MEMBER } } })).toBe(MEMBER);
    expect(invocationAccount({ distributionId: 'E1' })).toBeUndefined();
    expect(() => invocationAccount({ account: '12' })).toThrow(InvalidStepInputError);
  });

  it('reads the member scope once per access and account', async () => {
    const hub = clientsOf(HUB);
    const member = clientsOf(MEMBER, SCOPE);
    let reads = 0;
    const send = member.ssm.send.bind(member.ssm);
    (member.ssm as unknown as { send: Send }).send = async (c) => {
      reads++;
      return send(c as never);
    };
    const { access: a } = access({ [MEMBER]: member }, hub);
    const deps = base(hub, a);
    await depsForAccount(deps, { account: MEMBER });
    await depsForAccount(deps, { event: { account: MEMBER } });
    expect(reads).toBe(1);
  });

  it('changes nothing in a member without a scope parameter: scope none, recommendations only', async () => {
    const hub = clientsOf(HUB);
    const { access: a } = access({ [MEMBER]: clientsOf(MEMBER) }, hub);
    const got = await depsForAccount(base(hub, a), { account: MEMBER });
    expect(got.config.scope).toBe('none');
    expect(got.config.planOnly).toBe(true);
  });

  it('stops on a scope parameter that is not the member stack JSON', async () => {
    const hub = clientsOf(HUB);
    const { access: a } = access({ [MEMBER]: clientsOf(MEMBER, '{"kind":"everything"}') }, hub);
    await expect(depsForAccount(base(hub, a), { account: MEMBER })).rejects.toThrow(MemberScopeError);
  });

  it('refuses an account that is not one of the hub members, before assuming anything', async () => {
    const hub = clientsOf(HUB);
    const { access: a, asked } = access({ [MEMBER]: clientsOf(MEMBER, SCOPE) }, hub);
    await expect(depsForAccount(base(hub, a), { account: STRANGER })).rejects.toThrow(MemberAccessError);
    expect(asked).toEqual([]);
  });

  it('passes a MemberAccessError from AssumeRole on', async () => {
    const hub = clientsOf(HUB);
    const { access: a } = access({}, hub);
    await expect(depsForAccount(base(hub, a), { account: MEMBER })).rejects.toThrow(/no role in/);
  });
});

// Issue 15 attack test: the member role the SYNTHESIZED member stack creates can be assumed by the hub's step
// roles only. Every attacker below is allowed sts:AssumeRole by its own identity policy, so the member role's
// trust policy (resolved from the template for the member account) is what refuses it, judged by the simulated
// STS with the same IAM evaluation as every other call.
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { beforeAll, describe, expect, it } from 'vitest';
import { memberRoleArn } from '../../functions/domain/accounts.ts';
import {
  deployMemberStacks,
  organizationContext,
  synthesizedOrganization,
} from '../../sim/runner/organization.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { StepIdentity } from '../../sim/world/iam/roles.ts';
import { Organization } from '../../sim/world/organization.ts';
import type { Caller } from '../../sim/world/world.ts';

const SCENARIO = new URL('../scenarios/hub-two-members.json', import.meta.url).pathname;
const HUB = '111122223333';
const MEMBER = '222233334444';
const OTHER_MEMBER = '333344445555';
const OUTSIDE = '999988887777';

let org: Organization;

beforeAll(async () => {
  const scenario = loadScenario(SCENARIO);
  const templates = await synthesizedOrganization(organizationContext(scenario));
  org = new Organization(scenario);
  await deployMemberStacks(org, templates.member);
}, 120_000);

/** A principal allowed to assume any role by its own policy: only the trust policy can refuse it. */
function principal(roleArn: string): StepIdentity {
  const [, , , , account = '', resource = ''] = roleArn.split(':');
  const name = resource.split('/').pop() ?? '';
  return org.withOrganization({
    step: 'apply',
    roleArn,
    sessionArn: `arn:aws:sts::${account}:assumed-role/${name}/attacker`,
    functionArn: '',
    policies: [
      {
        name: 'assume-anything',
        document: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }],
        },
      },
    ],
  });
}

async function assume(caller: Caller) {
  const sts = org.attach(
    new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } }),
    caller,
  );
  return sts.send(new AssumeRoleCommand({ RoleArn: memberRoleArn(MEMBER), RoleSessionName: 'attack' }));
}

const refused = { name: 'AccessDenied', $metadata: { httpStatusCode: 403 } };

describe('the member role trusts the hub step roles only', () => {
  it('a hub step role (apply) assumes it', async () => {
    const out = await assume({
      step: 'apply',
      identity: principal(`arn:aws:iam::${HUB}:role/Cf403Remediation-apply`),
    });
    expect(out.AssumedRoleUser?.Arn).toBe(`arn:aws:sts::${MEMBER}:assumed-role/cf403-member/attack`);
  });

  it.each([
    ['another role of the hub account', `arn:aws:iam::${HUB}:role/cf403-operator`],
    ['a hub step role that never acts in members (lock)', `arn:aws:iam::${HUB}:role/Cf403Remediation-lock`],
    ["the member account's own role", `arn:aws:iam::${MEMBER}:role/admin`],
    [
      'a same-named role in another account of the organization',
      `arn:aws:iam::${OTHER_MEMBER}:role/Cf403Remediation-apply`,
    ],
    ['a same-named role outside the organization', `arn:aws:iam::${OUTSIDE}:role/Cf403Remediation-apply`],
  ])('refuses %s', async (_what, roleArn) => {
    await expect(assume({ step: 'apply', identity: principal(roleArn) })).rejects.toMatchObject(refused);
    expect(org.calls.at(-1)).toMatchObject({ service: 'sts', api: 'AssumeRole', ok: false, account: MEMBER });
  });

  it('refuses the hub step role itself when its account is not in the organization (aws:PrincipalOrgID)', async () => {
    const identity = principal(`arn:aws:iam::${HUB}:role/Cf403Remediation-apply`);
    const { organizationId: _o, ...outside } = identity;
    await expect(assume({ step: 'apply', identity: outside })).rejects.toMatchObject(refused);
    await expect(
      assume({ step: 'apply', identity: { ...identity, organizationId: 'o-zzzzzzzzzz' } }),
    ).rejects.toMatchObject(refused);
  });

  it('refuses an anonymous (unsigned) caller', async () => {
    await expect(assume({ step: 'anonymous' })).rejects.toMatchObject({
      name: 'MissingAuthenticationToken',
      $metadata: { httpStatusCode: 403 },
    });
  });
});

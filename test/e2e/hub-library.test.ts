// Issue 15: the whole scenario library again, each account moved into a member account of an organization and
// remediated through the hub (its steps assume the member role there). The outcome and the causes must be the
// same as in a single account: the hub path is the product, not a demo. The runs also measure the member role's
// least privilege: every call it makes is allowed by its own policy, and every grant is used or has its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRANT_REASONS } from '../../lib/cloudfront-403-remediation.ts';
import { buildReport, defaultAlarmEvent, organizationRun } from '../../sim/runner/simulate.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { Scenario } from '../../sim/scenario/types.ts';
import { parseScenario } from '../../sim/scenario/validate.ts';
import { grantedActions } from '../../sim/world/iam/least-privilege.ts';
import type { IamUse, Refusal } from '../../sim/world/index.ts';
import { ACCOUNT_SECTIONS } from '../../sim/world/organization.ts';
import { SCENARIO_DIR, scenarioFiles } from './helpers.ts';

const HUB = '999900001111';

/** `sc` with its account as the only member of an organization whose hub (another account) holds nothing. */
function asMember(sc: Scenario): Scenario {
  const member: Record<string, unknown> = { account: sc.account };
  const hub: Record<string, unknown> = {
    ...sc,
    account: HUB,
    organization: { id: 'o-a1b2c3d4e5' },
    cloudfront: { distributions: [] },
    s3: { buckets: [] },
    alarmEvent: defaultAlarmEvent(sc),
  };
  for (const key of ACCOUNT_SECTIONS) {
    if (sc[key] !== undefined) member[key] = sc[key];
    if (key !== 'cloudfront' && key !== 's3') delete hub[key];
  }
  return parseScenario({ ...hub, accounts: [member] });
}

interface Outcome {
  file: string;
  expected: { outcome: string; causes: string[] };
  got: { outcome: string; causes: string[] };
}

const outcomes: Outcome[] = [];
const memberUsage: IamUse[] = [];
const memberRefusals: { scenario: string; refusal: Refusal }[] = [];
let memberGrants: string[] = [];

beforeAll(async () => {
  for (const file of scenarioFiles(SCENARIO_DIR)) {
    if (file.includes('/hub-')) continue;
    let sc: Scenario;
    try {
      sc = loadScenario(file);
    } catch {
      continue; // the bad-input scenarios: tested elsewhere
    }
    if (!sc.expect) continue;
    const lifted = asMember(sc);
    const { organization: org, workflow } = await organizationRun(lifted);
    const result = await workflow.execute(lifted.alarmEvent, `hub-${sc.name}`.slice(0, 80), 'approve');
    const report = buildReport(lifted, org.hub, result, org);
    outcomes.push({
      file: file.slice(SCENARIO_DIR.length),
      expected: { outcome: sc.expect.outcome, causes: sc.expect.causes },
      got: { outcome: report.outcome, causes: report.causes.map((c) => c.id) },
    });
    const member = org.world(sc.account);
    memberUsage.push(...member.iamUsage);
    for (const refusal of member.refusals) memberRefusals.push({ scenario: sc.name, refusal });
    const role = org.role(`arn:aws:iam::${sc.account}:role/cf403-member`);
    if (role) memberGrants = grantedActions(role);
  }
}, 900_000);

afterAll(() => {
  const used = new Set(memberUsage.map((u) => u.action));
  console.log(
    `through the hub: ${outcomes.length} scenarios; member role granted ${memberGrants.length}, used ${used.size}`,
  );
});

describe('the scenario library through the hub, each account a member', () => {
  it('ends every scenario with the outcome and the causes it has in a single account', () => {
    expect(outcomes.length).toBeGreaterThan(200);
    // the library's own rule (scenario-library.test.ts): the outcome, the first cause, and every expected cause
    const differ = outcomes.filter(
      (o) =>
        o.got.outcome !== o.expected.outcome ||
        o.got.causes[0] !== o.expected.causes[0] ||
        o.expected.causes.some((c) => !o.got.causes.includes(c)),
    );
    expect(differ).toEqual([]);
  });

  it("the member role is never refused by its own policy: only the scenario's resource policies refuse it", () => {
    const own = memberRefusals.filter(
      ({ refusal }) => refusal.kind === 'iam' && refusal.policy !== 'resource-based',
    );
    expect(own).toEqual([]);
  });

  it('every action the member role is granted is used in some scenario, or its reason is on record', () => {
    expect(memberGrants.length).toBeGreaterThan(10);
    const used = [...new Set(memberUsage.map((u) => u.action.toLowerCase()))];
    const matches = (pattern: string, action: string) =>
      new RegExp(
        `^${pattern
          .toLowerCase()
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '.*')}$`,
      ).test(action);
    const reasons = new Set(
      Object.keys(GRANT_REASONS).map((k) => k.split(':').slice(-2).join(':').toLowerCase()),
    );
    const unused = memberGrants.filter(
      (g) => !used.some((u) => matches(g, u)) && !reasons.has(g.toLowerCase()),
    );
    expect(unused).toEqual([]);
  });
});

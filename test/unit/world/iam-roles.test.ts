// biome-ignore-all lint/suspicious/noTemplateCurlyInString: `${...}` here are CloudFormation Fn::Sub variables, meant literally
// Step identities extracted from the real synthesized template, resolved to a simulated stack's names.
import { beforeAll, describe, expect, it } from 'vitest';
import { STEPS, type StepName } from '../../../lib/workflow/steps.ts';
import { synthesizedStack, type Template } from '../../../sim/runner/definition.ts';
import {
  authorize,
  type CfnTemplate,
  type IamContext,
  iamRequests,
  type SimulatedStack,
  type StepIdentity,
  stackResourcePolicies,
  stepIdentities,
  TemplateResolutionError,
  TemplateResolver,
} from '../../../sim/world/iam/index.ts';
import type { ServiceName } from '../../../sim/world/index.ts';

function simulatedStack(account: string, region: string): SimulatedStack {
  return {
    account,
    region,
    artifactBucket: 'cf403-artifacts-sim',
    tableName: 'cf403-remediation-sim',
    topicArn: `arn:aws:sns:${region}:${account}:cf403-notifications`,
    approvalDocument: 'Cf403Remediation-Approval',
    stateMachineArn: `arn:aws:states:${region}:${account}:stateMachine:cf403-remediation`,
  };
}

const STACK = simulatedStack('111122223333', 'us-east-1');

let template: Template;
let ids: Record<StepName, StepIdentity>;

beforeAll(async () => {
  ({ template } = await synthesizedStack());
  ids = stepIdentities(template, STACK);
});

const ctx: IamContext = {
  account: STACK.account,
  region: STACK.region,
  taskTokenStateMachine: () => STACK.stateMachineArn,
};

/** Whether the step's own policies let it make the call (no resource policy involved). */
function may(step: StepName, service: ServiceName, operation: string, input: object): boolean {
  return iamRequests(ctx, service, operation, input).every((req) => authorize(ids[step], req).allowed);
}

describe('step identities from the synthesized template', () => {
  it('gives every step its own role and a Lambda session of it', () => {
    expect(Object.keys(ids).sort()).toEqual([...STEPS].sort());
    const roles = new Set(STEPS.map((s) => ids[s].roleArn));
    expect(roles.size).toBe(STEPS.length);
    for (const step of STEPS) {
      const { roleArn, sessionArn, functionArn, policies } = ids[step];
      const roleName = roleArn.split('/').at(-1) ?? '';
      const fnName = functionArn.split(':').at(-1) ?? '';
      expect(roleArn).toMatch(/^arn:aws:iam::111122223333:role\/[\w+=,.@-]{1,64}$/);
      expect(functionArn).toMatch(/^arn:aws:lambda:us-east-1:111122223333:function:[\w-]{1,64}$/);
      expect(sessionArn).toBe(`arn:aws:sts::111122223333:assumed-role/${roleName}/${fnName}`);
      expect(policies.length).toBeGreaterThan(0);
    }
  });

  it('resolves every CloudFormation token', () => {
    const text = JSON.stringify(ids);
    expect(text).not.toMatch(/"Ref"|Fn::|\$\{Token|AWS::/);
    expect(text).toContain('arn:aws:dynamodb:us-east-1:111122223333:table/cf403-remediation-sim');
    expect(text).toContain('arn:aws:s3:::cf403-artifacts-sim/*');
  });

  it('resolves per simulated stack: account and region come from the world', () => {
    const other = stepIdentities(template, simulatedStack('444455556666', 'eu-west-1'));
    const text = JSON.stringify(other.requestApproval.policies);
    expect(text).toContain('arn:aws:ssm:eu-west-1:444455556666:document/Cf403Remediation-Approval');
    expect(text).not.toContain('111122223333');
    expect(other.collect.sessionArn.startsWith('arn:aws:sts::444455556666:assumed-role/')).toBe(true);
  });

  it('grants what each step needs and nothing of the others', () => {
    expect(may('collect', 'cloudfront', 'GetDistribution', { Id: 'E2QWRUHAPOMQZL' })).toBe(true);
    expect(may('verify', 's3', 'PutBucketPolicy', { Bucket: 'site' })).toBe(false);
    expect(may('collect', 's3', 'PutBucketPolicy', { Bucket: 'site' })).toBe(false);
    expect(may('checkDeployment', 'cloudfront', 'UpdateDistribution', { Id: 'E2QWRUHAPOMQZL' })).toBe(false);
    expect(may('lock', 'dynamodb', 'PutItem', { TableName: STACK.tableName })).toBe(true);
    expect(may('lock', 'dynamodb', 'PutItem', { TableName: 'another-table' })).toBe(false);
    expect(may('notify', 'sns', 'Publish', { TopicArn: STACK.topicArn })).toBe(true);
    expect(may('collect', 'sns', 'Publish', { TopicArn: STACK.topicArn })).toBe(false);
    expect(may('relay', 'sfn', 'SendTaskSuccess', { taskToken: 't' })).toBe(true);
    // issue 12: only at an explicit version number, never the default
    expect(
      may('requestApproval', 'ssm', 'StartAutomationExecution', {
        DocumentName: STACK.approvalDocument,
        DocumentVersion: '1',
      }),
    ).toBe(true);
    expect(
      may('requestApproval', 'ssm', 'StartAutomationExecution', { DocumentName: STACK.approvalDocument }),
    ).toBe(false);
    expect(
      may('requestApproval', 'ssm', 'StartAutomationExecution', { DocumentName: 'AWS-DeleteStack' }),
    ).toBe(false);
    expect(may('collect', 's3', 'PutObject', { Bucket: STACK.artifactBucket, Key: 'x/evidence.json' })).toBe(
      true,
    );
    expect(may('verify', 's3', 'PutObject', { Bucket: STACK.artifactBucket, Key: 'x/evidence.json' })).toBe(
      false,
    );
  });

  it('keeps the template’s same-account condition on origin buckets', () => {
    const foreign: IamContext = { ...ctx, bucketOwner: () => '999988887777' };
    const reqs = iamRequests(foreign, 's3', 'GetBucketPolicy', { Bucket: 'site' });
    expect(reqs.every((r) => authorize(ids.collect, r).allowed)).toBe(false);
  });
});

describe('stack resource policies', () => {
  it('resolves the artifact bucket policy and the topic key policy', () => {
    const policies = stackResourcePolicies(template, STACK);
    const artifact = JSON.stringify(policies.bucketPolicies[STACK.artifactBucket]);
    expect(artifact).toContain('"aws:SecureTransport":"false"');
    expect(artifact).toContain(`arn:aws:s3:::${STACK.artifactBucket}/*`);
    expect(policies.topicKeyArn).toMatch(/^arn:aws:kms:us-east-1:111122223333:key\/[0-9a-f-]{36}$/);
    const keyPolicy = JSON.stringify(policies.keyPolicies[policies.topicKeyArn ?? '']);
    expect(keyPolicy).toContain('arn:aws:iam::111122223333:root');
  });
});

describe('TemplateResolver', () => {
  const tpl: CfnTemplate = {
    Resources: {
      Bucket: { Type: 'AWS::S3::Bucket', Properties: {} },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'named-fn' } },
      Thing: { Type: 'AWS::Custom::Thing' },
    },
  };
  const resolver = new TemplateResolver(tpl, STACK);

  it('resolves Sub, Select, Split and drops AWS::NoValue', () => {
    expect(resolver.resolve({ 'Fn::Sub': 'arn:${AWS::Partition}:lambda:${AWS::Region}:x:${Fn}' })).toBe(
      'arn:aws:lambda:us-east-1:x:named-fn',
    );
    expect(resolver.resolve({ 'Fn::Sub': ['${A}-${Fn.Arn}-${!Literal}', { A: 'a' }] })).toBe(
      'a-arn:aws:lambda:us-east-1:111122223333:function:named-fn-${Literal}',
    );
    expect(resolver.resolve({ 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] })).toBe('b');
    expect(resolver.resolve({ A: { Ref: 'AWS::NoValue' }, B: [1, { Ref: 'AWS::NoValue' }] })).toEqual({
      B: [1],
    });
    expect(resolver.resolve({ 'Fn::GetAtt': ['Bucket', 'Arn'] })).toMatch(
      /^arn:aws:s3:::cf403remediation-bucket-[0-9a-f]{12}$/,
    );
  });

  it('refuses what it cannot resolve faithfully', () => {
    expect(() => resolver.resolve({ 'Fn::If': ['C', 'a', 'b'] })).toThrow(TemplateResolutionError);
    expect(() => resolver.resolve({ Ref: 'Thing' })).toThrow(TemplateResolutionError);
    expect(() => resolver.resolve({ 'Fn::GetAtt': ['Fn', 'Nope'] })).toThrow(TemplateResolutionError);
  });

  it('refuses a role with an AWS managed policy it has no copy of, and a template missing a step', () => {
    const withManaged = structuredClone(template) as CfnTemplate;
    const role = Object.values(withManaged.Resources ?? {}).find(
      (r) => r.Type === 'AWS::IAM::Role' && JSON.stringify(r).includes('workflow step collect'),
    );
    if (!role?.Properties) throw new Error('collect role not found');
    role.Properties.ManagedPolicyArns = ['arn:aws:iam::aws:policy/ReadOnlyAccess'];
    expect(() => stepIdentities(withManaged, STACK)).toThrow(/ReadOnlyAccess/);

    const withoutVerify = structuredClone(template) as CfnTemplate;
    for (const r of Object.values(withoutVerify.Resources ?? {})) {
      if (r.Type === 'AWS::Lambda::Function' && r.Properties?.Description === 'cf403 workflow step: verify')
        r.Properties.Description = 'something else';
    }
    expect(() => stepIdentities(withoutVerify, STACK)).toThrow(/verify/);
  });
});

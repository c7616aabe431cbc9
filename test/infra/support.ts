// Shared helpers for the infrastructure tests: one template-only synthesis, the state machine's ASL read back
// from the template, and the IAM statements of each step's role.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, CfnElement, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { buildApp } from '../../lib/app.ts';
import type { RemediationStack } from '../../lib/remediation-stack.ts';
import type { StepName } from '../../lib/workflow/steps.ts';

export interface Synthesized {
  readonly app: App;
  readonly stack: RemediationStack;
  readonly template: Template;
}

/**
 * The context the "default stack" tests synthesize with: the explicit opt-in to the whole account, so every
 * step holds the grants it can have (with no scope at all the roles may change nothing: test/infra/scope.test.ts).
 */
export const ACCOUNT_SCOPE = { 'cf403:scope': 'account' } as const;

/** Synthesizes the app without bundling (cdk-nag runs as part of it and throws on unacknowledged findings). */
export function synthesize(context: Record<string, unknown> = ACCOUNT_SCOPE): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'cf403-infra-'));
  const { app, stack } = buildApp({ bundle: false, outdir, context });
  app.synth();
  return { app, stack, template: Template.fromStack(stack) };
}

export function logicalId(construct: IConstruct): string {
  const element = CfnElement.isCfnElement(construct) ? construct : construct.node.defaultChild;
  if (!element || !CfnElement.isCfnElement(element))
    throw new Error(`${construct.node.path} has no CfnElement`);
  const id: unknown = Stack.of(element).resolve(element.logicalId);
  if (typeof id !== 'string') throw new Error(`logical id of ${element.node.path} is not a string`);
  return id;
}

export const STAND_IN_ACCOUNT = '123456789012';
export const STAND_IN_REGION = 'us-east-1';

/** The stand-in ARN used for `Fn::GetAtt [<function>, Arn]` when the definition is resolved. */
export function standInFunctionArn(functionLogicalId: string): string {
  return `arn:aws:lambda:${STAND_IN_REGION}:${STAND_IN_ACCOUNT}:function:${functionLogicalId}`;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function standIn(part: unknown): string {
  if (typeof part === 'string') return part;
  if (isRecord(part)) {
    const ref = part.Ref;
    if (ref === 'AWS::Partition') return 'aws';
    if (ref === 'AWS::Region') return STAND_IN_REGION;
    if (ref === 'AWS::AccountId') return STAND_IN_ACCOUNT;
    if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
    const getAtt = part['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && getAtt[1] === 'Arn') {
      return standInFunctionArn(getAtt[0]);
    }
  }
  throw new Error(`unexpected intrinsic in DefinitionString: ${JSON.stringify(part)}`);
}

export interface AslCatcher {
  readonly ErrorEquals: readonly string[];
  readonly Next: string;
  readonly ResultPath?: string;
}
export interface AslRetrier {
  readonly ErrorEquals: readonly string[];
  readonly IntervalSeconds?: number;
  readonly MaxAttempts?: number;
  readonly BackoffRate?: number;
  readonly MaxDelaySeconds?: number;
  readonly JitterStrategy?: string;
}
export interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: Record<string, unknown>;
  readonly TimeoutSeconds?: number;
  readonly Seconds?: number;
  readonly Next?: string;
  readonly End?: boolean;
  readonly Retry?: readonly AslRetrier[];
  readonly Catch?: readonly AslCatcher[];
}
export interface AslDefinition {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
}

/** The state machine's definition as plain ASL: `Fn::Join` parts replaced by stand-in values. */
export function resolveDefinition(template: Template): { text: string; definition: AslDefinition } {
  const machines = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const definitionString: unknown = machines[0]?.Properties?.DefinitionString;
  let text: string;
  if (typeof definitionString === 'string') {
    text = definitionString;
  } else if (isRecord(definitionString) && Array.isArray(definitionString['Fn::Join'])) {
    const [separator, parts] = definitionString['Fn::Join'];
    if (typeof separator !== 'string' || !Array.isArray(parts)) throw new Error('malformed Fn::Join');
    text = parts.map(standIn).join(separator);
  } else {
    throw new Error(`unexpected DefinitionString: ${JSON.stringify(definitionString)}`);
  }
  return { text, definition: JSON.parse(text) };
}

export interface PolicyStatementJson {
  readonly Effect: string;
  readonly Action: string | readonly string[];
  readonly Resource: unknown;
  readonly Condition?: unknown;
}

export function actionsOf(statement: PolicyStatementJson): readonly string[] {
  return typeof statement.Action === 'string' ? [statement.Action] : statement.Action;
}

/** Every statement of the policies attached to a step function's role. */
export function roleStatements(synth: Synthesized, step: StepName): readonly PolicyStatementJson[] {
  const role = synth.stack.remediation.functions[step].role;
  if (!role) throw new Error(`${step} has no role`);
  const roleId = logicalId(role);
  const policies = Object.values(synth.template.findResources('AWS::IAM::Policy'));
  return policies
    .filter((p) => JSON.stringify(p.Properties?.Roles) === JSON.stringify([{ Ref: roleId }]))
    .flatMap((p) => p.Properties.PolicyDocument.Statement as PolicyStatementJson[]);
}

/** All actions a step's role allows. */
export function allowedActions(synth: Synthesized, step: StepName): ReadonlySet<string> {
  return new Set(
    roleStatements(synth, step)
      .filter((s) => s.Effect === 'Allow')
      .flatMap(actionsOf),
  );
}

// Builds the CDK app: one RemediationStack, checked by cdk-nag's AWS Solutions pack. With the organization
// context (issue 15: ORGANIZATION_CONTEXT_KEYS) the stack is a hub and the app adds the member stack.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { MemberStack, ORGANIZATION_CONTEXT_KEYS, parseOrganizationContext } from './member-stack.ts';
import { InvalidContextError, RemediationStack } from './remediation-stack.ts';

export const STACK_NAME = 'Cf403Remediation';
/** The member stack the app adds with the organization context (one template for every member account). */
export const MEMBER_STACK_NAME = 'Cf403Member';

export interface BuildAppOptions {
  /**
   * Bundle the step handlers with esbuild. `false` skips bundling (template-only synthesis for tests and
   * the local simulator); the assets then hold no code and must not be deployed.
   * @default true
   */
  readonly bundle?: boolean;
  /**
   * Extra context, e.g. `{ 'cf403:planOnly': true }`; values from the CDK CLI take precedence.
   * @default - none
   */
  readonly context?: Record<string, unknown>;
  /**
   * Cloud assembly directory.
   * @default - the CLI's `cdk.out`, or a temporary directory outside the CLI
   */
  readonly outdir?: string;
}

export interface BuiltApp {
  readonly app: App;
  /** The remediation stack: the hub when the organization context is set. */
  readonly stack: RemediationStack;
  /** The member stack, only with the organization context. */
  readonly member?: MemberStack;
}

export function buildApp(options: BuildAppOptions = {}): BuiltApp {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
    // After the CLI's context, which sets `aws:cdk:bundling-stacks` to ['**'] by default.
    ...(options.bundle === false ? { postCliContext: { 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  // cdk-nag v3 is a policy-validation plugin (not an Aspect): findings fail synthesis unless acknowledged.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  // The organization context may also come from the CLI (-c), so it is read from the app, not `options`.
  const organization = parseOrganizationContext((key) => app.node.tryGetContext(key));
  const stack = new RemediationStack(app, STACK_NAME, {
    ...(organization ? { members: organization.members } : {}),
  });
  if (!organization) return { app, stack };
  const member = new MemberStack(app, MEMBER_STACK_NAME, {
    hubAccount: organization.hubAccount,
    hubStackName: stack.stackName,
    organizationId: organization.members.organizationId,
    scope: organization.memberScope,
    ...(organization.members.memberRoleName !== undefined
      ? { memberRoleName: organization.members.memberRoleName }
      : {}),
    ...(stack.settings.alarmNamePrefix !== undefined
      ? { alarmNamePrefix: stack.settings.alarmNamePrefix }
      : {}),
  });
  return { app, stack, member };
}

/** A synthesized CloudFormation template as JSON. */
export type TemplateJson = Record<string, unknown>;

export interface OrganizationTemplates {
  /** The hub stack (STACK_NAME) with `members`. */
  readonly hub: TemplateJson;
  /** The member stack (MEMBER_STACK_NAME); its `AWS::AccountId` is the member account it is deployed in. */
  readonly member: TemplateJson;
  readonly hubStackName: string;
  readonly memberStackName: string;
}

/**
 * Synthesizes the hub and the member stack without bundling (templates only: for the simulator and tests).
 * `context` must hold `cf403:organization-id`, `cf403:member-accounts` and `cf403:hub-account` (the
 * simulator's hub account: synthesis never falls back to the environment here), plus any other context
 * (e.g. `cf403:scope`, `cf403:member-scope`). cdk-nag runs as in `cdk synth` and throws on findings.
 */
export function synthesizeOrganization(
  context: Readonly<Record<string, unknown>>,
  outdir: string = mkdtempSync(join(tmpdir(), 'cf403-org-')),
): OrganizationTemplates {
  if (context[ORGANIZATION_CONTEXT_KEYS.hubAccount] === undefined)
    throw new InvalidContextError(
      ORGANIZATION_CONTEXT_KEYS.hubAccount,
      'needed to synthesize the member stack',
    );
  const { app, stack, member } = buildApp({ bundle: false, outdir, context: { ...context } });
  if (!member)
    throw new InvalidContextError(
      ORGANIZATION_CONTEXT_KEYS.memberAccounts,
      `needed (with ${ORGANIZATION_CONTEXT_KEYS.organizationId}) to synthesize the member stack`,
    );
  const assembly = app.synth();
  return {
    hub: assembly.getStackByName(stack.stackName).template as TemplateJson,
    member: assembly.getStackByName(member.stackName).template as TemplateJson,
    hubStackName: stack.stackName,
    memberStackName: member.stackName,
  };
}

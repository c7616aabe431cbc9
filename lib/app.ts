// Builds the CDK app: one RemediationStack, checked by cdk-nag's AWS Solutions pack.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { RemediationStack } from './remediation-stack.ts';

export const STACK_NAME = 'Cf403Remediation';

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

export function buildApp(options: BuildAppOptions = {}): { app: App; stack: RemediationStack } {
  const app = new App({
    ...(options.context ? { context: options.context } : {}),
    ...(options.outdir ? { outdir: options.outdir } : {}),
    // After the CLI's context, which sets `aws:cdk:bundling-stacks` to ['**'] by default.
    ...(options.bundle === false ? { postCliContext: { 'aws:cdk:bundling-stacks': [] } } : {}),
  });
  // cdk-nag v3 is a policy-validation plugin (not an Aspect): findings fail synthesis unless acknowledged.
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  const stack = new RemediationStack(app, STACK_NAME);
  return { app, stack };
}

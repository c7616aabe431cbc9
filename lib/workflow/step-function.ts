// One Lambda function per workflow step, with the defaults every step shares.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration } from 'aws-cdk-lib';
import { type IRole, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  Code,
  Function as LambdaFunction,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ILogGroup, LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CLOUDFRONT_WAIT, STEP_FOLDERS, type StepName, WAITING_STEPS } from './steps.ts';

export { STEP_FOLDERS };

/** Steps that send HTTPS probes to the distribution and so need longer than the default. */
const PROBING_STEPS: ReadonlySet<StepName> = new Set<StepName>(['collect', 'verify']);

/** A step's default timeout: the waiting steps wait up to 14 minutes inside one invocation (issue 13). */
export function stepTimeout(step: StepName): Duration {
  if (WAITING_STEPS.has(step)) return Duration.seconds(CLOUDFRONT_WAIT.timeoutSeconds);
  return PROBING_STEPS.has(step) ? Duration.seconds(60) : Duration.seconds(30);
}

/** A step's default memory in MB: waiting needs none, and Lambda bills GB-seconds. */
export function stepMemoryMb(step: StepName): number {
  return WAITING_STEPS.has(step) ? CLOUDFRONT_WAIT.memoryMb : 256;
}

/** The runtime every step targets; the local simulator runs the same code on Node.js 22. */
export const STEP_RUNTIME = Runtime.NODEJS_22_X;

/** Absolute path of a step's handler entry. */
export function stepEntry(step: StepName): string {
  return fileURLToPath(new URL(`../../functions/steps/${STEP_FOLDERS[step]}/handler.ts`, import.meta.url));
}

/** How every step is bundled: here by NodejsFunction, and once at `npm run build` for the package's assets. */
export const STEP_BUNDLING = {
  target: 'node22',
  mainFields: ['module', 'main'],
  // ESM output needs `require` back for CommonJS dependencies that esbuild leaves as require calls.
  banner:
    "import { createRequire as __cf403CreateRequire } from 'node:module'; const require = __cf403CreateRequire(import.meta.url);",
  // The runtime provides AWS SDK v3.
  externalModules: ['@aws-sdk/*'],
} as const;

/**
 * A step's prebuilt bundle when this construct runs from the built package (dist/, see tools/build-package.ts),
 * else undefined: from source, NodejsFunction bundles the handler at synthesis.
 */
export function prebuiltStepAsset(step: StepName): string | undefined {
  if (!import.meta.url.endsWith('.js')) return undefined;
  const dir = fileURLToPath(new URL(`../../assets/${STEP_FOLDERS[step]}`, import.meta.url));
  return existsSync(join(dir, 'index.mjs')) ? dir : undefined;
}

export interface StepLambdaProps {
  /** The workflow step this function runs; selects `functions/steps/<folder>/handler.ts`. */
  readonly step: StepName;
  /**
   * Environment variables added to the shared ones (service name, log level, source maps).
   * @default - only the shared variables
   */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Function timeout.
   * @default stepTimeout(step): 900 s for the steps that wait for CloudFront, 60 s for the probing steps
   * (collect, verify), otherwise 30 s
   */
  readonly timeout?: Duration;
  /**
   * Memory in MB.
   * @default stepMemoryMb(step): 128 for the steps that wait for CloudFront, otherwise 256
   */
  readonly memorySize?: number;
  /**
   * Retention of the function's log group.
   * @default RetentionDays.ONE_MONTH
   */
  readonly logRetention?: RetentionDays;
  /**
   * Name of the function's role (a hub's member roles trust its step roles by name: issue 15).
   * @default - a name CloudFormation generates
   */
  readonly roleName?: string;
  /**
   * Handler entry file.
   * @default stepEntry(step)
   */
  readonly entry?: string;
}

/**
 * A step's NodejsFunction with its own role and log group. The role starts with nothing but writes to
 * that log group (no AWSLambdaBasicExecutionRole); callers grant each step exactly what it needs.
 */
export class StepLambda extends Construct {
  /** a NodejsFunction from source; a Function of the prebuilt bundle when running from the built package */
  readonly function: LambdaFunction;
  readonly role: IRole;
  readonly logGroup: ILogGroup;

  constructor(scope: Construct, id: string, props: StepLambdaProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', {
      retention: props.logRetention ?? RetentionDays.ONE_MONTH,
    });
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `cf403 workflow step ${props.step}`,
      ...(props.roleName !== undefined ? { roleName: props.roleName } : {}),
    });
    this.logGroup.grantWrite(role);
    this.role = role;

    const common = {
      description: `cf403 workflow step: ${props.step}`,
      runtime: STEP_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? stepMemoryMb(props.step),
      timeout: props.timeout ?? stepTimeout(props.step),
      tracing: Tracing.ACTIVE,
      role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.WARN,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'cf403',
        POWERTOOLS_LOG_LEVEL: 'INFO',
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    };
    const prebuilt = props.entry === undefined ? prebuiltStepAsset(props.step) : undefined;
    this.function = prebuilt
      ? new LambdaFunction(this, 'Function', {
          ...common,
          code: Code.fromAsset(prebuilt),
          handler: 'index.handler',
        })
      : new NodejsFunction(this, 'Function', {
          ...common,
          entry: props.entry ?? stepEntry(props.step),
          handler: 'handler',
          bundling: {
            format: OutputFormat.ESM,
            target: STEP_BUNDLING.target,
            mainFields: [...STEP_BUNDLING.mainFields],
            banner: STEP_BUNDLING.banner,
            minify: true,
            sourceMap: true,
            externalModules: [...STEP_BUNDLING.externalModules],
          },
        });
  }
}

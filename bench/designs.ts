// The workflow designs the bench compares (issue 13): today's Wait-state polling as the baseline, the
// in-Lambda wait the app deploys, and variants that show why.
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { POST_APPROVAL_ALLOWANCE } from '../lib/cloudfront-403-remediation.ts';
import {
  buildWorkflowDefinition,
  type WorkflowDefinitionProps,
  type WorkflowFunctions,
} from '../lib/workflow/definition.ts';
import { stepMemoryMb } from '../lib/workflow/step-function.ts';
import { DEFAULT_WORKFLOW_DESIGN, type StepName, TASK_STATES } from '../lib/workflow/steps.ts';
import { type Asl, definitionFromTemplate } from '../sim/runner/definition.ts';

export type DesignProps = Pick<WorkflowDefinitionProps, 'design' | 'pollFraction' | 'maxWaitSeconds'>;

export interface BenchDesign {
  id: string;
  label: string;
  props: DesignProps;
  /** each step's memory in this design (GB-seconds) */
  memoryMb: (step: StepName) => number;
  /** today's design: every other one is judged against it */
  baseline?: true;
  /** what the CDK app deploys: the bench runs the app's own synthesized definition for it */
  deployed?: true;
}

/** Before issue 13 every step had 256 MB. */
const TODAY_MEMORY_MB = 256;

export const DESIGNS: readonly BenchDesign[] = [
  {
    id: 'wait-states',
    label: 'today: Wait states, look after 8 % of the time spent (2–30 s)',
    props: { design: 'wait-states' },
    memoryMb: () => TODAY_MEMORY_MB,
    baseline: true,
  },
  {
    id: 'wait-states-2pct',
    label: 'Wait states, look after 2 % of the time spent (tuned to the time target)',
    props: { design: 'wait-states', pollFraction: 0.02 },
    memoryMb: () => TODAY_MEMORY_MB,
  },
  {
    id: 'in-lambda-60s',
    label: 'in-Lambda wait, at most 60 s per invocation',
    props: { design: 'in-lambda', maxWaitSeconds: 60 },
    memoryMb: stepMemoryMb,
  },
  {
    id: 'in-lambda',
    label: 'in-Lambda wait, at most 14 min per invocation, 128 MB (deployed)',
    props: { design: DEFAULT_WORKFLOW_DESIGN },
    memoryMb: stepMemoryMb,
    deployed: true,
  },
];

/**
 * A design's state machine as plain ASL: the same builder as the app, with stand-in functions, in a stack of
 * its own (no bundling, no cdk-nag), so designs the app does not deploy can run in the simulator.
 */
export function designDefinition(props: DesignProps): Asl {
  const app = new App();
  const stack = new Stack(app, 'Cf403BenchDesign', { env: { account: '111122223333', region: 'us-east-1' } });
  const functions = Object.fromEntries(
    // The steps the chain invokes (the relay and other event-driven steps run outside it).
    [...new Set(Object.values(TASK_STATES))].map((step) => [
      step,
      LambdaFunction.fromFunctionArn(
        stack,
        `Fn-${step}`,
        `arn:aws:lambda:us-east-1:111122223333:function:cf403-${step}`,
      ),
    ]),
  ) as unknown as WorkflowFunctions;
  const approvalTimeout = Duration.hours(24);
  new StateMachine(stack, 'StateMachine', {
    stateMachineType: StateMachineType.STANDARD,
    definitionBody: buildWorkflowDefinition(new Construct(stack, 'Workflow'), {
      functions,
      approvalTimeout,
      ...props,
    }),
    timeout: approvalTimeout.plus(POST_APPROVAL_ALLOWANCE),
  });
  const template = app.synth().getStackByName(stack.stackName).template;
  return definitionFromTemplate(template);
}

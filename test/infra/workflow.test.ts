// The state machine as deployed: the synthesized DefinitionString read back as ASL.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { designDefinition } from '../../bench/designs.ts';
import { MAX_WAIT_SECONDS } from '../../functions/domain/polling.ts';
import {
  CLOUDFRONT_WAIT,
  DEFAULT_WORKFLOW_DESIGN,
  RETRYABLE_STEP_ERRORS,
  STEPS,
  TASK_STATES,
  type TaskStateName,
  taskStatesOf,
  WAITING_STEPS,
  WORKFLOW_DESIGNS,
} from '../../lib/workflow/steps.ts';
import {
  type AslDefinition,
  type AslState,
  logicalId,
  resolveDefinition,
  type Synthesized,
  standInFunctionArn,
  synthesize,
} from './support.ts';

// asl-validator is CommonJS without type declarations.
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errors: readonly unknown[]; errorsText: (separator?: string) => string };
const validateAsl: AslValidator = createRequire(import.meta.url)('asl-validator');

const APPROVAL_TIMEOUT_SECONDS = 24 * 60 * 60;

let synth: Synthesized;
let text: string;
let definition: AslDefinition;
beforeAll(() => {
  synth = synthesize();
  ({ text, definition } = resolveDefinition(synth.template));
});

function state(name: string): AslState {
  const s = definition.States[name];
  if (!s) throw new Error(`state ${name} is missing`);
  return s;
}

/** The Task states of the deployed design. */
const TASK_NAMES: TaskStateName[] = taskStatesOf(DEFAULT_WORKFLOW_DESIGN);

describe('workflow definition', () => {
  it('starts by collecting evidence', () => {
    expect(definition.StartAt).toBe('CollectEvidence');
  });

  it('has every Task state the local runner overrides, and no others', () => {
    const tasks = Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name]) => name)
      .sort();
    expect(tasks).toEqual([...TASK_NAMES].sort());
  });

  it("invokes each step's own function", () => {
    const stepFunctionArns = new Map(
      STEPS.map((step) => [step, standInFunctionArn(logicalId(synth.stack.remediation.functions[step]))]),
    );
    for (const name of TASK_NAMES) {
      const s = state(name);
      const expected = stepFunctionArns.get(TASK_STATES[name]);
      const invoked = s.Resource?.startsWith('arn:aws:states:::lambda:invoke')
        ? s.Parameters?.FunctionName
        : s.Resource;
      expect(invoked, name).toBe(expected);
    }
  });

  it('waits for an approval token, and treats its expiry as a rejection', () => {
    const approval = state('RequestApproval');
    expect(approval.Resource).toMatch(/lambda:invoke\.waitForTaskToken$/);
    expect(approval.TimeoutSeconds).toBe(APPROVAL_TIMEOUT_SECONDS);
    expect(approval.Parameters?.Payload).toMatchObject({ 'token.$': '$$.Task.Token' });
    const onTimeout = approval.Catch?.find((c) => c.ErrorEquals.includes('States.Timeout'));
    expect(onTimeout?.Next).toBe('ApprovalTimedOut');
  });

  it('retries retryable step errors with full jitter on every task', () => {
    for (const name of TASK_NAMES) {
      const retry = state(name).Retry?.find((r) =>
        RETRYABLE_STEP_ERRORS.every((e) => r.ErrorEquals.includes(e)),
      );
      expect(retry, name).toBeDefined();
      expect(retry?.JitterStrategy, name).toBe('FULL');
      expect(retry?.MaxAttempts ?? 0, name).toBeGreaterThan(1);
    }
  });

  it('waits for CloudFront in one Task per wait, invoked again only while CloudFront is busy', () => {
    // No Wait state: every wait is a Task that looks every few seconds inside its invocation.
    expect(Object.values(definition.States).filter((s) => s.Type === 'Wait')).toEqual([]);
    const waits: [TaskStateName, string, string, string][] = [
      ['WaitForCloudFront', 'IsDeployed?', 'Deployed', 'InvalidateCache'],
      ['WaitForCacheInvalidation', 'IsInvalidated?', 'Completed', 'VerifyFix'],
      ['WaitForCloudFrontRollback', 'IsRollbackDeployed?', 'Deployed', 'RolledBack'],
    ];
    for (const [task, choice, done, next] of waits) {
      // payloadResponseOnly: the Parameters are the function's payload
      expect(state(task).Parameters, task).toMatchObject({ maxWaitSeconds: CLOUDFRONT_WAIT.maxWaitSeconds });
      expect(state(task).Next, task).toBe(choice);
      const c = definition.States[choice] as unknown as {
        Choices: { StringEquals?: string; Next: string }[];
        Default: string;
      };
      expect(c.Choices, choice).toEqual([expect.objectContaining({ StringEquals: done, Next: next })]);
      expect(c.Default, choice).toBe(task);
    }
    expect(state('InvalidateCache').Next).toBe('WaitForCacheInvalidation');
  });

  it('gives the waiting functions a timeout longer than their wait, and the least memory', () => {
    // The handler refuses a longer budget than the one the function's timeout was sized for.
    expect(CLOUDFRONT_WAIT.maxWaitSeconds).toBe(MAX_WAIT_SECONDS);
    expect(CLOUDFRONT_WAIT.timeoutSeconds - CLOUDFRONT_WAIT.maxWaitSeconds).toBeGreaterThanOrEqual(60);
    // Lambda's longest timeout is 900 s.
    expect(CLOUDFRONT_WAIT.timeoutSeconds).toBeLessThanOrEqual(900);
    for (const step of STEPS) {
      const fn = synth.template.findResources('AWS::Lambda::Function', {
        Properties: { Description: `cf403 workflow step: ${step}` },
      });
      const props = Object.values(fn)[0]?.Properties as { Timeout: number; MemorySize: number } | undefined;
      expect(props, step).toBeDefined();
      if (WAITING_STEPS.has(step)) {
        expect(props, step).toMatchObject({
          Timeout: CLOUDFRONT_WAIT.timeoutSeconds,
          MemorySize: CLOUDFRONT_WAIT.memoryMb,
        });
      }
    }
  });

  it('keeps the Wait-state design buildable for the bench, with its own Task states', () => {
    for (const design of WORKFLOW_DESIGNS) {
      const asl = designDefinition({ design });
      const tasks = Object.entries(asl.States)
        .filter(([, st]) => st.Type === 'Task')
        .map(([name]) => name)
        .sort();
      expect(tasks, design).toEqual([...taskStatesOf(design)].sort());
      expect(validateAsl(asl).errorsText('\n'), design).toBe('');
    }
    const old = designDefinition({ design: 'wait-states', pollFraction: 0.02 });
    // The check runs first; each answer says how long to wait before the next one.
    expect(old.States.WaitForDeployment).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.deployment.nextPollSeconds',
      Next: 'CheckDeployment',
    });
    expect(old.States.WaitForInvalidation).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.invalidationStatus.nextPollSeconds',
      Next: 'CheckInvalidation',
    });
    expect(old.States.CheckDeployment?.Parameters).toMatchObject({ pollFraction: 0.02 });
  });

  it('the bench runs the same deployed definition as the app', () => {
    const bench = designDefinition({ design: DEFAULT_WORKFLOW_DESIGN });
    const shape = (states: Readonly<Record<string, { Type: string; Next?: string; End?: boolean }>>) =>
      Object.fromEntries(
        Object.entries(states).map(([n, st]) => [n, { Type: st.Type, Next: st.Next, End: st.End }]),
      );
    expect(shape(bench.States as never)).toEqual(shape(definition.States));
  });

  it('ends failed runs in a Fail state after notifying', () => {
    expect(state('Failed').Type).toBe('Fail');
    expect(state('NotifyFailure').Next).toBe('Failed');
  });

  it('lets the whole execution outlast the approval wait by two hours', () => {
    expect(definition.TimeoutSeconds).toBe(APPROVAL_TIMEOUT_SECONDS + 2 * 60 * 60);
  });

  it('is valid Amazon States Language (asl-validator)', () => {
    const result = validateAsl(JSON.parse(text));
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  it('asl-validator does reject a broken transition (the check is live)', () => {
    const broken = JSON.parse(text);
    broken.States.CollectEvidence.Next = 'NoSuchState';
    expect(validateAsl(broken).isValid).toBe(false);
  });
});

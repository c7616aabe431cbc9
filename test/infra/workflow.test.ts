// The state machine as deployed: the synthesized DefinitionString read back as ASL.
import { createRequire } from 'node:module';
import { beforeAll, describe, expect, it } from 'vitest';
import { RETRYABLE_STEP_ERRORS, STEPS, TASK_STATES, type TaskStateName } from '../../lib/workflow/steps.ts';
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

const TASK_NAMES = Object.keys(TASK_STATES) as TaskStateName[];

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

  it('polls deployment and invalidation with Wait states', () => {
    // The check runs first; each answer says how long to wait before the next one.
    expect(state('WaitForDeployment')).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.deployment.nextPollSeconds',
      Next: 'CheckDeployment',
    });
    expect(state('WaitForRollbackDeployment')).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.deployment.nextPollSeconds',
    });
    expect(state('WaitForInvalidation')).toMatchObject({
      Type: 'Wait',
      SecondsPath: '$.invalidationStatus.nextPollSeconds',
      Next: 'CheckInvalidation',
    });
    expect(state('InvalidateCache')).toMatchObject({ Next: 'CheckInvalidation' });
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

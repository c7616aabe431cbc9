import { describe, expect, it } from 'vitest';
import {
  type ApprovalExpectation,
  type ExecutionFacts,
  isConfiguredApprover,
  judgeApproval,
  parseDecisions,
  reconcilePending,
} from '../../../functions/domain/approval.ts';

const ACCOUNT = '111122223333';
const ALICE = `arn:aws:iam::${ACCOUNT}:role/ops/alice`;
const BOB = `arn:aws:iam::${ACCOUNT}:user/bob`;
const MALLORY = `arn:aws:iam::${ACCOUNT}:user/mallory`;
const RUN = `arn:aws:states:us-east-1:${ACCOUNT}:execution:cf403:run-1`;

const expected: ApprovalExpectation = {
  documentName: 'Cf403Remediation-Approval',
  documentVersion: '3',
  workflowExecutionId: RUN,
  approvers: [ALICE, BOB],
  minApprovals: 1,
};

function facts(
  edit: Partial<ExecutionFacts> = {},
  step: Partial<ExecutionFacts['steps'][number]> = {},
): ExecutionFacts {
  return {
    status: 'Success',
    documentName: expected.documentName,
    documentVersion: '3',
    workflowExecutionId: RUN,
    steps: [
      {
        name: 'approve',
        action: 'aws:approve',
        status: 'Success',
        approvalStatus: 'Approved',
        decisions: [{ approver: ALICE, decision: 'Approve' }],
        ...step,
      },
    ],
    ...edit,
  };
}

describe('judgeApproval', () => {
  it('approves this document at the pinned version, approved by enough configured approvers', () => {
    expect(judgeApproval(facts(), expected)).toEqual({
      decision: 'approved',
      approvers: [{ approver: ALICE, decision: 'Approve' }],
    });
  });

  it('counts an assumed-role session of a configured role as that role', () => {
    const session = `arn:aws:sts::${ACCOUNT}:assumed-role/alice/alice@example.com`;
    expect(isConfiguredApprover(session, ALICE)).toBe(true);
    expect(isConfiguredApprover(`arn:aws:sts::${ACCOUNT}:assumed-role/alice-2/x`, ALICE)).toBe(false);
    expect(isConfiguredApprover(`arn:aws:sts::999988887777:assumed-role/alice/x`, ALICE)).toBe(false);
    const j = judgeApproval(facts({}, { decisions: [{ approver: session, decision: 'Approve' }] }), expected);
    expect(j.decision).toBe('approved');
  });

  it('refuses another document, another version, another workflow execution', () => {
    for (const [edit, reason] of [
      [{ documentName: 'Other' }, /ran document Other/],
      [{ documentVersion: '4' }, /version 4 .* not the deployed version 3/],
      [{ workflowExecutionId: `${RUN}-other` }, /was started for .*-other/],
    ] as const) {
      const j = judgeApproval(facts(edit), expected);
      expect(j.decision, JSON.stringify(edit)).toBe('refused');
      expect(j.decision === 'refused' && j.reason).toMatch(reason);
    }
  });

  it('refuses an execution whose approve step is not aws:approve, or with other steps', () => {
    const script = judgeApproval(facts({}, { action: 'aws:executeScript' }), expected);
    expect(script).toMatchObject({ decision: 'refused', reason: expect.stringMatching(/0 aws:approve/) });
    const extra = facts();
    extra.steps.push({ name: 'more', action: 'aws:sleep', status: 'Success', decisions: [] });
    expect(judgeApproval(extra, expected).decision).toBe('refused');
  });

  it('refuses approvals by people who are not configured approvers, or too few', () => {
    const stranger = judgeApproval(
      facts({}, { decisions: [{ approver: MALLORY, decision: 'Approve' }] }),
      expected,
    );
    expect(stranger).toMatchObject({
      decision: 'refused',
      reason: expect.stringMatching(/mallory do not count/),
    });
    const two = { ...expected, minApprovals: 2 };
    const once = judgeApproval(facts({}, { decisions: [{ approver: ALICE, decision: 'Approve' }] }), two);
    expect(once.decision).toBe('refused');
    // the same approver twice (two sessions) is one approval
    const sessions = [
      { approver: `arn:aws:sts::${ACCOUNT}:assumed-role/alice/a`, decision: 'Approve' as const },
      { approver: `arn:aws:sts::${ACCOUNT}:assumed-role/alice/b`, decision: 'Approve' as const },
    ];
    expect(judgeApproval(facts({}, { decisions: sessions }), two).decision).toBe('refused');
    const both = [...sessions.slice(0, 1), { approver: BOB, decision: 'Approve' as const }];
    expect(judgeApproval(facts({}, { decisions: both }), two).decision).toBe('approved');
  });

  it('refuses a Success whose step does not show Approved', () => {
    expect(judgeApproval(facts({}, { approvalStatus: 'Pending' }), expected).decision).toBe('refused');
  });

  it("rejects on a configured approver's Reject; a failure without one is refused", () => {
    const rejected = facts(
      { status: 'Failed' },
      { status: 'Failed', approvalStatus: 'Rejected', decisions: [{ approver: BOB, decision: 'Reject' }] },
    );
    expect(judgeApproval(rejected, expected).decision).toBe('rejected');
    const byStranger = facts(
      { status: 'Failed' },
      {
        status: 'Failed',
        approvalStatus: 'Rejected',
        decisions: [{ approver: MALLORY, decision: 'Reject' }],
      },
    );
    expect(judgeApproval(byStranger, expected).decision).toBe('refused');
  });

  it('times out on TimedOut, refuses Cancelled, and waits while Waiting', () => {
    expect(judgeApproval(facts({ status: 'TimedOut' }, { decisions: [] }), expected).decision).toBe(
      'timed-out',
    );
    expect(judgeApproval(facts({ status: 'Cancelled' }, { decisions: [] }), expected).decision).toBe(
      'refused',
    );
    expect(judgeApproval(facts({ status: 'Waiting' }, { decisions: [] }), expected)).toEqual({
      decision: 'pending',
      status: 'Waiting',
    });
  });
});

describe('parseDecisions', () => {
  it('reads one array or one object per element, and counts nothing but Approve as approval', () => {
    expect(
      parseDecisions([
        JSON.stringify([{ Approver: ALICE, Decision: 'Approve', Comment: 'ok' }]),
        JSON.stringify({ Approver: BOB, Decision: 'approve' }),
        'not json',
        JSON.stringify({ Decision: 'Approve' }),
      ]),
    ).toEqual([
      { approver: ALICE, decision: 'Approve', comment: 'ok' },
      { approver: BOB, decision: 'Reject' },
    ]);
  });
});

describe('reconcilePending', () => {
  it('says what happens next for each recorded approval and each unrecorded Waiting one', () => {
    const rows = reconcilePending(
      [
        { automationExecutionId: 'a1', executionId: RUN, distributionId: 'E1' },
        { automationExecutionId: 'a2', executionId: RUN, distributionId: 'E2' },
        { automationExecutionId: 'a3', executionId: RUN, distributionId: 'E3' },
      ],
      new Map([
        ['a1', { status: 'Waiting' }],
        ['a2', { status: 'Success' }],
        ['a4', { status: 'Waiting', executionId: RUN, distributionId: 'E4' }],
        ['a5', { status: 'Success' }],
      ]),
    );
    expect(rows.map((r) => [r.automationExecutionId, r.recorded, r.state])).toEqual([
      ['a1', true, 'waiting for approvers'],
      ['a2', true, 'decided (Success), not relayed yet: the sweep delivers it'],
      ['a3', true, 'automation not found: the sweep will answer the workflow as refused'],
      ['a4', false, 'no workflow waits for it: the sweep cancels it'],
    ]);
  });
});

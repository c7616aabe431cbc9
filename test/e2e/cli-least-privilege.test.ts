// `diagnose` and `scan` work in the simulated account with exactly the policies in docs/policies and nothing
// more: with them, the account refuses no more than it refuses full access (what resource policies deny); without
// any one of their actions, some run is refused.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StepIdentity } from '../../sim/world/iam/roles.ts';
import {
  type CommandRun,
  commandRuns,
  POLICY_DIR,
  type PolicyDocument,
  policyScenarios,
  requestsOf,
  simulated,
  tableRequests,
} from '../../tools/cli-policies.ts';

const ACCOUNT = '111122223333';

/** An operator's role with these policies, as the simulated account authorizes it. */
function operator(document: object): StepIdentity {
  // the CLI runs as no workflow step; `step` only names the caller in refusal messages
  const identity = {
    step: 'cli',
    roleArn: `arn:aws:iam::${ACCOUNT}:role/cf403-operator`,
    sessionArn: `arn:aws:sts::${ACCOUNT}:assumed-role/cf403-operator/alice`,
    functionArn: '',
    policies: [{ name: 'cf403-cli', document: document as Record<string, unknown> }],
  };
  return identity as unknown as StepIdentity;
}

const FULL_ACCESS = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] };

function policy(name: string): PolicyDocument {
  return JSON.parse(readFileSync(`${POLICY_DIR}${name}.json`, 'utf-8')) as PolicyDocument;
}

/** The policy without one action. */
function without(doc: PolicyDocument, action: string): PolicyDocument {
  return {
    ...doc,
    Statement: doc.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => a !== action) })).filter(
      (s) => s.Action.length > 0,
    ),
  };
}

function key(run: CommandRun): string {
  return run.label;
}

type Call = CommandRun['calls'][number];

/** Actions the simulated account itself asks for this call (an operation it answers, through its IAM table). */
function askedBySimulator(run: CommandRun, call: Call): string[] {
  return simulated(run.world, call) ? tableRequests(run.world, call).map((r) => r.action) : [];
}

/** Actions the call needs on AWS (the policy's source). */
function neededOnAws(run: CommandRun, call: Call): string[] {
  return requestsOf(run.world, call).map((r) => r.action);
}

describe.each(['diagnose', 'scan'] as const)('cf403 %s with docs/policies', (name) => {
  const scenarios = policyScenarios();
  let fullRuns: Promise<CommandRun[]> | undefined;
  /** Every run with full access, once for both tests. */
  const full = () => {
    fullRuns ??= commandRuns(scenarios, operator(FULL_ACCESS), [name]).then((r) => r[name]);
    return fullRuns;
  };

  it('is refused nothing that full access is not refused, and reports the same', async () => {
    const all = await full();
    const least = (await commandRuns(scenarios, operator(policy(name)), [name]))[name];
    expect(least.map(key)).toEqual(all.map(key));
    expect(least.length).toBeGreaterThan(scenarios.length - 1);
    least.forEach((run, i) => {
      const other = all[i];
      expect(run.denied, run.label).toEqual(other?.denied);
      expect(run.exitCode, run.label).toBe(other?.exitCode);
      expect(
        run.calls.map((c) => `${c.api} ${c.ok}`),
        run.label,
      ).toEqual(other?.calls.map((c) => `${c.api} ${c.ok}`));
    });
  });

  it('needs every action it grants: without any one, some run is refused', async () => {
    const doc = policy(name);
    const all = await full();
    const actions = doc.Statement.flatMap((s) => s.Action);
    const unneeded: string[] = [];
    const unprovable: string[] = [];
    for (const action of actions) {
      // runs whose calls the simulated account authorizes with the action; the first few lose it
      const users = all
        .filter((r) => r.calls.some((c) => askedBySimulator(r, c).includes(action)))
        .slice(0, 3);
      if (users.length === 0) {
        unprovable.push(action);
        continue;
      }
      let refused = false;
      for (const user of users) {
        const reduced = await user.again(operator(without(doc, action)));
        refused = reduced.denied.some((d) => d.startsWith(`${action} on `));
        if (refused) break;
      }
      if (!refused) unneeded.push(action);
    }
    expect(unneeded).toEqual([]);
    // What the simulator cannot show is needed on AWS for a documented reason only: an operation the simulated
    // account does not answer yet, or s3:ListBucket, without which S3 answers a missing key 403 instead of 404.
    const unanswered = new Set(
      all.flatMap((r) => r.calls.filter((c) => !simulated(r.world, c)).flatMap((c) => neededOnAws(r, c))),
    );
    expect(unprovable.filter((a) => !unanswered.has(a) && a !== 's3:ListBucket')).toEqual([]);
  });
});

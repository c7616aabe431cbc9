// The relay and sweep handlers on their own: what they refuse to run on, and the config they need.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../functions/config.ts';
import { run as relay } from '../../../functions/steps/relay/handler.ts';
import { run as requestApproval } from '../../../functions/steps/request-approval/handler.ts';
import { run as sweep } from '../../../functions/steps/sweep/handler.ts';
import { simulationDeps } from '../../../sim/runner/simulate.ts';
import { World } from '../../../sim/world/index.ts';
import { scenario } from '../../e2e/helpers.ts';

function deps(env: Record<string, string> = {}) {
  return simulationDeps(new World(scenario('origin-access-missing')), 'SILENT', env, { step: 'relay' });
}

describe('relay', () => {
  it('refuses what is not a Systems Manager status event, before any call', async () => {
    const d = deps();
    await expect(relay({ source: 'aws.events', detail: { ExecutionId: 'x' } }, d)).rejects.toThrow(
      /expected an aws.ssm event/,
    );
    await expect(relay({ source: 'aws.ssm', detail: {} }, d)).rejects.toThrow(
      /detail.ExecutionId is missing/,
    );
    await expect(relay('not an object', d)).rejects.toThrow(/input must be an object/);
  });

  it('ignores an event for an automation no workflow waits for, reading nothing else', async () => {
    const d = deps();
    const out = await relay(
      { source: 'aws.ssm', detail: { ExecutionId: '00000000-0000-4000-8000-000000000001' } },
      d,
    );
    expect(out).toEqual({
      relayed: false,
      reason: 'no workflow waits for automation 00000000-0000-4000-8000-000000000001',
    });
  });

  it('the relay, the sweep and requestApproval refuse to run half-configured', async () => {
    const d = deps({ CF403_APPROVERS: '' });
    await expect(relay({ source: 'aws.ssm', detail: { ExecutionId: 'x' } }, d)).rejects.toThrow(
      /CF403_APPROVERS must be set/,
    );
    await expect(sweep({}, d)).rejects.toThrow(
      /sweep: CF403_TABLE_NAME, CF403_APPROVAL_DOCUMENT and CF403_APPROVERS/,
    );
    const unpinned = deps({ CF403_APPROVAL_DOCUMENT_VERSION: '' });
    const input = {
      token: 't',
      executionId: 'arn:aws:states:us-east-1:111122223333:execution:m:e',
      executionName: 'e',
      distributionId: 'E2QWRUHEXAMPLE',
      planRef: { bucket: 'b', key: 'k' },
    };
    await expect(requestApproval(input, unpinned)).rejects.toThrow(/CF403_APPROVAL_DOCUMENT_VERSION/);
  });
});

describe('sweep', () => {
  it('with nothing pending, checks nothing and cancels nothing', async () => {
    expect(await sweep({}, deps())).toEqual({
      checked: 0,
      relayed: [],
      cancelled: [],
      waiting: 0,
      failed: [],
    });
  });
});

describe('config', () => {
  it('reads the scope and the controls, refusing a distributions scope without ids', () => {
    const base = { CF403_ARTIFACT_BUCKET: 'b' };
    expect(parseConfig(base)).toMatchObject({
      scope: 'account',
      distributionIds: [],
      maxChangesPerHour: 10,
      applyManaged: false,
      optOutTagKey: 'cf403:opt-out',
    });
    expect(
      parseConfig({ ...base, CF403_SCOPE: 'distributions', CF403_DISTRIBUTION_IDS: 'E1ABC, E2DEF' })
        .distributionIds,
    ).toEqual(['E1ABC', 'E2DEF']);
    expect(() => parseConfig({ ...base, CF403_SCOPE: 'distributions' })).toThrow(/CF403_DISTRIBUTION_IDS/);
    expect(() => parseConfig({ ...base, CF403_SCOPE: 'everything' })).toThrow(/CF403_SCOPE/);
    expect(() => parseConfig({ ...base, CF403_APPLY_MANAGED: 'yes' })).toThrow(/CF403_APPLY_MANAGED/);
  });
});

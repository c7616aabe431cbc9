// The services each step calls (functions/steps/step-clients.ts) decide which steps of a hub assume member roles.
import { describe, expect, it } from 'vitest';
import { actsInMemberAccounts, STEP_CLIENTS } from '../../../functions/steps/step-clients.ts';
import { STEPS } from '../../../lib/workflow/steps.ts';

describe('the steps clients', () => {
  it('name every step of the workflow, and only those', () => {
    expect(Object.keys(STEP_CLIENTS).sort()).toEqual([...STEPS].sort());
  });

  it('make exactly the steps that touch the distribution account act in member accounts', () => {
    const members = STEPS.filter((s) => actsInMemberAccounts(STEP_CLIENTS[s]));
    expect(members).toEqual([
      'collect',
      'plan',
      'apply',
      'checkDeployment',
      'invalidate',
      'checkInvalidation',
      'verify',
      'rollback',
    ]);
  });
});

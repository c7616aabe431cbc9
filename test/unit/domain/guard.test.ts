import { describe, expect, it } from 'vitest';
import {
  changeHour,
  cloudFormationPath,
  guardPlan,
  holdReason,
  outOfScope,
  ownerOf,
  templateChange,
} from '../../../functions/domain/guard.ts';
import type { Action, Plan } from '../../../functions/domain/types.ts';

const DIST = 'E2QWRUHEXAMPLE';
const statement = { Sid: 'AllowCloudFront', Effect: 'Allow' };

const bucketAction: Action = {
  id: 'grant',
  cause: 'BUCKET_POLICY_GRANT_MISSING',
  risk: 'destructive',
  description: 'Merge a statement',
  calls: [],
  diff: [],
  change: { type: 'merge-bucket-policy-statement', bucket: 'site', statement },
};
const distAction: Action = {
  id: 'root',
  cause: 'DEFAULT_ROOT_OBJECT_MISSING',
  risk: 'safe',
  description: 'Set the default root object',
  calls: [],
  diff: [{ path: 'DefaultRootObject', before: '', after: 'index.html' }],
  change: { type: 'update-distribution', edits: [{ op: 'set-default-root-object', value: 'index.html' }] },
};
const advice: Action = {
  id: 'waf',
  cause: 'WAF_BLOCKED',
  risk: 'manual',
  description: 'Change the rule',
  calls: [],
  diff: [],
};
const plan: Plan = { actions: [bucketAction, distAction, advice], hasChanges: true, requiresApproval: true };
const controls = { changesThisHour: 0, maxChangesPerHour: 10, hour: '2026-11-28T00' };

describe('scope', () => {
  it('ignores alarms for distributions outside a distributions scope, with the reason', () => {
    const config = { scope: 'distributions' as const, distributionIds: [DIST] };
    expect(outOfScope(config, DIST)).toBeUndefined();
    expect(outOfScope(config, 'EOTHER123456')).toMatch(
      /EOTHER123456 is outside this stack's scope .*E2QWRUHEXAMPLE/,
    );
    expect(outOfScope({ scope: 'account', distributionIds: [] }, 'EOTHER123456')).toBeUndefined();
  });
});

describe('operator controls', () => {
  it('holds for the pause switch, then the opt-out tag, then the cap', () => {
    expect(holdReason(controls, DIST)).toBeUndefined();
    expect(
      holdReason({ ...controls, pausedBy: '/cf403/s/paused', optedOutBy: 'cf403:opt-out' }, DIST),
    ).toMatch(/paused \(\/cf403\/s\/paused is true\)/);
    expect(holdReason({ ...controls, optedOutBy: 'cf403:opt-out' }, DIST)).toMatch(
      /opted out .*cf403:opt-out=true/,
    );
    expect(holdReason({ ...controls, changesThisHour: 10 }, DIST)).toMatch(
      /cap of 10 .* reached \(the hour from 2026-11-28T00:00 UTC\)/,
    );
    expect(changeHour(new Date('2026-11-28T07:59:59Z'))).toBe('2026-11-28T07');
  });

  it('a hold keeps every change as a recommendation saying why, and asks no approval', () => {
    const held = guardPlan(plan, {
      distributionId: DIST,
      hold: 'automatic changes are paused',
      owners: new Map(),
      applyManaged: false,
      approvalRisks: ['destructive'],
    });
    expect(held.hasChanges).toBe(false);
    expect(held.requiresApproval).toBe(false);
    expect(held.actions.every((a) => a.change === undefined)).toBe(true);
    expect(held.actions[0]?.description).toBe(
      'Merge a statement. Not applied: automatic changes are paused.',
    );
    expect(held.actions[2]).toEqual(advice);
  });
});

describe('resources another tool manages', () => {
  it('knows CloudFormation by its tags, and other tools by cf403:managed-by', () => {
    expect(
      ownerOf({ 'aws:cloudformation:stack-name': 'site', 'aws:cloudformation:logical-id': 'SiteBucket' }),
    ).toEqual({ tool: 'cloudformation', stack: 'site', logicalId: 'SiteBucket' });
    expect(ownerOf({ 'cf403:managed-by': 'terraform:web' })).toEqual({ tool: 'terraform:web' });
    expect(ownerOf({ team: 'web' })).toBeUndefined();
  });

  it('holds a change to a managed resource by default, naming the stack and the template change', () => {
    const owners = new Map([
      ['bucket:site', { tool: 'cloudformation', stack: 'site', logicalId: 'SitePolicy' }],
    ]);
    const guarded = guardPlan(plan, {
      distributionId: DIST,
      owners,
      applyManaged: false,
      approvalRisks: ['destructive'],
    });
    const [bucket, dist] = guarded.actions;
    expect(bucket?.change).toBeUndefined();
    expect(bucket?.managedBy).toEqual({ tool: 'cloudformation', stack: 'site', logicalId: 'SitePolicy' });
    expect(bucket?.templateChange).toBe(
      'In stack site, resource SitePolicy (the AWS::S3::BucketPolicy of bucket site): add this statement in PolicyDocument.Statement: {"Sid":"AllowCloudFront","Effect":"Allow"}',
    );
    expect(bucket?.description).toMatch(
      /Not applied: bucket:site is managed by CloudFormation stack site .*next deployment would undo/,
    );
    expect(bucket?.description).toMatch(/\. In stack site, resource SitePolicy/);
    // the other change is held with it: alone it could not cure the 403s, and would be rolled back
    expect(dist?.change).toBeUndefined();
    expect(dist?.managedBy).toBeUndefined();
    expect(dist?.description).toMatch(
      /Not applied: bucket:site is managed by CloudFormation stack site.*\(action grant says how\)/,
    );
    expect(guarded).toMatchObject({ hasChanges: false, requiresApproval: false });
  });

  it('applies it anyway when configured to, still saying where to make the change', () => {
    const owners = new Map([[`distribution:${DIST}`, { tool: 'cloudformation', stack: 'cdn' }]]);
    const guarded = guardPlan(plan, {
      distributionId: DIST,
      owners,
      applyManaged: true,
      approvalRisks: ['destructive'],
    });
    const dist = guarded.actions[1];
    expect(dist?.change).toBeDefined();
    expect(dist?.templateChange).toBe(
      'In stack cdn (AWS::CloudFront::Distribution): set DistributionConfig.DefaultRootObject: "" → "index.html"',
    );
    expect(dist?.description).toMatch(
      /Applied although distribution:E2QWRUHEXAMPLE is managed by CloudFormation stack cdn/,
    );
  });

  it('writes distribution paths as CloudFormation does, without Items wrappers', () => {
    expect(cloudFormationPath('Origins.Items[0].OriginAccessControlId')).toBe(
      'DistributionConfig.Origins[0].OriginAccessControlId',
    );
    expect(cloudFormationPath('CacheBehaviors.Items[1].ForwardedValues.Headers.Items')).toBe(
      'DistributionConfig.CacheBehaviors[1].ForwardedValues.Headers',
    );
    const oac: Action = {
      ...distAction,
      change: { type: 'create-or-reuse-oac', originId: 's3-origin', bucket: 'site', oacName: 'site-oac' },
    };
    expect(templateChange(oac, { kind: 'distribution', id: DIST }, { tool: 'terraform' })).toMatch(
      /^In the terraform configuration of distribution:E2QWRUHEXAMPLE: add an AWS::CloudFront::OriginAccessControl/,
    );
  });
});

// The planner: changes are applied only when the verification can pass, i.e. when no cause that needs a
// person keeps a probed request at 403; otherwise every change stays a recommendation (ESCALATED).
import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../functions/domain/diagnose.ts';
import { planFix } from '../../../functions/domain/plan.ts';
import type { Evidence, Plan } from '../../../functions/domain/types.ts';
import {
  absent,
  bucketOf,
  DEPLOY,
  evidence,
  geoBlocked,
  ok,
  policy,
  s3Denied,
  withoutIdentity,
  withRequests,
} from '../causes/s3/fixtures.ts';

const OPTIONS = { approvalRisks: ['destructive'] as const, planOnly: false };

function plan(ev: Evidence): Plan {
  return planFix(ev, diagnose(ev), OPTIONS);
}

/** No OAC on the origin and no grant: ORIGIN_ACCESS_MISSING, fixable. */
function noAccess(): Evidence {
  const ev = withoutIdentity(evidence());
  bucketOf(ev).policy = ok(policy(DEPLOY));
  return ev;
}

const DENY_CLOUDFRONT = {
  Sid: 'DenyCloudFrontReads',
  Effect: 'Deny',
  Principal: { Service: 'cloudfront.amazonaws.com' },
  Action: 's3:GetObject',
  Resource: 'arn:aws:s3:::example-site/*',
};

describe('planFix', () => {
  it('applies the access fix when nothing else keeps the probed requests at 403', () => {
    const p = plan(noAccess());
    expect(p.hasChanges).toBe(true);
    expect(p.requiresApproval).toBe(true);
    expect(p.actions.map((a) => a.id)).toContain('attach-oac:s3-origin');
  });

  it('holds every change back when a Deny would still refuse the OAC the fix attaches', () => {
    const ev = noAccess();
    bucketOf(ev).policy = ok(policy(DEPLOY, DENY_CLOUDFRONT));
    const p = plan(ev);
    expect(p.hasChanges).toBe(false);
    expect(p.requiresApproval).toBe(false);
    const attach = p.actions.find((a) => a.id === 'attach-oac:s3-origin');
    expect(attach?.change).toBeUndefined();
    expect(attach?.description).toContain('Not applied');
    expect(attach?.description).toContain('EXPLICIT_DENY');
    expect(p.actions.some((a) => a.cause === 'EXPLICIT_DENY' && a.risk === 'manual')).toBe(true);
  });

  it('holds the changes back when a missing object keeps one probed request at 403', () => {
    const ev = noAccess();
    bucketOf(ev).objects['old.html'] = absent('old.html');
    withRequests(ev, [
      ['/index.html', s3Denied],
      ['/old.html', s3Denied],
    ]);
    const p = plan(ev);
    expect(p.hasChanges).toBe(false);
    expect(p.actions.find((a) => a.id === 'attach-oac:s3-origin')?.description).toContain(
      'e.g. GET /old.html',
    );
  });

  it('still applies the fix when a manual cause refuses only logged viewers, not the probe', () => {
    const ev = noAccess();
    ev.distribution.DistributionConfig.Restrictions = {
      GeoRestriction: { RestrictionType: 'whitelist', Quantity: 1, Items: ['US'] },
    };
    withRequests(ev, [
      ['/index.html', s3Denied],
      ['/app.js', s3Denied],
    ]);
    const [, second] = ev.requests;
    if (second) second.country = 'DE';
    const d = diagnose(ev);
    expect(d.causes.map((c) => c.id)).toEqual(['ORIGIN_ACCESS_MISSING', 'GEO_RESTRICTED']);
    expect(planFix(ev, d, OPTIONS).hasChanges).toBe(true);
  });

  it('holds the changes back when the probe itself meets the manual cause', () => {
    const ev = noAccess();
    ev.distribution.DistributionConfig.Restrictions = {
      GeoRestriction: { RestrictionType: 'whitelist', Quantity: 1, Items: ['DE'] },
    };
    withRequests(ev, [['/index.html', geoBlocked]]);
    const d = diagnose(ev);
    expect(d.causes[0]?.id).toBe('GEO_RESTRICTED');
    // the origin refusal hidden behind the geo block is reported too, and its fix held back
    expect(d.causes.map((c) => c.id)).toContain('ORIGIN_ACCESS_MISSING');
    expect(planFix(ev, d, OPTIONS).hasChanges).toBe(false);
  });

  it('turns every change into a recommendation in plan-only mode', () => {
    const p = planFix(noAccess(), diagnose(noAccess()), { ...OPTIONS, planOnly: true });
    expect(p.hasChanges).toBe(false);
    expect(p.actions.every((a) => a.change === undefined)).toBe(true);
    expect(p.actions.some((a) => a.description.includes('Not applied'))).toBe(false);
  });
});

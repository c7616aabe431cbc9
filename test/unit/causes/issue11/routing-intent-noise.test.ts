// Server calls misrouted to S3, deliberate refusals, and alarms that are noise.
import type { CacheBehavior, DistributionConfig } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import {
  allDeliberate,
  codeChecks,
  deliberatePath,
  scannerProbe,
} from '../../../../functions/domain/causes/shared/intent.ts';
import { applyDistributionEdits } from '../../../../functions/domain/edits.ts';
import { outcomeMessage } from '../../../../functions/domain/notification.ts';
import type { DistributionEdit } from '../../../../functions/domain/types.ts';
import { ChangeConflictError } from '../../../../functions/errors.ts';
import { run } from './helpers.ts';

function editsOf(plan: Awaited<ReturnType<typeof run>>['plan']): DistributionEdit[] {
  return plan.actions.flatMap((a) => (a.change?.type === 'update-distribution' ? a.change.edits : []));
}

describe('server calls sent to the static S3 origin', () => {
  it('re-points _server/* at the Lambda function URL with what the default behavior sets for it', async () => {
    const { diagnosis, plan } = await run('behavior-misrouted-server-function');
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['BEHAVIOR_MISROUTED']);
    const [edit] = editsOf(plan);
    expect(edit).toMatchObject({
      op: 'set-behavior-target',
      pathPattern: '_server/*',
      targetOriginId: 'server-fn',
    });
    const carry = edit?.op === 'set-behavior-target' ? edit.carry : undefined;
    expect(carry?.AllowedMethods?.Items).toContain('POST');
    expect(carry?.CachePolicyId).toBe('4135ea2d-6df8-44a3-9df3-4b5a84be39ad');
    expect(carry?.OriginRequestPolicyId).toBe('b689b0a8-53d0-40ab-baf2-68738e2966ac');
    const text = plan.actions.map((a) => a.description).join('\n');
    expect(text).not.toMatch(/Upload|set its AllowedMethods/);
  });

  it('removes a stray behavior that the server behavior covers, and moves one it does not', async () => {
    expect(editsOf((await run('behavior-misrouted-server-shadowed')).plan)).toEqual([
      { op: 'remove-behavior', pathPattern: '/api/internal/*' },
    ]);
    expect(editsOf((await run('behavior-misrouted-server-order')).plan)).toEqual([
      { op: 'move-behavior', pathPattern: '/app/api/*', before: '/app/*' },
    ]);
  });

  it('re-points /api/* to the API Gateway its sibling /api/v2/* serves', async () => {
    const [edit] = editsOf((await run('behavior-misrouted-api-gateway')).plan);
    expect(edit).toMatchObject({ op: 'set-behavior-target', pathPattern: '/api/*', targetOriginId: 'api' });
  });

  it('leaves a deleted static asset to OBJECT_NOT_FOUND, though the default behavior is a server (look-alike)', async () => {
    const { diagnosis } = await run('object-not-found-server-app-asset');
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['OBJECT_NOT_FOUND']);
  });

  it('never advises allowing POST on a behavior that targets S3', async () => {
    const { plan } = await run('method-not-allowed');
    expect(plan.actions[0]?.description).toMatch(/allowing POST there is not proposed/);
    expect(plan.actions[0]?.diff).toEqual([]);
  });
});

describe('behavior edits', () => {
  const b = (
    PathPattern: string,
    TargetOriginId: string,
    extra: Partial<CacheBehavior> = {},
  ): CacheBehavior => ({
    PathPattern,
    TargetOriginId,
    ViewerProtocolPolicy: 'redirect-to-https',
    ...extra,
  });
  const config = (): DistributionConfig => ({
    CallerReference: 'x',
    Comment: '',
    Enabled: true,
    Origins: {
      Quantity: 2,
      Items: [
        { Id: 's3', DomainName: 'b.s3.amazonaws.com' },
        { Id: 'fn', DomainName: 'f.lambda-url.us-east-1.on.aws' },
      ],
    },
    DefaultCacheBehavior: { TargetOriginId: 's3', ViewerProtocolPolicy: 'redirect-to-https' },
    CacheBehaviors: {
      Quantity: 2,
      Items: [
        b('/a/*', 's3', { ForwardedValues: { QueryString: false, Cookies: { Forward: 'none' } }, MinTTL: 0 }),
        b('/a/api/*', 'fn', { CachePolicyId: 'p1' }),
      ],
    },
  });

  it('carries fields over and removes those the target behavior does not use', () => {
    const next = applyDistributionEdits(config(), [
      {
        op: 'set-behavior-target',
        pathPattern: '/a/*',
        targetOriginId: 'fn',
        carry: { CachePolicyId: 'p1', ForwardedValues: null, MinTTL: null },
      },
    ]);
    const moved = next.CacheBehaviors?.Items?.[0];
    expect(moved).toMatchObject({ TargetOriginId: 'fn', CachePolicyId: 'p1' });
    expect(moved?.ForwardedValues).toBeUndefined();
    expect(moved?.MinTTL).toBeUndefined();
  });

  it('moves a behavior first and removes one, keeping Quantity right', () => {
    const moved = applyDistributionEdits(config(), [
      { op: 'move-behavior', pathPattern: '/a/api/*', before: '/a/*' },
    ]);
    expect(moved.CacheBehaviors?.Items?.map((x) => x.PathPattern)).toEqual(['/a/api/*', '/a/*']);
    const removed = applyDistributionEdits(config(), [{ op: 'remove-behavior', pathPattern: '/a/*' }]);
    expect(removed.CacheBehaviors).toMatchObject({ Quantity: 1, Items: [{ PathPattern: '/a/api/*' }] });
    expect(() =>
      applyDistributionEdits(config(), [{ op: 'remove-behavior', pathPattern: '/gone/*' }]),
    ).toThrow(ChangeConflictError);
  });
});

describe('deliberate refusals', () => {
  it('knows the paths scanners probe and the areas sites close', () => {
    expect(scannerProbe('/wp-login.php')).toBe('WordPress probe');
    expect(scannerProbe('/.env')).toBe('hidden file probe');
    expect(scannerProbe('/index.html')).toBeUndefined();
    expect(deliberatePath('/admin/users')).toBe('an admin or private area');
    expect(deliberatePath('/administration-guide.html')).toBeUndefined();
    expect(allDeliberate(['/wp-login.php', '/about/'])).toBeUndefined();
    expect(allDeliberate(['/wp-login.php', '/.git/config'])).toMatch(/every refused path/);
  });

  it('reads what a function checks before it answers 403, and only then', () => {
    expect(codeChecks("if (!h['x-api-key']) return { statusCode: 403 };")).toBe('an API key');
    expect(codeChecks('if (ALLOWED.indexOf(event.viewer.ip) < 0) return { statusCode: 403 };')).toBe(
      "the viewer's IP address",
    );
    expect(codeChecks("request.uri += 'index.html'; return request; // token")).toBeUndefined();
  });

  it.each([
    ['waf-blocked-scanner-block', 'WAF_BLOCKED'],
    ['edge-function-denied-header-check', 'EDGE_FUNCTION_DENIED'],
    ['explicit-deny-private-prefix', 'EXPLICIT_DENY'],
  ])('%s: likely intentional, no change proposed', async (name, id) => {
    const { diagnosis, plan } = await run(name);
    expect(diagnosis.causes[0]?.id).toBe(id);
    expect(diagnosis.causes[0]?.summary).toMatch(/^Likely intentional/);
    expect(plan.hasChanges).toBe(false);
    expect(plan.actions.map((a) => a.description)).toEqual([expect.stringMatching(/No change is proposed/)]);
  });

  it('does not call a rule blocking an office network intentional', async () => {
    const { diagnosis } = await run('waf-blocked');
    expect(diagnosis.causes[0]?.summary).not.toMatch(/intentional/);
  });
});

describe('alarms that are noise', () => {
  it('sets scanner probes aside and ends without an outage, advising a better alarm', async () => {
    const { ev, diagnosis } = await run('healthy-scanner-probes');
    expect(ev.requests).toEqual([]);
    expect(ev.noise?.requests.map((r) => new URL(r.url).pathname)).toEqual([
      '/wp-login.php',
      '/.env',
      '/phpmyadmin/index.php',
      '/xmlrpc.php',
      '/.git/config',
    ]);
    expect(diagnosis).toMatchObject({ reproduced: false, causes: [] });
    expect(diagnosis.noise?.advice.join(' ')).toMatch(/403ErrorRate .*request-count floor/);
    expect(diagnosis.noise?.advice.join(' ')).toMatch(/s3:ListBucket/);
    const msg = outcomeMessage('arn:aws:states:us-east-1:111122223333:execution:m:e', {
      outcome: 'NO_ACTION_NEEDED',
      collect: { distributionId: 'E2QWRUHEXAMPLE' },
      diagnosis,
    });
    expect(msg.body).toContain('no outage: the 403s are scanners probing paths that never existed');
    expect(msg.body).toContain('Advice (a better alarm):');
  });

  it('keeps a real missing page beside the probes', async () => {
    const { ev, diagnosis } = await run('object-not-found-beside-scanner-probes');
    expect(ev.requests.map((r) => new URL(r.url).pathname)).toEqual(['/pricing.html']);
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['OBJECT_NOT_FOUND']);
  });

  it('lets the refused front page stand for the outage when only probes were logged', async () => {
    const { ev, diagnosis, plan } = await run('origin-access-missing-only-scanner-paths-logged');
    expect(ev.requests.map((r) => new URL(r.url).pathname)).toEqual(['/']);
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['ORIGIN_ACCESS_MISSING']);
    expect(plan.hasChanges).toBe(true);
  });
});

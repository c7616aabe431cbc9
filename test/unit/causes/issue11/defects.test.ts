// Issue 11's defects, each on the scenario that reproduces it and on a look-alike that must not trigger.
import { describe, expect, it } from 'vitest';
import { cloudFront4xxAlarmEvent, parseAlarmEvent } from '../../../../functions/domain/alarm-event.ts';
import { originMarkers, readFingerprint } from '../../../../functions/domain/fingerprint.ts';
import { evidenceLines, outcomeMessage } from '../../../../functions/domain/notification.ts';
import { InvalidAlarmEventError } from '../../../../functions/errors.ts';
import { run } from './helpers.ts';

const CF_PAGE =
  '<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>403 ERROR</H1><H2>The request could not be satisfied.</H2><HR noshade size="1px">Bad request.<BR clear="all"></BODY></HTML>';

describe('origin error pages that look like CloudFront', () => {
  it("reads API Gateway's lookalike page as the origin's refusal", () => {
    const f = readFingerprint({
      status: 403,
      headers: {
        server: 'CloudFront',
        'x-amz-apigw-id': 'Bq1=',
        'x-amzn-requestid': 'r1',
        'x-cache': 'Error from cloudfront',
      },
      body: CF_PAGE,
    });
    expect(f).toMatchObject({ source: 'custom-origin', kind: 'origin-denied', reason: 'Bad request.' });
    expect(f.lookalike).toContain('x-amz-apigw-id (API Gateway)');
  });

  it('counts CloudFront hops in Via: two mean the origin is behind CloudFront too', () => {
    expect(
      originMarkers({ via: '1.1 a.cloudfront.net (CloudFront), 1.1 b.cloudfront.net (CloudFront)' }),
    ).toEqual(['Via lists 2 CloudFront hops (the origin is behind CloudFront too)']);
    expect(originMarkers({ via: '1.1 a.cloudfront.net (CloudFront)' })).toEqual([]);
    expect(originMarkers({ via: '1.1 varnish, 1.1 a.cloudfront.net (CloudFront)' })[0]).toMatch(
      /another proxy/,
    );
  });

  it("still reads CloudFront's own page as CloudFront's", () => {
    const f = readFingerprint({
      status: 403,
      headers: { server: 'CloudFront', via: '1.1 a.cloudfront.net (CloudFront)', 'x-amz-cf-id': 'x' },
      body: CF_PAGE,
    });
    expect(f).toMatchObject({ source: 'cloudfront', kind: 'cf-bad-request' });
  });

  it.each(['custom-origin-denied-cloudfront-lookalike', 'custom-origin-denied-other-cdn'])(
    'escalates %s as the origin refusing, with the headers that tell',
    async (name) => {
      const { diagnosis, plan } = await run(name);
      expect(diagnosis.causes.map((c) => c.id)).toEqual(['CUSTOM_ORIGIN_DENIED']);
      expect(plan.hasChanges).toBe(false);
    },
  );

  it("keeps CloudFront's own 'Bad request.' for an unknown host (look-alike)", async () => {
    const { diagnosis } = await run('alternate-domain-missing-custom-origin');
    expect(diagnosis.causes[0]?.id).toBe('ALTERNATE_DOMAIN_MISSING');
  });
});

describe('URL rewrites', () => {
  it("predicts the key after the viewer-request function's rewrite, so the access fix is not withheld", async () => {
    const { ev, diagnosis, plan } = await run('origin-access-missing-viewer-rewrite');
    const replays = ev.functions[0]?.replays.map((p) => (p.result.ok ? p.result.value.uri : undefined));
    expect(replays).toEqual(['/about/index.html', '/about/index.html', '/docs/guide/index.html']);
    expect(ev.buckets['example-site']?.objects['docs/guide/index.html']).toMatchObject({
      ok: true,
      value: { exists: true },
    });
    expect(diagnosis.causes.map((c) => c.id)).toEqual(['ORIGIN_ACCESS_MISSING']);
    expect(diagnosis.causes[0]?.evidence).toContain(
      'TestFunction dir-index: GET /docs/guide is passed on as /docs/guide/index.html (S3 key docs/guide/index.html)',
    );
    expect(plan.hasChanges).toBe(true);
  });

  it('names the rewritten key that is missing', async () => {
    const { diagnosis } = await run('object-not-found-viewer-rewrite');
    expect(diagnosis.causes[0]?.subject?.keys?.split('\n')).toEqual([
      'blog/hello-world/index.html',
      'team/index.html',
    ]);
  });

  it('says a Lambda@Edge function cannot be replayed and lowers the confidence', async () => {
    const { diagnosis } = await run('origin-access-missing-lambda-edge');
    const f = diagnosis.causes[0];
    expect(f?.id).toBe('ORIGIN_ACCESS_MISSING');
    expect(f?.confidence).toBeLessThan(0.9);
    expect(f?.evidence.at(-1)).toMatch(
      /Lambda@Edge .*rewrite-paths:7 \(origin-request\) may rewrite the URI, and Lambda@Edge cannot be replayed/,
    );
  });

  it('finds nothing on a working SPA rewrite (look-alike)', async () => {
    expect((await run('healthy-viewer-function-spa-rewrite')).diagnosis.causes).toEqual([]);
  });
});

describe('website endpoints are HTTP only', () => {
  it('moves the origin to REST + OAC and keeps the HTTPS-only deny', async () => {
    const { diagnosis, plan } = await run('website-endpoint-origin-secure-transport');
    expect(diagnosis.causes[0]).toMatchObject({
      id: 'WEBSITE_ENDPOINT_ORIGIN',
      subject: { transportDeny: "'DenyInsecureTransport'" },
    });
    const switched = plan.actions.find((a) => a.id.startsWith('switch-origin-to-rest'));
    expect(switched?.change).toBeDefined();
    expect(switched?.description).toContain(
      "Deny statement 'DenyInsecureTransport' (aws:SecureTransport = false) is kept",
    );
    // No action rewrites the deny: the only policy change merges the grant.
    expect(plan.actions.filter((a) => a.change?.type === 'replace-bucket-policy-statement')).toEqual([]);
  });

  it.each([
    'website-endpoint-origin-secure-transport-routing-rules',
    'website-endpoint-origin-secure-transport-subfolder-index',
  ])('escalates %s, where the bucket uses a website-only feature', async (name) => {
    const { diagnosis, plan } = await run(name);
    expect(diagnosis.causes[0]?.id).toBe('WEBSITE_ENDPOINT_ORIGIN');
    expect(plan.hasChanges).toBe(false);
    expect(plan.actions[0]?.description).toMatch(/refuses HTTP .*the deny stays/);
  });

  it('leaves a deny of insecure writes alone (look-alike)', async () => {
    expect((await run('healthy-website-deny-insecure-writes')).diagnosis.causes).toEqual([]);
  });
});

describe('alarms on other error rates', () => {
  it.each(['403ErrorRate', 'TotalErrorRate', '4xxErrorRate'])('starts the workflow for %s', (metricName) => {
    const t = parseAlarmEvent(
      cloudFront4xxAlarmEvent({ distributionId: 'E2QWRUHEXAMPLE', account: '111122223333', metricName }),
    );
    expect(t).toMatchObject({ ignored: false, distributionId: 'E2QWRUHEXAMPLE' });
  });

  it('refuses a 5xxErrorRate alarm, naming the metrics it accepts', () => {
    const ev = cloudFront4xxAlarmEvent({
      distributionId: 'E2QWRUHEXAMPLE',
      account: '111122223333',
      metricName: '5xxErrorRate',
    });
    expect(() => parseAlarmEvent(ev)).toThrow(InvalidAlarmEventError);
    expect(() => parseAlarmEvent(ev)).toThrow(
      /not AWS\/CloudFront 4xxErrorRate \/ 403ErrorRate \/ TotalErrorRate/,
    );
  });
});

describe('escalations without a cause keep the evidence', () => {
  it('carries each failing request with its fingerprint, and what was fine or unreadable', async () => {
    const { diagnosis } = await run('unexplained-policy-unreadable');
    expect(diagnosis.causes).toEqual([]);
    const u = diagnosis.unexplained;
    expect(u?.requests[0]).toMatch(
      /probe GET \/index.html: 403 .*\[fingerprint s3\/s3-access-denied AccessDenied\]/,
    );
    expect(u?.checked).toContain('HeadObject s3://example-site/index.html: exists');
    expect(u?.checked).toContain('WebACLId: no web ACL associated');
    expect(u?.unreadable.some((l) => l.startsWith('GetBucketPolicy example-site: AccessDenied'))).toBe(true);
    const lines = evidenceLines(diagnosis).join('\n');
    expect(lines).toContain('No known cause explains these failing requests:');
    expect(lines).toContain('Could not be checked:');
    const msg = outcomeMessage('arn:aws:states:us-east-1:111122223333:execution:m:e', {
      outcome: 'ESCALATED',
      collect: { distributionId: 'E2QWRUHEXAMPLE' },
      diagnosis,
    });
    expect(msg.body).toContain('no known cause explains the 403s');
    expect(msg.body).toContain('Checked and found fine:');
  });

  it('adds nothing when a cause explains the 403s', async () => {
    const { diagnosis } = await run('website-endpoint-origin-secure-transport');
    expect(diagnosis.unexplained).toBeUndefined();
    expect(evidenceLines(diagnosis)).toEqual([]);
  });
});

// Issue 11, refusals by what stands before or in place of S3: AWS endpoints routing by Host, function URL
// policies, Lambda@Edge, signing keys, header-conditioned bucket policies, and cached errors.
import { describe, expect, it } from 'vitest';
import { customOriginDenied } from '../../../../functions/domain/causes/custom-origin-denied.ts';
import { errorResponseCached } from '../../../../functions/domain/causes/error-response-cached.ts';
import {
  hostHeaderToCustomOrigin,
  hostRoutedService,
} from '../../../../functions/domain/causes/host-header-to-custom-origin.ts';
import { lambdaEdgeDenied } from '../../../../functions/domain/causes/lambda-edge-denied.ts';
import { lambdaUrlPermissionMissing } from '../../../../functions/domain/causes/lambda-url-permission-missing.ts';
import { policyHeaderCondition } from '../../../../functions/domain/causes/policy-header-condition.ts';
import { sentHeader } from '../../../../functions/domain/causes/shared/origin-headers.ts';
import { signedUrlRequired } from '../../../../functions/domain/causes/signed-url-required.ts';
import { signingKeyUntrusted } from '../../../../functions/domain/causes/signing-key-untrusted.ts';
import { sourceArnMismatch } from '../../../../functions/domain/causes/source-arn-mismatch.ts';
import { evidenceOf, read, run, variant } from './scenario-evidence.ts';

describe('HOST_HEADER_TO_CUSTOM_ORIGIN', () => {
  it('knows which AWS endpoints route by Host', () => {
    expect(hostRoutedService('a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com')).toBe('API Gateway');
    expect(hostRoutedService('abc123.lambda-url.us-east-1.on.aws')).toBe('Lambda function URL');
    expect(hostRoutedService('my-alb-123.us-east-1.elb.amazonaws.com')).toBeUndefined();
  });

  it('moves an AllViewer behavior to AllViewerExceptHostHeader, and CUSTOM_ORIGIN_DENIED stands aside', async () => {
    const r = await read('host-header-to-custom-origin');
    const { finding, actions } = run(hostHeaderToCustomOrigin, r);
    expect(finding).toMatchObject({ id: 'HOST_HEADER_TO_CUSTOM_ORIGIN', subject: { pathPattern: '/api/*' } });
    expect(finding?.evidence.join('\n')).toContain('Host sent: www.example.com');
    expect(actions[0]?.change).toMatchObject({
      edits: [
        {
          op: 'set-origin-request-policy',
          pathPattern: '/api/*',
          policyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
        },
      ],
    });
    expect(run(customOriginDenied, r).finding).toBeNull();
  });

  it('drops Host from legacy forwarded headers', async () => {
    const { actions } = run(hostHeaderToCustomOrigin, await read('host-header-to-custom-origin-legacy'));
    expect(actions[0]?.change).toMatchObject({ edits: [{ op: 'remove-forwarded-header', header: 'Host' }] });
  });

  it('does not fire for AllViewerExceptHostHeader, nor for an origin that refuses on its own', async () => {
    expect(
      run(hostHeaderToCustomOrigin, await read('healthy-api-gateway-all-viewer-except-host')).finding,
    ).toBeNull();
    const r = await read('custom-origin-denied-api-gateway');
    expect(run(hostHeaderToCustomOrigin, r).finding).toBeNull();
    expect(run(customOriginDenied, r).finding?.id).toBe('CUSTOM_ORIGIN_DENIED');
  });
});

describe('LAMBDA_URL_PERMISSION_MISSING', () => {
  it('finds the function behind the URL and adds only lambda:InvokeFunction when InvokeFunctionUrl is there', async () => {
    const r = await read('lambda-url-permission-missing');
    expect(r.ev.lambdaUrls?.ssr).toMatchObject({
      ok: true,
      value: {
        functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:ssr-handler',
        authType: 'AWS_IAM',
      },
    });
    const { finding, actions } = run(lambdaUrlPermissionMissing, r);
    expect(finding?.subject?.missing).toBe('lambda:InvokeFunction');
    expect(actions).toHaveLength(1);
    expect(actions[0]?.change).toMatchObject({
      type: 'add-lambda-permission',
      permission: {
        action: 'lambda:InvokeFunction',
        principal: 'cloudfront.amazonaws.com',
        sourceArn: 'arn:aws:cloudfront::111122223333:distribution/E2QWRUHEXAMPLE',
        invokedViaFunctionUrl: true,
        statementId: 'cf403-InvokeFunction-E2QWRUHEXAMPLE',
      },
    });
    expect(run(customOriginDenied, r).finding).toBeNull();
  });

  it('adds both statements when the policy names another distribution, or is missing', async () => {
    for (const name of [
      'lambda-url-permission-missing-other-distribution',
      'lambda-url-permission-missing-both',
    ]) {
      const { actions } = run(lambdaUrlPermissionMissing, await read(name));
      expect(
        actions.map((a) => (a.change?.type === 'add-lambda-permission' ? a.change.permission.action : '')),
      ).toEqual(['lambda:InvokeFunctionUrl', 'lambda:InvokeFunction']);
    }
  });

  it('escalates when a Deny refuses CloudFront', async () => {
    const { actions } = run(lambdaUrlPermissionMissing, await read('lambda-url-permission-missing-deny'));
    expect(actions).toEqual([expect.objectContaining({ risk: 'manual' })]);
    expect(actions[0]?.description).toContain("'DenyServicePrincipals'");
  });

  it('stays silent when both statements are there, and without an OAC of type lambda', async () => {
    expect(run(lambdaUrlPermissionMissing, await read('healthy-lambda-url-oac')).finding).toBeNull();
    const unsigned = variant('lambda-url-permission-missing', (sc) => {
      const origin = sc.cloudfront.distributions[0]?.DistributionConfig.Origins?.Items?.[0];
      if (origin) origin.OriginAccessControlId = '';
    });
    expect(run(lambdaUrlPermissionMissing, await evidenceOf(unsigned)).finding).toBeNull();
  });
});

describe('LAMBDA_EDGE_DENIED', () => {
  it('names the function version and event type that generated the 403', async () => {
    const { finding, actions } = run(lambdaEdgeDenied, await read('lambda-edge-denied-origin-request'));
    expect(finding?.subject).toMatchObject({
      functionArn: 'arn:aws:lambda:us-east-1:111122223333:function:jwt-check:3',
      eventType: 'origin-request',
      pathPattern: '/reports/*',
    });
    expect(finding?.requests).toEqual([0]);
    expect(actions[0]?.risk).toBe('manual');
  });

  it('does not fire when the function lets requests through', async () => {
    expect(run(lambdaEdgeDenied, await read('healthy-lambda-edge-pass')).finding).toBeNull();
  });
});

describe('SIGNING_KEY_UNTRUSTED', () => {
  it('reports a key the key group does not hold, which SIGNED_URL_REQUIRED now leaves alone', async () => {
    const r = await read('signing-key-untrusted');
    const { finding, actions } = run(signingKeyUntrusted, r);
    expect(finding).toMatchObject({
      confidence: 0.95,
      subject: { keyPairIds: 'K9NEWKEYEXAMPLE', keyGroups: 'kg-0001' },
    });
    expect(actions[0]?.description).toContain('UpdateKeyGroup');
    expect(run(signedUrlRequired, r).finding).toBeNull();
  });

  it('reads the key from signed cookies', async () => {
    const { finding } = run(signingKeyUntrusted, await read('signing-key-untrusted-cookies'));
    expect(finding?.subject?.keyPairIds).toBe('K7STAGINGKEYEX');
  });

  it('is silent for a trusted key', async () => {
    expect(run(signingKeyUntrusted, await read('healthy-signed-urls')).finding).toBeNull();
  });
});

describe('POLICY_HEADER_CONDITION', () => {
  it('sees that CloudFront sends no Referer and proposes OAC plus grant, keeping the statement', async () => {
    const r = await read('policy-header-condition');
    const { finding, actions } = run(policyHeaderCondition, r);
    expect(finding?.evidence).toContain(
      "CloudFront's request to S3 carries Referer = (none) (not forwarded, so CloudFront sends none)",
    );
    expect(actions.map((a) => a.id)).toEqual([
      'grant-cloudfront:example-site',
      'create-oac:s3-origin',
      'attach-oac:s3-origin',
    ]);
  });

  it('knows CloudFront replaces the User-Agent', async () => {
    const r = await read('policy-header-condition-user-agent');
    const first = r.ctx.failing[0];
    expect(first && sentHeader(r.ev, first, 'User-Agent').value).toBe('Amazon CloudFront');
    expect(run(policyHeaderCondition, r).finding?.summary).toContain('aws:UserAgent StringLike Mozilla/*');
  });

  it('escalates a shared secret on a website endpoint that cannot use an OAC', async () => {
    const { finding, actions } = run(
      policyHeaderCondition,
      await read('policy-header-condition-website-secret'),
    );
    expect(finding?.subject?.website).toBe('true');
    expect(actions).toEqual([expect.objectContaining({ risk: 'manual' })]);
  });

  it('adds the plain grant beside a header-conditioned OAC grant, instead of a SOURCE_ARN_MISMATCH escalation', async () => {
    const r = await read('policy-header-condition-oac');
    expect(run(policyHeaderCondition, r).actions.map((a) => a.id)).toEqual(['grant-cloudfront:example-site']);
    expect(run(sourceArnMismatch, r).finding).toBeNull();
  });

  it('is silent when the secret matches, and when Block Public Access voids the grant anyway', async () => {
    expect(run(policyHeaderCondition, await read('healthy-website-referer-secret')).finding).toBeNull();
    expect(
      run(policyHeaderCondition, await read('public-access-blocked-referer-condition')).finding,
    ).toBeNull();
  });
});

describe('ERROR_RESPONSE_CACHED', () => {
  it('reads the Age of cached 403s of objects the origin serves now, and plans a safe invalidation', async () => {
    const r = await read('error-response-cached');
    expect(r.ev.probes[0]?.age).toBe(600);
    const { finding, actions } = run(errorResponseCached, r);
    expect(finding).toMatchObject({ subject: { ttl: '3600', age: '600' }, requests: [0, 1] });
    expect(actions).toEqual([
      expect.objectContaining({
        risk: 'safe',
        change: { type: 'invalidate-cached-errors', distributionId: 'E2QWRUHEXAMPLE' },
      }),
    ]);
    expect(actions[0]?.description).toContain('up to 3000 more seconds');
    expect(r.plan).toMatchObject({ hasChanges: true, requiresApproval: false });
  });

  it('leaves a cached 403 of a broken origin to the rule that names the break', async () => {
    const r = await read('bucket-policy-grant-missing-cached');
    expect(run(errorResponseCached, r).finding).toBeNull();
    expect(r.diagnosis.causes[0]?.id).toBe('BUCKET_POLICY_GRANT_MISSING');
  });

  it('is silent once the TTL has passed', async () => {
    expect(run(errorResponseCached, await read('healthy-error-cache-expired')).finding).toBeNull();
  });
});

// One scenario per pipeline stage where that stage decides, with the viewer-visible fingerprint.
import { describe, expect, it } from 'vitest';
import { respond } from '../../../sim/edge/index.ts';
import { pathPatternMatches } from '../../../sim/edge/match.ts';
import type { Scenario, ScenarioDistribution } from '../../../sim/scenario/types.ts';
import {
  bucket,
  config,
  defaultBehavior,
  dist,
  expectCloudFrontPage,
  expectMissingKey,
  expectOk,
  expectS3Denied,
  get,
  HOST,
  INDEX_BODY,
  loadScenario,
  OAC_GRANT,
  PROBE,
  policyOf,
  REASON,
  viewOf,
} from './helpers.ts';

const healthy = (): Scenario => loadScenario('healthy');

describe('1. distribution lookup', () => {
  it('answers CloudFront "Bad request." for a host no distribution serves', () => {
    const res = respond(viewOf(healthy()), {
      url: 'https://www.example.com/index.html',
      method: 'GET',
      ...PROBE,
    });
    expectCloudFrontPage(res, 403, REASON.badRequest);
    expect(res.trace[0]).toBe('lookup:no-distribution-for:www.example.com');
  });

  it('serves an alternate domain name listed in Aliases, exact or wildcard', () => {
    const s = healthy();
    config(s).Aliases = { Quantity: 2, Items: ['www.example.com', '*.cdn.example.com'] };
    const view = viewOf(s);
    for (const host of ['www.example.com', 'img.cdn.example.com']) {
      expectOk(respond(view, { url: `https://${host}/index.html`, method: 'GET', ...PROBE }), INDEX_BODY);
    }
    expectCloudFrontPage(
      respond(view, { url: 'https://a.b.cdn.example.com/index.html', method: 'GET', ...PROBE }),
      403,
      REASON.badRequest,
    );
  });
});

describe('2-3. disabled distribution and stale edge', () => {
  it('a disabled distribution answers CloudFront 403', () => {
    const s = healthy();
    config(s).Enabled = false;
    const res = get(s, '/index.html');
    expectCloudFrontPage(res, 403, REASON.badRequest);
    expect(res.trace).toContain('disabled');
  });

  it('while a change has not reached the edge every request gets S3 AccessDenied', () => {
    const res = get(viewOf(healthy(), { stale: true }), '/index.html');
    expectS3Denied(res);
    expect(res.trace).toContain('stale-edge:deployment-in-progress');
  });
});

describe('4. behavior match', () => {
  it('matches * and ? case-sensitively, with or without a leading slash', () => {
    expect(pathPatternMatches('/images/*.jpg', '/images/a/b.jpg')).toBe(true);
    expect(pathPatternMatches('images/*.jpg', '/images/b.jpg')).toBe(true);
    expect(pathPatternMatches('/images/*.jpg', '/Images/b.jpg')).toBe(false);
    expect(pathPatternMatches('/img?.png', '/img1.png')).toBe(true);
    expect(pathPatternMatches('/img?.png', '/img12.png')).toBe(false);
    expect(pathPatternMatches('/a.b', '/aXb')).toBe(false);
    expect(pathPatternMatches('*', '/anything')).toBe(true);
  });

  it('uses the first matching cache behavior in order', () => {
    const s = loadScenario('behavior-misrouted');
    const assets = config(s).CacheBehaviors?.Items?.[0];
    if (assets === undefined) throw new Error('fixture');
    config(s).CacheBehaviors = {
      Quantity: 2,
      Items: [{ ...assets, PathPattern: '/assets/logo.*', TargetOriginId: 's3-origin' }, assets],
    };
    expectOk(get(s, '/assets/logo.svg'), '<svg/>');
    expectS3Denied(get(s, '/assets/other.svg'));
  });
});

describe('5. viewer protocol policy', () => {
  it('https-only over HTTP answers CloudFront "Bad request."', () => {
    const s = healthy();
    defaultBehavior(s).ViewerProtocolPolicy = 'https-only';
    const res = respond(viewOf(s), { url: `http://${HOST}/index.html`, method: 'GET', ...PROBE });
    expectCloudFrontPage(res, 403, REASON.badRequest);
    expect(res.trace).toContain('viewer-protocol:https-only');
    expectOk(get(s, '/index.html'));
  });

  it('redirect-to-https over HTTP answers 301 with the https Location', () => {
    const res = respond(viewOf(healthy()), { url: `http://${HOST}/index.html?x=1`, method: 'GET', ...PROBE });
    expect(res.status).toBe(301);
    expect(res.headers.location).toBe(`https://${HOST}/index.html?x=1`);
    expect(res.headers.server).toBe('CloudFront');
    expect(res.headers['x-cache']).toBe('Redirect from cloudfront');
  });
});

describe('6. geo restriction', () => {
  it('a block list containing the viewer country answers the geo page', () => {
    const s = healthy();
    config(s).Restrictions = { GeoRestriction: { RestrictionType: 'blacklist', Quantity: 1, Items: ['FR'] } };
    expectCloudFrontPage(get(s, '/index.html', { country: 'FR' }), 403, REASON.geoBlocked);
    expectOk(get(s, '/index.html', { country: 'DE' }));
  });
});

describe('7. WAF', () => {
  it('a web ACL whose default action is Block answers the WAF page', () => {
    const s = loadScenario('waf-blocked-ipset');
    const acl = s.wafv2?.webAcls?.[0];
    if (acl === undefined) throw new Error('fixture');
    acl.DefaultAction = { Block: {} };
    const res = get(s, '/index.html');
    expectCloudFrontPage(res, 403, REASON.wafBlocked);
    expect(res.trace).toContain('waf:site-acl:block:default-action');
  });
});

describe('6-7. geo restriction before WAF', () => {
  it('a country both lists refuse gets the geo page, and WAF never sees the request', () => {
    const s = loadScenario('waf-blocked-ipset');
    const acl = s.wafv2?.webAcls?.[0];
    if (acl === undefined) throw new Error('fixture');
    acl.DefaultAction = { Block: {} };
    config(s).Restrictions = { GeoRestriction: { RestrictionType: 'blacklist', Quantity: 1, Items: ['FR'] } };
    const res = get(s, '/index.html', { country: 'FR' });
    expectCloudFrontPage(res, 403, REASON.geoBlocked);
    expect(res.trace.some((t) => t.startsWith('waf:'))).toBe(false);
    expectCloudFrontPage(get(s, '/index.html', { country: 'DE' }), 403, REASON.wafBlocked);
  });
});

describe('8. allowed methods', () => {
  it('a method outside AllowedMethods answers the method page', () => {
    const res = get(healthy(), '/index.html', { method: 'POST' });
    expectCloudFrontPage(res, 403, REASON.methodNotAllowed);
  });

  it('OPTIONS is refused unless listed, and reaches the origin when listed', () => {
    const s = healthy();
    expectCloudFrontPage(get(s, '/index.html', { method: 'OPTIONS' }), 403, REASON.methodNotAllowed);
    defaultBehavior(s).AllowedMethods = { Quantity: 3, Items: ['GET', 'HEAD', 'OPTIONS'] };
    const res = get(s, '/index.html', { method: 'OPTIONS' });
    expect(res.headers.server).toBe('AmazonS3');
    expect(res.body).toContain('<Code>AccessForbidden</Code>');
  });

  it('HEAD gets the headers without a body', () => {
    const res = get(healthy(), '/index.html', { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.body).toBe('');
    expect(res.headers['content-length']).toBe(String(INDEX_BODY.length));
  });
});

describe('9. signed URLs and cookies', () => {
  const signed = (): Scenario => loadScenario('signed-url-required');

  it('an unsigned request answers MissingKey', () => {
    expectMissingKey(get(signed(), '/index.html'));
  });

  it('a key id outside the trusted key groups answers AccessDenied without RequestId', () => {
    const res = get(signed(), '/index.html?Expires=2000000000&Signature=abc&Key-Pair-Id=KUNKNOWN');
    expect(res.status).toBe(403);
    expect(res.headers.server).toBe('CloudFront');
    expect(res.body).toContain('<Error><Code>AccessDenied</Code><Message>Access denied</Message></Error>');
    expect(res.body).not.toContain('RequestId');
  });

  it('an incomplete signature answers AccessDenied', () => {
    const res = get(signed(), '/index.html?Key-Pair-Id=K2PUBKEYEXAMPLE');
    expect(res.body).toContain('<Code>AccessDenied</Code>');
  });

  it('a signed URL or signed cookies with a trusted key reach the origin', () => {
    expectOk(
      get(signed(), '/index.html?Expires=2000000000&Signature=abc&Key-Pair-Id=K2PUBKEYEXAMPLE'),
      INDEX_BODY,
    );
    const cookie = 'CloudFront-Policy=p; CloudFront-Signature=s; CloudFront-Key-Pair-Id=K2PUBKEYEXAMPLE';
    expectOk(get(signed(), '/index.html', { headers: { Cookie: cookie } }), INDEX_BODY);
  });
});

function withFunction(code: string): Scenario {
  const s = healthy();
  const arn = 'arn:aws:cloudfront::111122223333:function/gate';
  s.cloudfront.functions = [
    {
      Name: 'gate',
      FunctionConfig: { Runtime: 'cloudfront-js-2.0', Comment: '' },
      FunctionMetadata: { FunctionARN: arn, Stage: 'LIVE', LastModifiedTime: new Date(0) },
      FunctionCode: code,
    },
  ];
  defaultBehavior(s).FunctionAssociations = {
    Quantity: 1,
    Items: [{ FunctionARN: arn, EventType: 'viewer-request' }],
  };
  return s;
}

describe('10. viewer-request CloudFront Functions', () => {
  it('a function answering 403 produces a FunctionGeneratedResponse', () => {
    const s = withFunction(`function handler(event) {
      if (event.request.uri.startsWith('/admin')) {
        return { statusCode: 403, statusDescription: 'Forbidden', headers: { 'content-type': { value: 'text/plain' } }, body: 'no' };
      }
      return event.request;
    }`);
    const res = get(s, '/admin/index.html');
    expect(res.status).toBe(403);
    expect(res.headers['x-cache']).toBe('FunctionGeneratedResponse from cloudfront');
    expect(res.headers.server).toBe('CloudFront');
    expect(res.headers['content-type']).toBe('text/plain');
    expect(res.body).toBe('no');
    expect(res.trace).toContain('function:gate:response:403');
    expectOk(get(s, '/index.html'), INDEX_BODY);
  });

  it('an async function rewriting the URI changes what the origin serves', () => {
    const s = withFunction(`async function handler(event) {
      const r = event.request;
      if (r.uri.endsWith('/')) r.uri += 'index.html';
      return await Promise.resolve(r);
    }`);
    expectOk(get(s, '/about/'), '<h1>About</h1>');
  });

  it('a function that throws answers CloudFront 503', () => {
    const res = get(withFunction('function handler(event) { throw new Error("boom"); }'), '/index.html');
    expect(res.status).toBe(503);
    expect(res.headers.server).toBe('CloudFront');
    expect(res.body).toContain(REASON.functionFailed);
  });
});

describe('11. default root object', () => {
  it('maps exactly / to DefaultRootObject and nothing else', () => {
    const s = healthy();
    expectOk(get(s, '/'), INDEX_BODY);
    expectS3Denied(get(s, '/about'));
    config(s).DefaultRootObject = '';
    expectS3Denied(get(s, '/'));
  });
});

describe('12. origins', () => {
  it('a stacked distribution passes the inner distribution answer through', () => {
    const s = healthy();
    const inner = dist(s);
    const outer: ScenarioDistribution = structuredClone(inner);
    outer.Id = 'EOUTEREXAMPLE';
    outer.ARN = 'arn:aws:cloudfront::111122223333:distribution/EOUTEREXAMPLE';
    outer.DomainName = 'd222222abcdef8.cloudfront.net';
    outer.DistributionConfig.Origins = {
      Quantity: 1,
      Items: [
        {
          Id: 'inner',
          DomainName: inner.DomainName,
          OriginPath: '',
          CustomOriginConfig: { HTTPPort: 80, HTTPSPort: 443, OriginProtocolPolicy: 'https-only' },
        },
      ],
    };
    const behavior = outer.DistributionConfig.DefaultCacheBehavior;
    if (behavior === undefined) throw new Error('fixture');
    behavior.TargetOriginId = 'inner';
    s.cloudfront.distributions.push(outer);
    const view = viewOf(s);
    const ok = respond(view, {
      url: 'https://d222222abcdef8.cloudfront.net/index.html',
      method: 'GET',
      ...PROBE,
    });
    expectOk(ok, INDEX_BODY);
    expect(ok.headers.via?.split(', ')).toHaveLength(2);
    expect(ok.trace).toContain(`origin:cloudfront:${inner.DomainName}`);
    bucket(s).Policy = null;
    expectS3Denied(
      respond(view, { url: 'https://d222222abcdef8.cloudfront.net/index.html', method: 'GET', ...PROBE }),
    );
  });

  it('a custom origin answers from simulation.customOrigins, else 200 from nginx', () => {
    const s = healthy();
    const origin = config(s).Origins?.Items?.[0];
    if (origin === undefined) throw new Error('fixture');
    origin.DomainName = 'app.example.net';
    origin.OriginAccessControlId = '';
    expectOk(get(s, '/index.html'));
    expect(get(s, '/index.html').headers.server).toBe('nginx');
    s.simulation = {
      customOrigins: {
        'app.example.net': {
          status: 403,
          headers: { Server: 'Apache', 'Content-Type': 'text/plain' },
          body: 'nope',
        },
      },
    };
    const res = get(s, '/index.html');
    expect(res.status).toBe(403);
    expect(res.headers.server).toBe('Apache');
    expect(res.headers['x-cache']).toBe('Error from cloudfront');
    expect(res.body).toBe('nope');
  });
});

describe('13. custom error responses', () => {
  it('an SPA hides an S3 403 behind /index.html with 200', () => {
    const s = healthy();
    config(s).CustomErrorResponses = {
      Quantity: 1,
      Items: [
        { ErrorCode: 403, ResponsePagePath: '/index.html', ResponseCode: '200', ErrorCachingMinTTL: 10 },
      ],
    };
    const res = get(s, '/some/client/route');
    expect(res.status).toBe(200);
    expect(res.body).toBe(INDEX_BODY);
    expect(res.headers['x-cache']).toBe('Error from cloudfront');
    expect(res.trace).toContain('custom-error:403->/index.html');
  });

  it('a geo block may be shown the custom page; an unreadable page leaves the original error', () => {
    const s = healthy();
    config(s).Restrictions = { GeoRestriction: { RestrictionType: 'whitelist', Quantity: 1, Items: ['US'] } };
    config(s).CustomErrorResponses = {
      Quantity: 1,
      Items: [{ ErrorCode: 403, ResponsePagePath: '/about/index.html', ResponseCode: '403' }],
    };
    const res = get(s, '/index.html', { country: 'DE' });
    expect(res.status).toBe(403);
    expect(res.body).toBe('<h1>About</h1>');
    bucket(s).Policy = policyOf([{ ...OAC_GRANT, Resource: 'arn:aws:s3:::example-site/index.html' }]);
    expectCloudFrontPage(get(s, '/index.html', { country: 'DE' }), 403, REASON.geoBlocked);
  });
});

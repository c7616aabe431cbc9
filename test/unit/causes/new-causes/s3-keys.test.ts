// Issue 11, keys S3 refuses because they do not exist although the site means them: directory URLs, a
// single-page app's routes, keys a website redirect stood for.
import { describe, expect, it } from 'vitest';
import {
  directoryIndexMissing,
  indexFunctionCode,
} from '../../../../functions/domain/causes/directory-index-missing.ts';
import { objectNotFound } from '../../../../functions/domain/causes/object-not-found.ts';
import { directoryIndexKey, extensionless } from '../../../../functions/domain/causes/shared/missing-keys.ts';
import { spaFallback404Only } from '../../../../functions/domain/causes/spa-fallback-404-only.ts';
import { websiteFeaturesOnRest } from '../../../../functions/domain/causes/website-features-on-rest.ts';
import { runCloudFrontFunction } from '../../../../sim/edge/cloudfront-function.ts';
import { evidenceOf, read, run, variant } from './scenario-evidence.ts';

function rewrite(code: string, uri: string): string {
  const out = runCloudFrontFunction(code, {
    version: '1.0',
    context: {
      distributionDomainName: 'd.cloudfront.net',
      distributionId: 'E1',
      eventType: 'viewer-request',
      requestId: 'r',
    },
    viewer: { ip: '192.0.2.1' },
    request: { method: 'GET', uri, querystring: {}, headers: {}, cookies: {} },
  });
  return (out.result as { uri: string }).uri;
}

describe('directory-style keys', () => {
  it('maps trailing-slash and extension-less paths to their index key, and nothing else', () => {
    expect(directoryIndexKey('', '/docs/')).toBe('docs/index.html');
    expect(directoryIndexKey('/site', '/posts/x')).toBe('site/posts/x/index.html');
    expect(directoryIndexKey('', '/')).toBeUndefined();
    expect(directoryIndexKey('', '/app.js')).toBeUndefined();
    expect(extensionless('/v1.2/notes')).toBe(true);
    expect(extensionless('/notes/')).toBe(false);
  });

  it('writes a rewrite function that handles extension-less paths only when asked to', () => {
    const both = indexFunctionCode('E1', true);
    expect(rewrite(both, '/docs/')).toBe('/docs/index.html');
    expect(rewrite(both, '/posts/x')).toBe('/posts/x/index.html');
    expect(rewrite(both, '/app.js')).toBe('/app.js');
    // a site storing pages as extension-less keys keeps them when only slash URLs failed
    expect(rewrite(indexFunctionCode('E1', false), '/posts/x')).toBe('/posts/x');
  });
});

describe('DIRECTORY_INDEX_MISSING', () => {
  it('finds directory URLs whose index exists, plans a function and its association, and outranks OBJECT_NOT_FOUND', async () => {
    const r = await read('directory-index-missing');
    const { finding, actions } = run(directoryIndexMissing, r);
    expect(finding).toMatchObject({ id: 'DIRECTORY_INDEX_MISSING', confidence: 0.94, requests: [0, 1] });
    expect(finding?.evidence).toContain('HeadObject s3://example-site/docs/index.html: exists');
    expect(actions.map((a) => a.change?.type)).toEqual(['create-function', 'update-distribution']);
    const create = actions[0]?.change;
    expect(create?.type === 'create-function' && create.functionName).toBe('cf403-index-E2QWRUHEXAMPLE');
    expect(actions[1]?.change).toMatchObject({
      edits: [
        { op: 'associate-function', eventType: 'viewer-request', functionName: 'cf403-index-E2QWRUHEXAMPLE' },
      ],
    });
    expect(r.diagnosis.causes.map((c) => c.id)).toEqual(['DIRECTORY_INDEX_MISSING']);
    expect(run(objectNotFound, r).finding).toBeNull();
  });

  it('rewrites extension-less paths when such a path failed', async () => {
    const { actions } = run(directoryIndexMissing, await read('directory-index-missing-extensionless'));
    const change = actions[0]?.change;
    expect(change?.type === 'create-function' && change.code).toContain('/index.html');
    expect(change?.type === 'create-function' && change.code).toContain('indexOf(".") === -1');
  });

  it('escalates with the change to make when the behavior already has a viewer-request function', async () => {
    const r = await read('directory-index-missing-existing-function');
    const { actions } = run(directoryIndexMissing, r);
    expect(actions.every((a) => a.change === undefined && a.risk === 'manual')).toBe(true);
    expect(actions[0]?.description).toContain('one function per event type');
    expect(r.plan.hasChanges).toBe(false);
  });

  it('escalates when Lambda@Edge holds the viewer events', async () => {
    const { actions } = run(directoryIndexMissing, await read('directory-index-missing-lambda-edge'));
    expect(actions[0]?.description).toContain('cannot share viewer events');
  });

  it('does not fire when the index document does not exist either', async () => {
    const r = await read('object-not-found-no-index');
    expect(run(directoryIndexMissing, r).finding).toBeNull();
    expect(run(objectNotFound, r).finding?.id).toBe('OBJECT_NOT_FOUND');
  });

  it('does not fire when a viewer-request function already rewrites the URLs', async () => {
    expect(run(directoryIndexMissing, await read('healthy-viewer-function-rewrite')).finding).toBeNull();
  });
});

describe('SPA_FALLBACK_404_ONLY', () => {
  it('grants the OAC s3:ListBucket when a root object is set, saying why not the 403 mapping', async () => {
    const r = await read('spa-fallback-404-only');
    const { finding, actions } = run(spaFallback404Only, r);
    expect(finding).toMatchObject({ id: 'SPA_FALLBACK_404_ONLY', requests: [0, 1] });
    expect(actions).toHaveLength(1);
    expect(actions[0]?.change).toMatchObject({
      type: 'merge-bucket-policy-statement',
      statement: { Action: 's3:ListBucket', Resource: 'arn:aws:s3:::example-site' },
    });
    expect(actions[0]?.description).toContain('hide it from viewers and alarms');
    expect(run(objectNotFound, r).finding).toBeNull();
  });

  it('maps 403 like 404 when there is no root object (a listing of / must not appear)', async () => {
    const { actions } = run(spaFallback404Only, await read('spa-fallback-404-only-no-root-object'));
    expect(actions[0]?.change).toMatchObject({
      type: 'update-distribution',
      edits: [
        {
          op: 'set-custom-error-response',
          entry: { ErrorCode: 403, ResponsePagePath: '/index.html', ResponseCode: '200' },
        },
      ],
    });
    expect(actions[0]?.description).toContain('DefaultRootObject is empty');
  });

  it('maps 403 when the origin uses an OAI', async () => {
    const { actions } = run(spaFallback404Only, await read('spa-fallback-404-only-oai'));
    expect(actions[0]?.description).toContain('not an OAC');
  });

  it('stays silent when ListBucket is granted, when 403 is mapped, and for a 404 page that is not an app shell', async () => {
    expect(run(spaFallback404Only, await read('healthy-spa-list-bucket')).finding).toBeNull();
    expect(run(spaFallback404Only, await read('healthy-spa-deep-links')).finding).toBeNull();
    expect(run(spaFallback404Only, await read('object-not-found-custom-404-page')).finding).toBeNull();
  });

  it('leaves scanner paths (files that never existed) to the other rules', async () => {
    const sc = variant('spa-fallback-404-only', (s) => {
      s.requests = s.requests.map((q) => ({ ...q, url: q.url.replace(/\/[^/]*$/, '/wp-login.php') }));
    });
    expect(run(spaFallback404Only, await evidenceOf(sc)).finding).toBeNull();
  });
});

describe('WEBSITE_FEATURES_ON_REST', () => {
  it('names the routing rule the REST endpoint ignores and escalates with the options', async () => {
    const r = await read('website-features-on-rest');
    const { finding, actions } = run(websiteFeaturesOnRest, r);
    expect(finding?.summary).toContain('RoutingRules[0] (KeyPrefixEquals blog/');
    expect(actions).toHaveLength(1);
    expect(actions[0]?.risk).toBe('manual');
    expect(actions[0]?.description).toContain('needs the bucket to be public');
    expect(run(objectNotFound, r).finding).toBeNull();
  });

  it('recognizes a redirect-all bucket and a rule on 404', async () => {
    expect(
      run(websiteFeaturesOnRest, await read('website-features-on-rest-redirect-all')).finding?.summary,
    ).toContain('RedirectAllRequestsTo https://example.com');
    expect(
      run(websiteFeaturesOnRest, await read('website-features-on-rest-error-rule')).finding?.summary,
    ).toContain('HttpErrorCodeReturnedEquals 404');
  });

  it('takes the directory URLs of a bucket that relies on redirects too', async () => {
    const r = await read('combo-website-features-on-rest-directory-index');
    expect(run(websiteFeaturesOnRest, r).finding?.summary).toContain(
      'IndexDocument index.html in a sub-folder',
    );
    expect(run(directoryIndexMissing, r).finding).toBeNull();
  });

  it('ignores a website configuration the failing requests do not need', async () => {
    expect(run(websiteFeaturesOnRest, await read('healthy-rest-with-website-config')).finding).toBeNull();
  });
});

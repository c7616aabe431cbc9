// The CloudFront Functions runner: real cloudfront-js-2.0 code in an isolated node:vm context.
import { describe, expect, it } from 'vitest';
import {
  type CloudFrontFunctionEvent,
  runCloudFrontFunction,
} from '../../../sim/edge/cloudfront-function.ts';

const event = (uri = '/index.html'): CloudFrontFunctionEvent => ({
  version: '1.0',
  context: {
    distributionDomainName: 'd111111abcdef8.cloudfront.net',
    distributionId: 'E2QWRUHEXAMPLE',
    eventType: 'viewer-request',
    requestId: 'req-1',
  },
  viewer: { ip: '192.0.2.10' },
  request: {
    method: 'GET',
    uri,
    querystring: { a: { value: '1' } },
    headers: { host: { value: 'd111111abcdef8.cloudfront.net' } },
    cookies: { session: { value: 'xyz' } },
  },
});

describe('runCloudFrontFunction', () => {
  it('runs a sync handler that returns the request, capturing console.log', () => {
    const code = `function handler(event) {
      var r = event.request;
      console.log('uri', r.uri, { q: r.querystring.a.value });
      r.headers['x-seen'] = { value: event.viewer.ip };
      return r;
    }`;
    const run = runCloudFrontFunction(code, event());
    expect(run.error).toBeUndefined();
    expect(run.logs).toEqual(['uri /index.html {"q":"1"}']);
    expect(run.result).toMatchObject({ uri: '/index.html', headers: { 'x-seen': { value: '192.0.2.10' } } });
  });

  it('awaits an async handler', () => {
    const code = `async function handler(event) {
      const wait = await Promise.resolve(403);
      return { statusCode: wait, statusDescription: 'Forbidden', headers: {} };
    }`;
    const run = runCloudFrontFunction(code, event());
    expect(run.error).toBeUndefined();
    expect(run.result).toEqual({ statusCode: 403, statusDescription: 'Forbidden', headers: {} });
  });

  it('supports a handler declared with const', () => {
    const run = runCloudFrontFunction('const handler = (e) => ({ statusCode: 403 });', event());
    expect(run.result).toEqual({ statusCode: 403 });
  });

  it('exposes no require or process, and refuses eval', () => {
    const run = runCloudFrontFunction(
      `function handler(e) { return { statusCode: 200, body: typeof require + ',' + typeof process }; }`,
      event(),
    );
    expect(run.result).toMatchObject({ body: 'undefined,undefined' });
    const evil = runCloudFrontFunction('function handler(e) { return eval("1+1"); }', event());
    expect(evil.error).toMatch(/EvalError/);
  });

  it('reports a throwing handler, a rejected promise and a missing handler as errors', () => {
    const thrown = runCloudFrontFunction(
      'function handler(e) { console.log("before"); throw new TypeError("bad"); }',
      event(),
    );
    expect(thrown.error).toMatch(/TypeError: bad/);
    expect(thrown.logs).toEqual(['before']);
    expect(
      runCloudFrontFunction('async function handler(e) { throw new Error("later"); }', event()).error,
    ).toMatch(/Error: later/);
    expect(runCloudFrontFunction('function other() {}', event()).error).toMatch(/handler is not defined/);
    expect(runCloudFrontFunction('function handler( {', event()).error).toMatch(/SyntaxError/);
  });

  it('stops a handler that runs too long or never settles', () => {
    const loop = runCloudFrontFunction('function handler(e) { for (;;) {} }', event());
    expect(loop.error).toMatch(/timed out/);
    const pending = runCloudFrontFunction(
      'function handler(e) { return new Promise(function () {}); }',
      event(),
    );
    expect(pending.error).toMatch(/did not settle/);
  });

  it('does not let one run see state from another', () => {
    runCloudFrontFunction('var leaked = 1; function handler(e) { return e.request; }', event());
    const run = runCloudFrontFunction(
      'function handler(e) { return { statusCode: 200, body: typeof leaked }; }',
      event(),
    );
    expect(run.result).toMatchObject({ body: 'undefined' });
  });
});

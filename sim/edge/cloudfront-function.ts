// Runs CloudFront Functions code (cloudfront-js-2.0) in an isolated node:vm context, as the edge
// does for viewer-request functions and as TestFunction does. node:vm is not a security boundary;
// it keeps host globals (require, process) out of reach of well-behaved function code.
import vm from 'node:vm';

export interface CloudFrontFunctionEvent {
  version: '1.0';
  context: {
    distributionDomainName: string;
    distributionId: string;
    eventType: 'viewer-request' | 'viewer-response';
    requestId: string;
  };
  viewer: { ip: string };
  request: {
    method: string;
    uri: string;
    querystring: Record<string, { value: string }>;
    headers: Record<string, { value: string }>;
    cookies: Record<string, { value: string }>;
  };
}

/**
 * CloudFront stops a function that exceeds its compute budget (a share of 1 ms of CPU, not wall time). Here the
 * limit only stops runaway code: wall time on a loaded machine must never fail a well-behaved function.
 */
const TIMEOUT_MS = 1000;

// Defines console inside the context; log lines stay in the context as strings, so no host
// function (whose constructor would reach the host realm) is ever exposed to function code.
const PRELUDE = `
var __logs = [];
var __out = undefined;
var console = (function () {
  function fmt(x) {
    if (typeof x === 'string') return x;
    try { var s = JSON.stringify(x); return s === undefined ? String(x) : s; } catch (e) { return String(x); }
  }
  function log() { __logs.push(Array.prototype.map.call(arguments, fmt).join(' ')); }
  return { log: log, info: log, warn: log, error: log, debug: log };
})();
`;

// Calls handler; an async handler settles during the microtask drain that follows this script
// (microtaskMode 'afterEvaluate'), so the outcome is known synchronously.
const INVOKE = `
(function () {
  function fail(e) { __out = { error: String((e && e.stack) || e) }; }
  function done(v) {
    try { __out = { json: v === undefined ? undefined : JSON.stringify(v) }; } catch (e) { fail(e); }
  }
  if (typeof handler !== 'function') { fail('ReferenceError: handler is not defined'); return; }
  var r;
  try { r = handler(JSON.parse(__eventJson)); } catch (e) { fail(e); return; }
  if (r !== null && typeof r === 'object' && typeof r.then === 'function') { r.then(done, fail); } else { done(r); }
})();
`;

function readString(context: vm.Context, expression: string): string | undefined {
  const value: unknown = vm.runInContext(expression, context, { timeout: TIMEOUT_MS });
  return typeof value === 'string' ? value : undefined;
}

function readLogs(context: vm.Context): string[] {
  const json = readString(context, 'JSON.stringify(__logs)');
  const parsed: unknown = json === undefined ? [] : JSON.parse(json);
  return Array.isArray(parsed) ? parsed.map((line) => String(line)) : [];
}

export function runCloudFrontFunction(
  code: string,
  event: CloudFrontFunctionEvent,
): { result: unknown; logs: string[]; error?: string } {
  const context = vm.createContext(
    { __eventJson: JSON.stringify(event) },
    { codeGeneration: { strings: false, wasm: false }, microtaskMode: 'afterEvaluate' },
  );
  try {
    vm.runInContext(PRELUDE, context);
    vm.runInContext(code, context, { timeout: TIMEOUT_MS, filename: 'function.js' });
    vm.runInContext(INVOKE, context, { timeout: TIMEOUT_MS, filename: 'invoke.js' });
  } catch (e) {
    return { result: undefined, logs: safeLogs(context), error: describe(e) };
  }
  const logs = readLogs(context);
  const error = readString(context, '__out === undefined ? undefined : __out.error');
  if (error !== undefined) return { result: undefined, logs, error };
  const settled = readString(context, '__out === undefined ? "pending" : "settled"');
  if (settled === 'pending') {
    return { result: undefined, logs, error: 'Error: the handler promise did not settle' };
  }
  const json = readString(context, '__out.json');
  return { result: json === undefined ? undefined : (JSON.parse(json) as unknown), logs };
}

function safeLogs(context: vm.Context): string[] {
  try {
    return readLogs(context);
  } catch {
    return [];
  }
}

function describe(e: unknown): string {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  // errors thrown by function code come from the context's realm, so instanceof Error fails
  if (typeof e === 'object' && e !== null && 'message' in e) {
    const name = 'name' in e ? String(e.name) : 'Error';
    return `${name}: ${String(e.message)}`;
  }
  return String(e);
}

// Facts about the viewer side of a request (behavior fields, signing, protocol, host) that the viewer
// group of rules reads, and the shapes of the actions those rules plan.
import { describeProbe, safePath } from '../../fingerprint.ts';
import { DEFAULT_PATTERN, type MatchedBehavior, type ResolvedRequest } from '../../routing.ts';
import type { Action, ApiCall, CauseId, Evidence, FieldDiff, ProbeKind } from '../../types.ts';

/** JSON path of a field of the matched behavior inside DistributionConfig. */
export function behaviorField(matched: MatchedBehavior, field: string): string {
  return matched.index < 0
    ? `DefaultCacheBehavior.${field}`
    : `CacheBehaviors.Items[${matched.index}].${field}`;
}

/** `default behavior` or `behavior /assets/*`, for sentences. */
export function behaviorLabel(pathPattern: string): string {
  return pathPattern === DEFAULT_PATTERN ? 'the default behavior' : `behavior ${pathPattern}`;
}

/** One evidence line per request: its probe when there is one, else what the access log shows. */
export function requestLine(r: ResolvedRequest): string {
  const log = logLine(r);
  return r.probe ? `${describeProbe(r.probe)} (${log})` : log;
}

/** What the access log shows for one request. */
export function logLine(r: ResolvedRequest): string {
  const who = [r.request.country, r.request.clientIp].filter((x) => x !== undefined).join(' ');
  // what the record shows of the response: status, result type, edge location (issue 10)
  const l = r.request.logged;
  const shown = l
    ? `: ${l.status} ${l.edgeDetailedResultType ?? l.edgeResultType ?? ''}${l.edgeLocation ? ` at ${l.edgeLocation}` : ''}`.trimEnd()
    : '';
  return `access log: ${r.request.method} ${r.request.url}${who ? ` from ${who}` : ''}${shown}`;
}

export function probeKind(r: ResolvedRequest): ProbeKind | undefined {
  return r.probe?.fingerprint.kind;
}

export function probeIs(r: ResolvedRequest, kind: ProbeKind): boolean {
  return r.probe?.status === 403 && r.probe.fingerprint.kind === kind;
}

export function pathOf(url: string): string {
  return safePath(url);
}

/** Confidence when the config and the logs agree, raised when the probe fingerprint agrees too. */
export function confidenceFor(fingerprintAgrees: boolean, logsAgree: boolean): number {
  if (fingerprintAgrees && logsAgree) return 0.97;
  if (logsAgree) return 0.9;
  return 0.75;
}

/** The request URL's scheme, lower case, without `:` (empty when the URL does not parse). */
export function schemeOf(url: string): string {
  try {
    return new URL(url).protocol.replace(/:$/, '').toLowerCase();
  } catch {
    return '';
  }
}

/** Host name without port, lower case. */
export function hostName(host: string): string {
  return host.replace(/:\d+$/, '').toLowerCase();
}

/** CloudFront alias matching: exact, or `*.example.com` for exactly one more label. */
export function aliasCovers(alias: string, host: string): boolean {
  const a = alias.toLowerCase();
  const h = hostName(host);
  if (a.startsWith('*.')) {
    const suffix = a.slice(1);
    return h.endsWith(suffix) && !h.slice(0, -suffix.length).includes('.') && h.length > suffix.length;
  }
  return a === h;
}

function cookies(headers: Record<string, string> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  const raw = Object.entries(headers ?? {}).find(([k]) => k.toLowerCase() === 'cookie')?.[1] ?? '';
  for (const part of raw.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return out;
}

/** The Key-Pair-Id a request is signed with (query string first, then cookie), if any. */
export function keyPairIdOf(url: string, headers: Record<string, string> | undefined): string | undefined {
  let query: URLSearchParams;
  try {
    query = new URL(url).searchParams;
  } catch {
    query = new URLSearchParams();
  }
  return query.get('Key-Pair-Id') || cookies(headers).get('CloudFront-Key-Pair-Id') || undefined;
}

/** True when a request carries a Key-Pair-Id (query or cookie): without one CloudFront answers MissingKey. */
export function carriesKeyPairId(url: string, headers: Record<string, string> | undefined): boolean {
  return keyPairIdOf(url, headers) !== undefined;
}

export function distributionUpdateCalls(ev: Evidence): ApiCall[] {
  return [
    { service: 'cloudfront', api: 'GetDistributionConfig', target: ev.distribution.Id },
    { service: 'cloudfront', api: 'UpdateDistribution', target: ev.distribution.Id },
  ];
}

/** A recommendation: no change, no call; the description says exactly what a human should change. */
export function manualAction(
  id: string,
  cause: CauseId,
  description: string,
  diff: FieldDiff[] = [],
): Action {
  return { id, cause, risk: 'manual', description, calls: [], diff };
}

/** Groups items by a key, keeping first-seen order. */
export function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const list = out.get(k) ?? [];
    list.push(item);
    out.set(k, list);
  }
  return out;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Upper-cases the first letter, for sentences that start with a label such as `the default behavior`. */
export function sentence(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Indices of the requests whose probe answered 403, for Finding.requests. */
export function probedIndices(reqs: readonly ResolvedRequest[]): number[] {
  return [...new Set(reqs.filter((r) => r.probe?.status === 403).map((r) => r.index))].sort((a, b) => a - b);
}

// Pure helpers of the bench: medians, the critical path of the collector's calls, markdown tables.

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new RangeError('median of no values');
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] as number;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] as number) + hi) / 2;
}

/** Runs `fn` `runs` times one after another and returns each run's wall time in ms. */
export async function timeRuns(runs: number, fn: () => Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

export interface ApiCallRef {
  service: string;
  api: string;
}

/**
 * What each read of the collector needs from an earlier answer (data dependencies, not the order the
 * collector happens to use). Anything not listed needs only the distribution config.
 */
export const CALL_DEPENDENCIES: Readonly<Record<string, readonly string[]>> = {
  'cloudfront:GetDistribution': [],
  // the account id comes with the alarm: no need to wait for the distribution
  's3control:GetPublicAccessBlock': [],
  // TestFunction's IfMatch is the ETag DescribeFunction returns
  'cloudfront:TestFunction': ['cloudfront:DescribeFunction'],
  // IP sets and sampled requests are named by the web ACL's rules
  'wafv2:GetIPSet': ['wafv2:GetWebACL'],
  'wafv2:GetSampledRequests': ['wafv2:GetWebACL'],
  // the key id is in the object's HeadObject answer
  'kms:GetKeyPolicy': ['s3:HeadObject'],
};

const ROOT = 'cloudfront:GetDistribution';

function dependenciesOf(key: string): readonly string[] {
  return CALL_DEPENDENCIES[key] ?? (key === ROOT ? [] : [ROOT]);
}

/**
 * The number of calls on the longest chain of dependent calls among those made: the least number of
 * round trips any collector needs for this evidence. Dependencies on calls that were not made are ignored.
 */
export function criticalPathLength(calls: readonly ApiCallRef[]): number {
  const made = new Set(calls.map((c) => `${c.service}:${c.api}`));
  const memo = new Map<string, number>();
  const depth = (key: string, seen: ReadonlySet<string>): number => {
    const known = memo.get(key);
    if (known !== undefined) return known;
    if (seen.has(key)) throw new Error(`dependency cycle at ${key}`);
    const next = new Set(seen).add(key);
    const deps = dependenciesOf(key).filter((d) => made.has(d));
    const d = 1 + Math.max(0, ...deps.map((x) => depth(x, next)));
    memo.set(key, d);
    return d;
  };
  return Math.max(0, ...[...made].map((k) => depth(k, new Set())));
}

export type Cell = string | number;

/** A GitHub markdown table; numbers right-aligned. */
export function markdownTable(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const esc = (c: Cell) => String(c).replace(/\|/g, '\\|');
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    line(headers.map(esc)),
    line(headers.map((_, i) => (numeric[i] ? '---:' : '---'))),
    ...rows.map((r) => line(headers.map((_, i) => esc(r[i] ?? '')))),
  ].join('\n');
}

/** Fixed decimals, as a number for the table's alignment. */
export function round(value: number, decimals = 0): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}

/** `1.23×` */
export function ratio(value: number, base: number): string {
  return base > 0 ? `${(value / base).toFixed(2)}×` : 'n/a';
}

export function percent(value: number, digits = 1): string {
  return `${(value * 100).toFixed(digits)} %`;
}

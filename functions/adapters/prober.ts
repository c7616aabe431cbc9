// Probes the failing URLs as a viewer would. Plain HTTPS from the workflow's region.
import type { ProbeRequest, ProbeResponse } from '../domain/types.ts';

export interface Prober {
  probe(req: ProbeRequest): Promise<ProbeResponse>;
}

/** The probe's User-Agent: what WAF user-agent rules (e.g. Bot Control) see of the workflow. */
export const PROBE_USER_AGENT = 'cf403-probe/1.0';

export class FetchProber implements Prober {
  constructor(private readonly timeoutMs: number) {}

  async probe(req: ProbeRequest): Promise<ProbeResponse> {
    const res = await fetch(req.url, {
      method: req.method,
      headers: { 'user-agent': PROBE_USER_AGENT, ...(req.headers ?? {}) },
      redirect: 'manual',
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const headers: Record<string, string> = {};
    res.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    const body = req.method === 'HEAD' ? '' : (await res.text()).slice(0, 16_384);
    return { status: res.status, headers, body };
  }
}

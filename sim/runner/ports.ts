// The simulated account's answers to the two ports that are not AWS APIs: HTTP probes and access logs.
import type { Prober } from '../../functions/adapters/prober.ts';
import type { RequestLog } from '../../functions/adapters/request-log.ts';
import type { ProbeRequest, ProbeResponse, ViewerRequest } from '../../functions/domain/types.ts';
import { respond } from '../edge/index.ts';
import type { World } from '../world/index.ts';

/** Probes go through the edge model, from the workflow's own location (`simulation.probe`). */
export class EdgeProber implements Prober {
  constructor(private readonly world: World) {}

  async probe(req: ProbeRequest): Promise<ProbeResponse> {
    const { country, clientIp } = this.world.probe;
    const res = respond(this.world, {
      url: req.url,
      method: req.method,
      headers: req.headers,
      country,
      clientIp,
    });
    return { status: res.status, headers: res.headers, body: res.body };
  }
}

/** The scenario's `requests` stand for what the access logs show. */
export class ScenarioRequestLog implements RequestLog {
  constructor(private readonly requests: readonly ViewerRequest[]) {}

  async failingRequests(): Promise<ViewerRequest[]> {
    return structuredClone([...this.requests]);
  }
}

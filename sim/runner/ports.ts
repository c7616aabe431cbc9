// The simulated account's answers to the two ports that are not AWS APIs: HTTP probes and access logs.

import type { AwsClients } from '../../functions/adapters/clients.ts';
import type { Prober } from '../../functions/adapters/prober.ts';
import { type RequestLog, StandardLogRequestLog } from '../../functions/adapters/request-log.ts';
import type {
  DistributionEvidence,
  ProbeRequest,
  ProbeResponse,
  ViewerRequest,
} from '../../functions/domain/types.ts';
import { respond } from '../edge/index.ts';
import { logRecordOf } from '../edge/log-record.ts';
import { lookupDistribution } from '../edge/match.ts';
import type { World } from '../world/index.ts';

/** Probes go through the edge model, from the workflow's own location (`simulation.probe`). */
export class EdgeProber implements Prober {
  constructor(private readonly world: World) {}

  async probe(req: ProbeRequest): Promise<ProbeResponse> {
    const { country, clientIp, userAgent } = this.world.probe;
    const res = respond(this.world.edge, {
      url: req.url,
      method: req.method,
      // the probe's own User-Agent, as FetchProber sends it (WAF rules see it)
      headers: { 'user-agent': userAgent, ...(req.headers ?? {}) },
      country,
      clientIp,
    });
    return { status: res.status, headers: res.headers, body: res.body };
  }
}

/**
 * The scenario's `requests` stand for what the access logs show. Given the world, each carries the response
 * fields its log record would have (status, result types, content type, edge location), as the edge model
 * answers that viewer when the simulation starts.
 */
export class ScenarioRequestLog implements RequestLog {
  private readonly requests: readonly ViewerRequest[];

  constructor(
    requests: readonly ViewerRequest[],
    private readonly world?: World,
  ) {
    this.requests = world === undefined ? requests : requests.map((r) => withLogRecord(world, r));
  }

  /**
   * The scenario's requests. In an organization (issue 15) each distribution's logs hold only its own viewers:
   * requests another account's distribution serves are not in them.
   */
  async failingRequests(dist?: DistributionEvidence): Promise<ViewerRequest[]> {
    const world = this.world;
    if (world?.organization === undefined || dist === undefined) return structuredClone([...this.requests]);
    const servedByAnother = (r: ViewerRequest): boolean => {
      try {
        const found = lookupDistribution(world.edge, new URL(r.url).hostname);
        return found !== undefined && found.distribution.Id !== dist.Id;
      } catch {
        return false;
      }
    };
    return structuredClone(this.requests.filter((r) => !servedByAnother(r)));
  }
}

/** A viewer request with what its access-log record shows, answered by the edge model for that viewer. */
export function withLogRecord(world: World, r: ViewerRequest): ViewerRequest {
  if (r.logged !== undefined) return r;
  const country = r.country ?? world.probe.country;
  const res = respond(world.edge, {
    url: r.url,
    method: r.method,
    headers: r.headers,
    country,
    clientIp: r.clientIp ?? world.probe.clientIp,
  });
  return { ...r, logged: logRecordOf(res, country) };
}

/**
 * The workflow's access-log reader in a simulation: with `logs` in the scenario, the product's own reader
 * reads the log files and events the world delivered; without, the scenario's `requests` are the log.
 */
export function accessLogsOf(world: World, clients: AwsClients): RequestLog {
  // issue 15: in an organization the logs belong to the distribution's account, a member's section
  const members = world.organization?.scenario.accounts ?? [];
  if (world.initialScenario().logs === undefined && members.every((a) => a.logs === undefined))
    return new ScenarioRequestLog(world.initialScenario().requests, world);
  return new StandardLogRequestLog(clients.s3, { logs: async () => clients.logs });
}

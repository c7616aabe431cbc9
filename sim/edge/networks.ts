// Who a client address belongs to, for the IP-reputation signals of AWS WAF's managed rule groups: AWS's own
// address ranges (a few prefixes of the published list) and the scenario's facts about other networks.
import type { Scenario } from '../scenario/types.ts';
import { cidrContains } from './waf.ts';

/**
 * Prefixes of AWS's address space in us-east-1, where the workflow's Lambda functions (and so its probe) run.
 * From https://ip-ranges.amazonaws.com/ip-ranges.json (service EC2, region us-east-1); a subset is enough:
 * the simulated probe's default address lies in the first one.
 */
export const AWS_US_EAST_1_PREFIXES: readonly string[] = ['3.80.0.0/12', '44.192.0.0/11'];

/** The probe's default source address: an EC2 (Lambda) address of us-east-1. */
export const DEFAULT_PROBE_ADDRESS = '3.83.17.40';

export function isAwsAddress(ip: string): boolean {
  return AWS_US_EAST_1_PREFIXES.some((cidr) => cidrContains(cidr, ip));
}

/** What the scenario says about networks that no AWS API shows (`simulation.ipReputation`). */
export interface IpReputation {
  /** hosting and cloud providers (data centres), as AWSManagedRulesAnonymousIpList's HostingProviderIPList sees them */
  hostingProviders: readonly string[];
  /** VPNs, proxies, Tor exit nodes (AnonymousIPList) */
  anonymous: readonly string[];
  /** data centres Bot Control knows bots run from (SignalKnownBotDataCenter) */
  botDataCenters: readonly string[];
}

export function ipReputation(scenario: Scenario): IpReputation {
  const r = scenario.simulation?.ipReputation;
  return {
    hostingProviders: r?.hostingProviders ?? [],
    anonymous: r?.anonymous ?? [],
    botDataCenters: r?.botDataCenters ?? [],
  };
}

export function inAny(cidrs: readonly string[], ip: string): boolean {
  return cidrs.some((cidr) => cidrContains(cidr, ip));
}

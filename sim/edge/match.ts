// Which distribution a host name reaches, and which cache behavior a path selects.
import type { DistributionConfig } from '@aws-sdk/client-cloudfront';
import type { ScenarioDistribution } from '../scenario/types.ts';
import type { Behavior, EdgeView } from './types.ts';

function hostMatches(alias: string, host: string): boolean {
  const a = alias.toLowerCase();
  if (a.startsWith('*.')) {
    const suffix = a.slice(1);
    return (
      host.endsWith(suffix) && !host.slice(0, -suffix.length).includes('.') && host.length > suffix.length
    );
  }
  return a === host;
}

/** The distribution serving a host: its own *.cloudfront.net name, else an exact, then a wildcard alias. */
export function lookupDistribution(
  view: EdgeView,
  hostname: string,
): { distribution: ScenarioDistribution; config: DistributionConfig } | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  const distributions = view.scenario.cloudfront.distributions;
  const own = distributions.find((d) => d.DomainName.toLowerCase() === host);
  if (own !== undefined) return { distribution: own, config: view.deployedConfig(own.Id) };
  const withConfig = distributions.map((d) => ({ distribution: d, config: view.deployedConfig(d.Id) }));
  const aliases = (c: DistributionConfig): string[] => c.Aliases?.Items ?? [];
  return (
    withConfig.find((d) => aliases(d.config).some((a) => !a.startsWith('*.') && hostMatches(a, host))) ??
    withConfig.find((d) => aliases(d.config).some((a) => a.startsWith('*.') && hostMatches(a, host)))
  );
}

/** CloudFront path patterns: `*` any run of characters, `?` one character, case-sensitive, `/` optional in front. */
export function pathPatternMatches(pattern: string, path: string): boolean {
  const normalized = pattern.startsWith('/') || pattern.startsWith('*') ? pattern : `/${pattern}`;
  const source = normalized
    .split('')
    .map((ch) => (ch === '*' ? '.*' : ch === '?' ? '.' : ch.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 's').test(path);
}

/** First matching cache behavior in order, else the default behavior. */
export function matchBehavior(
  config: DistributionConfig,
  path: string,
): { behavior: Behavior; pattern: string } {
  for (const behavior of config.CacheBehaviors?.Items ?? []) {
    const pattern = behavior.PathPattern ?? '';
    if (pathPatternMatches(pattern, path)) return { behavior, pattern };
  }
  const fallback: Behavior = { TargetOriginId: undefined, ViewerProtocolPolicy: undefined };
  return { behavior: config.DefaultCacheBehavior ?? fallback, pattern: 'Default (*)' };
}

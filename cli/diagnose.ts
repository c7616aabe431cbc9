// `cf403 diagnose`: the workflow's collector and classifier, read-only, against a real or a simulated account.

import type { World } from '@cf403/simulator';
import type { Command } from 'commander';
import { type AwsClients, makeClient } from '../functions/adapters/clients.ts';
import { collectEvidence } from '../functions/adapters/collector.ts';
import type { Prober } from '../functions/adapters/prober.ts';
import {
  defaultRequests,
  type RequestLog,
  StandardLogRequestLog,
  StaticRequestLog,
} from '../functions/adapters/request-log.ts';
import { diagnose } from '../functions/domain/diagnose.ts';
import { describeProbe } from '../functions/domain/fingerprint.ts';
import type { Diagnosis, DistributionEvidence, ProbeResult } from '../functions/domain/types.ts';
import { clientSettings, resolveTarget, roleAccount } from './aws.ts';
import {
  type AwsOptionFlags,
  awsOptions,
  type CliDeps,
  checkScenarioFlags,
  oneAccount,
  READ_CLIENTS,
  type Run,
  roleOption,
} from './context.ts';
import { EXIT, UsageError } from './exit.ts';
import {
  type FailOn,
  failing,
  json,
  markdownTable,
  type OutputFlags,
  outputFormat,
  outputOptions,
  parseFailOn,
  writeReport,
} from './output.ts';
import { reportPartial } from './partial.ts';
import { callStatus, statusLine } from './progress.ts';
import { recordingClients } from './recorder.ts';
import { describeRefusal, type Refusal, refusals } from './refusals.ts';

export interface DiagnoseOptions {
  distributionId: string;
  urls: string[];
  region: string;
  /** where the failing requests come from (default: the URLs given, else the access logs) */
  requestLog?: RequestLog;
}

export interface DiagnoseResult {
  distributionId: string;
  /** the account the distribution belongs to (from its ARN) */
  account: string;
  domainName: string;
  status: string;
  diagnosis: Diagnosis;
  probes: ProbeResult[];
  /** sources that could not be read (access denied, throttled, ...) */
  unreadable: { api: string; target: string; code?: string }[];
}

/** The report `cf403 diagnose` prints: the result, and what AWS refused to show. */
export interface DiagnoseReport extends DiagnoseResult {
  /** some reads were refused: the diagnosis went on without them */
  partial: boolean;
  refused: Refusal[];
}

export class InvalidUrlError extends Error {
  override name = 'InvalidUrlError';
}

/** The ids CloudFront issues: upper-case letters and digits (E2QWRUHEXAMPLE). */
const DISTRIBUTION_ID = /^[A-Z0-9]{6,20}$/;

export function checkUrls(urls: readonly string[]): void {
  for (const u of urls) {
    if (!URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol))
      throw new InvalidUrlError(`--url ${u}: expected an http(s) URL`);
  }
}

export function checkDistributionId(id: string): void {
  if (DISTRIBUTION_ID.test(id)) return;
  const hint = id.includes('.')
    ? ' (that is a domain name: `cf403 scan` lists each distribution with its id)'
    : ' (an id looks like E2QWRUHEXAMPLE)';
  throw new UsageError(`--distribution-id ${id}: not a CloudFront distribution id${hint}`);
}

/** The log's requests; the site root and default root object when it has none or cannot be read. */
export function requestsOrDefaults(log: RequestLog): RequestLog {
  return {
    failingRequests: async (dist: DistributionEvidence) => {
      try {
        const requests = await log.failingRequests(dist);
        return requests.length > 0 ? requests : defaultRequests(dist);
      } catch {
        // a refused log read is reported with the other refusals; the probes still run
        return defaultRequests(dist);
      }
    },
  };
}

export async function runDiagnose(
  clients: AwsClients,
  prober: Prober,
  opts: DiagnoseOptions,
): Promise<DiagnoseResult> {
  checkUrls(opts.urls);
  const requestLog: RequestLog =
    opts.requestLog ??
    (opts.urls.length > 0
      ? new StaticRequestLog(opts.urls.map((url) => ({ url, method: 'GET' })))
      : new StandardLogRequestLog(clients.s3));
  const ev = await collectEvidence(clients, prober, requestLog, {
    distributionId: opts.distributionId,
    account: '',
    region: opts.region,
  });
  return {
    distributionId: ev.distribution.Id,
    account: ev.account,
    domainName: ev.distribution.DomainName,
    status: ev.distribution.Status,
    diagnosis: diagnose(ev),
    probes: ev.probes,
    unreadable: ev.calls.filter((c) => !c.ok).map(({ api, target, code }) => ({ api, target, code })),
  };
}

function verdict(r: DiagnoseResult): string {
  if (r.diagnosis.causes.length > 0) return '';
  return r.diagnosis.reproduced
    ? 'The 403s reproduce, but no known cause explains them: escalate with the evidence above.'
    : 'No 403 reproduces: nothing to fix.';
}

export function renderDiagnosis(r: DiagnoseResult | DiagnoseReport): string {
  const out = [`Distribution ${r.distributionId} (${r.domainName}, ${r.status})`, ''];
  for (const p of r.probes) out.push(`  ${describeProbe(p)}`);
  out.push('');
  if (r.diagnosis.causes.length === 0) out.push(verdict(r));
  r.diagnosis.causes.forEach((c, i) => {
    out.push(`${i + 1}. ${c.id} (${Math.round(c.confidence * 100)}%): ${c.summary}`);
    for (const e of c.evidence) out.push(`     · ${e}`);
  });
  const refused = 'refused' in r ? r.refused : [];
  if (refused.length > 0) {
    out.push('', 'PARTIAL: AWS refused these reads; the diagnosis went on without them:');
    for (const x of refused) out.push(`  - ${describeRefusal(x)}`);
  } else if (r.unreadable.length > 0) {
    out.push('', 'Could not read (the diagnosis went on without them):');
    for (const u of r.unreadable) out.push(`  - ${u.api} ${u.target}: ${u.code ?? 'error'}`);
  }
  return out.join('\n');
}

/** The report as Markdown, to paste into an incident ticket. */
export function renderDiagnosisMarkdown(r: DiagnoseReport): string {
  const out = [`## cf403 diagnose: \`${r.distributionId}\` (${r.domainName}, ${r.status})`, ''];
  if (r.partial)
    out.push('> **Partial:** AWS refused some reads (listed below); the diagnosis went on without them.', '');
  if (r.diagnosis.causes.length === 0) out.push(verdict(r));
  else {
    out.push(
      markdownTable(
        ['#', 'Cause', 'Confidence', 'Summary'],
        r.diagnosis.causes.map((c, i) => [
          String(i + 1),
          `\`${c.id}\``,
          `${Math.round(c.confidence * 100)}%`,
          c.summary,
        ]),
      ),
    );
    for (const [i, c] of r.diagnosis.causes.entries()) {
      out.push('', `**${i + 1}. ${c.id}**`, '', ...c.evidence.map((e) => `- ${e}`));
    }
  }
  if (r.probes.length > 0) {
    out.push('', '### Probes', '', ...r.probes.map((p) => `- ${describeProbe(p)}`));
  }
  if (r.refused.length > 0) {
    out.push(
      '',
      '### Refused by AWS',
      '',
      markdownTable(
        ['Action', 'Resource', 'Error'],
        r.refused.map((x) => [
          [x.action, ...(x.also ?? []).map((a) => a.action)].join(' or '),
          [x.resource, ...(x.also ?? []).map((a) => a.resource)].join(' or '),
          x.code,
        ]),
      ),
    );
  }
  return out.join('\n');
}

interface DiagnoseFlags extends AwsOptionFlags, OutputFlags {
  distributionId?: string;
  url?: string[];
  failOn?: string;
}

/** `--fail-on any` also fails on a 403 that reproduces without a known cause. */
export function diagnoseFails(r: DiagnoseResult, failOn: FailOn | undefined): boolean {
  if (failOn === undefined) return false;
  if (failOn.kind === 'any' && r.diagnosis.reproduced) return true;
  return failing(r.diagnosis.causes, failOn).length > 0;
}

/** The distribution of a scenario the operator means: the one named, or its only one. */
function scenarioDistribution(world: World, id: string | undefined): string {
  if (id !== undefined) return id;
  const ids = world.scenario.cloudfront.distributions.map((d) => d.Id);
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  throw new UsageError(
    `--distribution-id is required: the scenario has ${ids.length} distributions (${ids.join(', ')})`,
  );
}

/** The scenario's viewer requests to this distribution (its domain or an alias), as its access logs. */
function scenarioRequests(world: World, distributionId: string): RequestLog {
  const d = world.scenario.cloudfront.distributions.find((x) => x.Id === distributionId);
  const hosts = new Set([d?.DomainName, ...(d?.DistributionConfig.Aliases?.Items ?? [])]);
  const mine = world.scenario.requests.filter(
    (r) => URL.canParse(r.url) && hosts.has(new URL(r.url).hostname),
  );
  return requestsOrDefaults(new StaticRequestLog(structuredClone(mine)));
}

export function registerDiagnose(program: Command, run: Run, deps: CliDeps): void {
  const command = program
    .command('diagnose')
    .description('diagnose one distribution, read-only: its configuration, origins, WAF, and live probes')
    .option(
      '--distribution-id <id>',
      'the CloudFront distribution id (with --scenario: its only one by default)',
    )
    .option(
      '--url <url...>',
      'failing URLs to probe (default: the access logs, else / and the default root object)',
    )
    .option('--scenario <file>', 'diagnose a simulated account (scenario JSON) instead of AWS')
    .option('--fail-on <level>', "exit 4 when a cause is found: 'any', or a minimum confidence such as 0.7");
  awsOptions(command);
  roleOption(command);
  outputOptions(command);
  command.action(async (opts: DiagnoseFlags) => {
    run.command = 'diagnose';
    // Everything about the input is checked before anything is read.
    const format = outputFormat(opts);
    const failOn = opts.failOn === undefined ? undefined : parseFailOn(opts.failOn);
    checkScenarioFlags(opts);
    const urls = opts.url ?? [];
    checkUrls(urls);
    if (opts.distributionId !== undefined) checkDistributionId(opts.distributionId);

    let clients: AwsClients;
    let prober: Prober;
    let requestLog: (c: AwsClients) => RequestLog;
    let region: string;
    let distributionId: string;
    if (opts.scenario !== undefined) {
      const sim = await deps.simulator();
      const world = new sim.World(oneAccount(sim.loadScenario(opts.scenario), opts.scenario));
      distributionId = scenarioDistribution(world, opts.distributionId);
      run.account = world.account;
      clients = await deps.scenarioClients(world);
      prober = new sim.EdgeProber(world);
      requestLog = () => scenarioRequests(world, distributionId);
      region = world.region;
    } else {
      if (opts.distributionId === undefined)
        throw new UsageError('--distribution-id is required (or --scenario FILE for a simulated account)');
      distributionId = opts.distributionId;
      const target = await resolveTarget(opts, deps.env, undefined, 'diagnose');
      run.target = target;
      // --role-arn: the role's account is the one read (refusals name it before any ARN is seen)
      if (target.role) run.account = roleAccount(target.role.arn);
      clients = await deps.awsClients(target, READ_CLIENTS);
      prober = deps.prober();
      // standard logging v2 in CloudWatch Logs is read with the same profile, endpoint and role
      const settings = clientSettings(target);
      let logs: ReturnType<typeof makeClient<'logs'>> | undefined;
      requestLog = (c) =>
        requestsOrDefaults(
          new StandardLogRequestLog(c.s3, {
            logs: () => (logs ??= makeClient('logs', 'us-east-1', settings)),
          }),
        );
      region = target.region;
    }

    const status = statusLine(deps.stderr, format !== 'json');
    const recorder = recordingClients(clients, callStatus(status));
    run.calls = recorder.calls;
    const watched: Prober = {
      probe: (req) => {
        status.set(`probing ${req.method} ${req.url}`);
        return prober.probe(req);
      },
    };
    status.set(`reading distribution ${distributionId}`);
    let result: DiagnoseResult;
    try {
      result = await runDiagnose(recorder.clients, watched, {
        distributionId,
        urls,
        region,
        requestLog:
          urls.length > 0
            ? new StaticRequestLog(urls.map((url) => ({ url, method: 'GET' })))
            : requestLog(recorder.clients),
      });
    } finally {
      status.done();
    }
    const refused = refusals(recorder.calls, deps.namer, { account: result.account, region });
    const report: DiagnoseReport = { ...result, partial: refused.length > 0, refused };
    writeReport(
      format === 'json'
        ? json(report)
        : format === 'markdown'
          ? renderDiagnosisMarkdown(report)
          : renderDiagnosis(report),
      opts,
      deps,
    );
    reportPartial('diagnose', refused, deps.stderr);
    run.exitCode = diagnoseFails(result, failOn) ? EXIT.FOUND : EXIT.DONE;
  });
}

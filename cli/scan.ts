// `cf403 scan`: audits every distribution of the account (or of a simulated one) for latent 403 causes.
import { type Command, InvalidArgumentError } from 'commander';
import type { AwsClients } from '../functions/adapters/clients.ts';
import {
  SCAN_DEFAULTS,
  type ScanOptions,
  type ScanProgress,
  type ScanReport,
  type ScanResult,
  scanAccount,
} from '../functions/adapters/scan.ts';
import { resolveTarget, roleAccount } from './aws.ts';
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
import { CliError, EXIT } from './exit.ts';
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
import type { TtyLike } from './progress.ts';
import { recordingClients } from './recorder.ts';
import { describeRefusal, type Refusal, refusals } from './refusals.ts';

/** Scans with the defaults (8 workers, 10 CloudFront calls a second, 6 attempts on throttling). */
export function runScan(clients: AwsClients, options: ScanOptions): Promise<ScanResult> {
  return scanAccount(clients, options);
}

/** The report `cf403 scan` prints: the scan, and what AWS refused to show. */
export interface ScanCliReport extends ScanReport {
  /** some reads were refused or some distributions could not be audited */
  partial: boolean;
  refused: Refusal[];
}

/** The `--output json` document. */
export function scanJson(result: ScanReport, refused: Refusal[] = []): ScanCliReport {
  return {
    distributions: result.distributions,
    scanned: result.scanned,
    failed: result.failed,
    seconds: result.seconds,
    partial: refused.length > 0 || result.failed > 0,
    refused,
  };
}

function pad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

/** Distribution → latent causes, one line per cause, then a one-line summary. */
export function renderScanTable(report: ScanReport): string {
  const rows: [string, string, string][] = [];
  for (const d of report.distributions) {
    if (d.error !== undefined) {
      rows.push([d.id, d.domainName, `not scanned: ${d.error}`]);
      continue;
    }
    if (d.causes.length === 0) continue;
    d.causes.forEach((c, i) => {
      rows.push([
        i === 0 ? d.id : '',
        i === 0 ? d.domainName : '',
        `${c.id} (${c.confidence.toFixed(2)}): ${c.summary}`,
      ]);
    });
  }
  const withCauses = report.distributions.filter((d) => d.causes.length > 0).length;
  const summary = `${report.scanned + report.failed} distributions, ${report.scanned} scanned in ${report.seconds.toFixed(1)} s: ${withCauses} with latent 403 causes, ${report.failed} failed`;
  const refused = 'refused' in report ? (report as ScanCliReport).refused : [];
  const tail =
    refused.length > 0
      ? ['', 'PARTIAL: AWS refused these reads:', ...refused.map((r) => `  - ${describeRefusal(r)}`)]
      : [];
  if (rows.length === 0) return [`No latent 403 causes found.`, summary, ...tail].join('\n');
  const head: [string, string, string] = ['DISTRIBUTION', 'DOMAIN', 'LATENT CAUSE (confidence): summary'];
  const w0 = Math.max(head[0].length, ...rows.map((r) => r[0].length));
  const w1 = Math.max(head[1].length, ...rows.map((r) => r[1].length));
  const line = (r: [string, string, string]) => `${pad(r[0], w0)}  ${pad(r[1], w1)}  ${r[2]}`.trimEnd();
  return [line(head), ...rows.map(line), '', summary, ...tail].join('\n');
}

/** One line redrawn in place: `[#####-----] 120/500`. The total may still grow while pages arrive. */
export function progressLine(p: ScanProgress, width = 30): string {
  const total = Math.max(p.total, p.done, 1);
  const filled = Math.round((p.done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total}${p.listed ? '' : '+'} distributions`;
}

/** A progress bar on the stream when it is a terminal; nothing otherwise (logs, pipes, CI). */
export function progressBar(stream: TtyLike): { update: (p: ScanProgress) => void; done: () => void } {
  if (!stream.isTTY) return { update: () => {}, done: () => {} };
  let drawn = false;
  return {
    update: (p) => {
      stream.write(`\r${progressLine(p)}`);
      drawn = true;
    },
    done: () => {
      if (drawn) stream.write('\r\x1b[2K');
    },
  };
}

function positive(flag: string, integer: boolean) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`${flag} must be a positive ${integer ? 'integer' : 'number'}`);
    }
    return n;
  };
}

/** The scan as Markdown, to paste into a ticket. */
export function renderScanMarkdown(report: ScanCliReport): string {
  const withCauses = report.distributions.filter((d) => d.causes.length > 0);
  const out = [
    `## cf403 scan: ${report.scanned + report.failed} distributions, ${withCauses.length} with latent 403 causes`,
    '',
  ];
  if (report.partial)
    out.push('> **Partial:** some reads were refused or some distributions could not be audited.', '');
  const rows = withCauses.flatMap((d) =>
    d.causes.map((c) => [`\`${d.id}\``, d.domainName, `\`${c.id}\``, c.confidence.toFixed(2), c.summary]),
  );
  out.push(
    rows.length > 0
      ? markdownTable(['Distribution', 'Domain', 'Latent cause', 'Confidence', 'Summary'], rows)
      : 'No latent 403 causes found.',
  );
  const failed = report.distributions.filter((d) => d.error !== undefined);
  if (failed.length > 0) {
    out.push(
      '',
      '### Not scanned',
      '',
      markdownTable(
        ['Distribution', 'Domain', 'Why'],
        failed.map((d) => [`\`${d.id}\``, d.domainName, d.error ?? '']),
      ),
    );
  }
  if (report.refused.length > 0) {
    out.push(
      '',
      '### Refused by AWS',
      '',
      markdownTable(
        ['Action', 'Resource', 'Error'],
        report.refused.map((r) => [r.action, r.resource, r.code]),
      ),
    );
  }
  out.push('', `Scanned in ${report.seconds.toFixed(1)} s.`);
  return out.join('\n');
}

interface ScanFlags extends AwsOptionFlags, OutputFlags {
  concurrency: number;
  rate: number;
  failOn?: string;
}

export function scanFails(report: ScanReport, failOn: FailOn | undefined): boolean {
  return report.distributions.some((d) => failing(d.causes, failOn).length > 0);
}

export function registerScan(program: Command, run: Run, deps: CliDeps): void {
  const command = program.command('scan');
  command
    .description(
      'read-only audit of every distribution for latent 403 causes (configuration only, no probes)',
    )
    .option('--scenario <file>', 'scan a simulated account (scenario JSON) instead of AWS')
    .option(
      '--concurrency <n>',
      'distributions audited at once',
      positive('--concurrency', true),
      SCAN_DEFAULTS.concurrency,
    )
    .option(
      '--rate <n>',
      'CloudFront API calls per second',
      positive('--rate', false),
      SCAN_DEFAULTS.ratePerSecond,
    )
    .option(
      '--fail-on <level>',
      "exit 4 when a latent cause is found: 'any', or a minimum confidence such as 0.7",
    );
  awsOptions(command);
  roleOption(command);
  outputOptions(command);
  command.action(async (opts: ScanFlags) => {
    run.command = 'scan';
    const format = outputFormat(opts);
    const failOn = opts.failOn === undefined ? undefined : parseFailOn(opts.failOn);
    checkScenarioFlags(opts);
    let clients: AwsClients;
    let region: string;
    // the account of refused resources' ARNs: AWS's message names it on a real account
    let account = '';
    if (opts.scenario !== undefined) {
      const sim = await deps.simulator();
      const world = new sim.World(oneAccount(sim.loadScenario(opts.scenario), opts.scenario));
      clients = await deps.scenarioClients(world);
      region = world.region;
      account = world.account;
      run.account = account;
    } else {
      const target = await resolveTarget(opts, deps.env, undefined, 'scan');
      run.target = target;
      // --role-arn: the role's account is the one scanned
      if (target.role) {
        account = roleAccount(target.role.arn) ?? '';
        run.account = account;
      }
      clients = await deps.awsClients(target, READ_CLIENTS);
      region = target.region;
    }
    const recorder = recordingClients(clients);
    run.calls = recorder.calls;
    const bar = progressBar(format === 'json' ? { write: () => true } : deps.stderr);
    let result: ScanResult;
    try {
      result = await runScan(recorder.clients, {
        region,
        concurrency: opts.concurrency,
        ratePerSecond: opts.rate,
        onProgress: bar.update,
      });
    } finally {
      bar.done();
    }
    const refused = refusals(recorder.calls, deps.namer, { account, region });
    const report = scanJson(result, refused);
    writeReport(
      format === 'json'
        ? json(report)
        : format === 'markdown'
          ? renderScanMarkdown(report)
          : renderScanTable(report),
      opts,
      deps,
    );
    if (result.scanned === 0 && result.failed > 0) {
      // nothing could be audited: the essential reads failed
      const why =
        refused.length > 0
          ? refused.map((r) => `  ${describeRefusal(r)}`).join('\n')
          : `  ${result.distributions[0]?.error ?? ''}`;
      throw new CliError(
        `none of the ${result.failed} distributions could be audited:\n${why}\nNext: give the caller the permissions in docs/policies/scan.json.`,
        EXIT.REFUSED,
      );
    }
    reportPartial('scan', refused, deps.stderr);
    run.exitCode = scanFails(result, failOn) ? EXIT.FOUND : EXIT.DONE;
  });
}

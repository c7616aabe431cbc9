// `cf403 scan`: audits every distribution of the account (or of a simulated one) for latent 403 causes.
import { type Command, InvalidArgumentError } from 'commander';
import { type AwsClients, createAwsClients } from '../functions/adapters/clients.ts';
import {
  SCAN_DEFAULTS,
  ScanError,
  type ScanOptions,
  type ScanProgress,
  type ScanReport,
  type ScanResult,
  scanAccount,
} from '../functions/adapters/scan.ts';
import { simulatedClients } from '../sim/runner/simulate.ts';
import { loadScenario } from '../sim/scenario/load.ts';
import { World } from '../sim/world/index.ts';

/** SDK clients answered by a simulated account. */
/** Clients answered by a simulated account (`--scenario`). */
export const worldClients = simulatedClients;

/** Scans with the defaults (8 workers, 10 CloudFront calls a second, 6 attempts on throttling). */
export function runScan(clients: AwsClients, options: ScanOptions): Promise<ScanResult> {
  return scanAccount(clients, options);
}

/** The `--json` document. */
export function scanJson(result: ScanReport): ScanReport {
  return {
    distributions: result.distributions,
    scanned: result.scanned,
    failed: result.failed,
    seconds: result.seconds,
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
  if (rows.length === 0) return `No latent 403 causes found.\n${summary}`;
  const head: [string, string, string] = ['DISTRIBUTION', 'DOMAIN', 'LATENT CAUSE (confidence): summary'];
  const w0 = Math.max(head[0].length, ...rows.map((r) => r[0].length));
  const w1 = Math.max(head[1].length, ...rows.map((r) => r[1].length));
  const line = (r: [string, string, string]) => `${pad(r[0], w0)}  ${pad(r[1], w1)}  ${r[2]}`.trimEnd();
  return [line(head), ...rows.map(line), '', summary].join('\n');
}

/** One line redrawn in place: `[#####-----] 120/500`. The total may still grow while pages arrive. */
export function progressLine(p: ScanProgress, width = 30): string {
  const total = Math.max(p.total, p.done, 1);
  const filled = Math.round((p.done / total) * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${p.done}/${p.total}${p.listed ? '' : '+'} distributions`;
}

interface TtyLike {
  isTTY?: boolean;
  write(text: string): unknown;
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

interface ScanCommandOptions {
  json?: boolean;
  region?: string;
  profile?: string;
  scenario?: string;
  concurrency: number;
  rate: number;
}

export function registerScan(program: Command): void {
  const command = program.command('scan');
  command
    .description(
      'read-only audit of every distribution for latent 403 causes (configuration only, no probes)',
    )
    .option('--json', 'print one JSON document')
    .option('--region <region>', 'region of the S3 buckets and KMS keys (default: AWS_REGION or us-east-1)')
    .option('--profile <profile>', 'AWS profile of the credentials')
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
    .action(async (opts: ScanCommandOptions) => {
      let clients: AwsClients;
      let region: string;
      if (opts.scenario !== undefined) {
        const world = new World(loadScenario(opts.scenario));
        clients = worldClients(world);
        region = world.region;
      } else {
        // The default credential chain reads AWS_PROFILE when the clients are made.
        if (opts.profile !== undefined) process.env.AWS_PROFILE = opts.profile;
        region = opts.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1';
        clients = await createAwsClients(region, ['cloudfront', 's3', 's3control', 'kms', 'wafv2']);
      }
      const bar = progressBar(process.stderr);
      let result: ScanResult;
      try {
        result = await runScan(clients, {
          region,
          concurrency: opts.concurrency,
          ratePerSecond: opts.rate,
          onProgress: bar.update,
        });
      } catch (err) {
        // Listing failed (credentials, permissions): one line, not a stack trace.
        if (err instanceof ScanError)
          command.error(`cf403: ${err.message}`, { exitCode: 1, code: 'cf403.scan' });
        throw err;
      } finally {
        bar.done();
      }
      process.stdout.write(
        opts.json ? `${JSON.stringify(scanJson(result), null, 2)}\n` : `${renderScanTable(result)}\n`,
      );
    });
}

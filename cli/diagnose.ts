// `cf403 diagnose`: the workflow's collector and classifier, read-only, against a real account.
import type { Command } from 'commander';
import type { AwsClients } from '../functions/adapters/clients.ts';
import { collectEvidence } from '../functions/adapters/collector.ts';
import type { Prober } from '../functions/adapters/prober.ts';
import {
  type RequestLog,
  StandardLogRequestLog,
  StaticRequestLog,
} from '../functions/adapters/request-log.ts';
import { diagnose } from '../functions/domain/diagnose.ts';
import { describeProbe } from '../functions/domain/fingerprint.ts';
import type { Diagnosis, ProbeResult } from '../functions/domain/types.ts';

export interface DiagnoseOptions {
  distributionId: string;
  urls: string[];
  region: string;
}

export interface DiagnoseResult {
  distributionId: string;
  domainName: string;
  status: string;
  diagnosis: Diagnosis;
  probes: ProbeResult[];
  /** sources that could not be read (access denied, throttled, ...) */
  unreadable: { api: string; target: string; code?: string }[];
}

export class InvalidUrlError extends Error {
  override name = 'InvalidUrlError';
}

export async function runDiagnose(
  clients: AwsClients,
  prober: Prober,
  opts: DiagnoseOptions,
): Promise<DiagnoseResult> {
  for (const u of opts.urls) {
    if (!URL.canParse(u) || !/^https?:$/.test(new URL(u).protocol))
      throw new InvalidUrlError(`--url ${u}: expected an http(s) URL`);
  }
  const requestLog: RequestLog =
    opts.urls.length > 0
      ? new StaticRequestLog(opts.urls.map((url) => ({ url, method: 'GET' })))
      : new StandardLogRequestLog(clients.s3);
  const ev = await collectEvidence(clients, prober, requestLog, {
    distributionId: opts.distributionId,
    account: '',
    region: opts.region,
  });
  return {
    distributionId: ev.distribution.Id,
    domainName: ev.distribution.DomainName,
    status: ev.distribution.Status,
    diagnosis: diagnose(ev),
    probes: ev.probes,
    unreadable: ev.calls.filter((c) => !c.ok).map(({ api, target, code }) => ({ api, target, code })),
  };
}

export function renderDiagnosis(r: DiagnoseResult): string {
  const out = [`Distribution ${r.distributionId} (${r.domainName}, ${r.status})`, ''];
  for (const p of r.probes) out.push(`  ${describeProbe(p)}`);
  out.push('');
  if (r.diagnosis.causes.length === 0) {
    out.push(
      r.diagnosis.reproduced
        ? 'The 403s reproduce, but no known cause explains them: escalate with the evidence above.'
        : 'No 403 reproduces: nothing to fix.',
    );
  }
  r.diagnosis.causes.forEach((c, i) => {
    out.push(`${i + 1}. ${c.id} (${Math.round(c.confidence * 100)}%): ${c.summary}`);
    for (const e of c.evidence) out.push(`     · ${e}`);
  });
  if (r.unreadable.length > 0) {
    out.push('', 'Could not read (the diagnosis went on without them):');
    for (const u of r.unreadable) out.push(`  - ${u.api} ${u.target}: ${u.code ?? 'error'}`);
  }
  return out.join('\n');
}

export function registerDiagnose(
  program: Command,
  deps: () => Promise<{ clients: (region: string) => Promise<AwsClients>; prober: Prober }>,
): void {
  program
    .command('diagnose')
    .description(
      'diagnose a real distribution, read-only (default credential chain; honours AWS_ENDPOINT_URL)',
    )
    .requiredOption('--distribution-id <id>', 'the CloudFront distribution id')
    .option(
      '--url <url...>',
      'failing URLs to probe (default: the access logs, else / and the default root object)',
    )
    .option('--region <region>', 'region of the origin buckets', process.env.AWS_REGION ?? 'us-east-1')
    .option('--profile <profile>', 'named profile of the shared AWS config')
    .option('--json', 'print one JSON object')
    .action(
      async (opts: {
        distributionId: string;
        url?: string[];
        region: string;
        profile?: string;
        json?: boolean;
      }) => {
        if (opts.profile) process.env.AWS_PROFILE = opts.profile;
        const d = await deps();
        const result = await runDiagnose(await d.clients(opts.region), d.prober, {
          distributionId: opts.distributionId,
          urls: opts.url ?? [],
          region: opts.region,
        });
        process.stdout.write(
          opts.json ? `${JSON.stringify(result, null, 2)}\n` : `${renderDiagnosis(result)}\n`,
        );
      },
    );
}

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../../cli/exit.ts';
import { progressBar, progressLine, renderScanTable } from '../../../cli/scan.ts';
import type { ScanReport } from '../../../functions/adapters/scan.ts';
import type { Scenario } from '../../../sim/scenario/types.ts';
import { cli } from '../cli/fake-aws.ts';

const SCENARIO = fileURLToPath(new URL('../../scenarios/origin-access-missing.json', import.meta.url));

async function stdoutOf(args: string[]): Promise<string> {
  return (await cli(args)).stdout;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('cf403 scan --scenario', () => {
  it('prints one JSON document with the latent causes per distribution', async () => {
    const doc = JSON.parse(await stdoutOf(['scan', '--scenario', SCENARIO, '--json']));
    expect(Object.keys(doc).sort()).toEqual([
      'distributions',
      'failed',
      'partial',
      'refused',
      'scanned',
      'seconds',
    ]);
    expect(doc.scanned).toBe(1);
    expect(doc.failed).toBe(0);
    expect(doc.distributions[0].id).toBe('E2QWRUHEXAMPLE');
    expect(doc.distributions[0].causes[0]).toMatchObject({ id: 'ORIGIN_ACCESS_MISSING', latent: true });
  });

  it('prints a table without --json', async () => {
    const out = await stdoutOf(['scan', '--scenario', SCENARIO]);
    expect(out).toMatch(/^DISTRIBUTION\s+DOMAIN\s+LATENT CAUSE/);
    expect(out).toMatch(/E2QWRUHEXAMPLE\s+d111111abcdef8\.cloudfront\.net\s+ORIGIN_ACCESS_MISSING \(0\.76\)/);
    expect(out).toMatch(/1 distributions, 1 scanned in [\d.]+ s: 1 with latent 403 causes, 0 failed/);
  });

  it('refuses a rate that is not a positive number', async () => {
    const r = await cli(['scan', '--rate', '0']);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/--rate must be a positive number/);
  });
});

describe('renderScanTable', () => {
  const report: ScanReport = {
    distributions: [
      { id: 'E1', domainName: 'd1.cloudfront.net', causes: [] },
      {
        id: 'E2',
        domainName: 'd2.cloudfront.net',
        causes: [
          { id: 'DISTRIBUTION_DISABLED', confidence: 0.776, summary: 'disabled', evidence: [], latent: true },
          { id: 'SIGNED_URL_REQUIRED', confidence: 0.68, summary: 'signed', evidence: [], latent: true },
        ],
      },
      { id: 'E3', domainName: 'd3.cloudfront.net', causes: [], error: 'GetDistribution E3: AccessDenied' },
    ],
    scanned: 2,
    failed: 1,
    seconds: 1.234,
  };

  it('lists each cause under its distribution, failures too, and leaves healthy ones out', () => {
    expect(renderScanTable(report).split('\n')).toEqual([
      'DISTRIBUTION  DOMAIN             LATENT CAUSE (confidence): summary',
      'E2            d2.cloudfront.net  DISTRIBUTION_DISABLED (0.78): disabled',
      '                                 SIGNED_URL_REQUIRED (0.68): signed',
      'E3            d3.cloudfront.net  not scanned: GetDistribution E3: AccessDenied',
      '',
      '3 distributions, 2 scanned in 1.2 s: 1 with latent 403 causes, 1 failed',
    ]);
  });

  it('says so when nothing was found', () => {
    const clean: ScanReport = { distributions: [], scanned: 0, failed: 0, seconds: 0 };
    expect(renderScanTable(clean)).toMatch(/^No latent 403 causes found\./);
  });
});

describe('progress', () => {
  it('draws the share done, with + while the listing is still paging', () => {
    expect(progressLine({ done: 5, total: 10, listed: false }, 10)).toBe('[#####-----] 5/10+ distributions');
    expect(progressLine({ done: 10, total: 10, listed: true }, 10)).toBe('[##########] 10/10 distributions');
  });

  it('writes nothing when the stream is not a terminal, and clears its line when it is', () => {
    const pipe = { isTTY: false, write: vi.fn() };
    const bar = progressBar(pipe);
    bar.update({ done: 1, total: 2, listed: true });
    bar.done();
    expect(pipe.write).not.toHaveBeenCalled();
    const tty = { isTTY: true, write: vi.fn() };
    const live = progressBar(tty);
    live.update({ done: 1, total: 2, listed: true });
    live.done();
    expect(tty.write.mock.calls.map((c) => c[0])).toEqual([
      `\r${progressLine({ done: 1, total: 2, listed: true })}`,
      '\r\x1b[2K',
    ]);
  });
});

describe('cf403 scan against an account it cannot list', () => {
  it('says why in one line instead of a stack trace, naming the action; exit 3', async () => {
    const denied = fileURLToPath(new URL('../../scenarios/fault-update-denied.json', import.meta.url));
    const doc = JSON.parse(readFileSync(denied, 'utf-8')) as Scenario;
    doc.simulation = { faults: [{ api: 'ListDistributions', error: 'AccessDenied', times: 1 }] };
    const file = join(mkdtempSync(join(tmpdir(), 'cf403-scan-')), 'denied.json');
    writeFileSync(file, JSON.stringify(doc));
    const r = await cli(['scan', '--scenario', file]);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stderr).toMatch(
      /^cf403: AWS refused cloudfront:ListDistributions on \* \(AccessDenied\); cf403 scan cannot go on without it\.\n/,
    );
  });
});

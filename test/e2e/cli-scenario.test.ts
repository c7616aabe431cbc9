// `diagnose` and `scan` against a simulated account (--scenario): the same code path as on AWS, its output
// formats, partial runs, --fail-on and progress; `pending`/`approve` against a simulated Systems Manager.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EXIT } from '../../cli/exit.ts';
import { main } from '../../cli/main.ts';
import { simulatedClients } from '../../sim/runner/simulate.ts';
import { loadScenario } from '../../sim/scenario/load.ts';
import type { Fault, Scenario } from '../../sim/scenario/types.ts';
import { worldWithApproval } from '../../tools/cli-policies.ts';
import { cli, STACK_FRAME } from '../unit/cli/fake-aws.ts';
import { SCENARIO_DIR } from './helpers.ts';

const dir = mkdtempSync(join(tmpdir(), 'cf403-cli-scenario-'));
const GRANT_MISSING = `${SCENARIO_DIR}bucket-policy-grant-missing.json`;
const HEALTHY = `${SCENARIO_DIR}healthy-oai.json`;

/** A copy of a scenario file with faults injected, written to a temporary file. */
function withFaults(file: string, faults: Fault[]): string {
  const sc = JSON.parse(readFileSync(file, 'utf-8')) as Scenario;
  sc.simulation = { ...sc.simulation, faults };
  const path = join(dir, `faults-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, JSON.stringify(sc));
  return path;
}

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('cf403 diagnose --scenario', () => {
  it('prints the diagnosis as a table by default; exit 0 without --fail-on', async () => {
    const r = await cli(['diagnose', '--scenario', GRANT_MISSING]);
    expect(r.code).toBe(EXIT.DONE);
    expect(r.stdout).toMatch(/^Distribution E2QWRUHEXAMPLE \(d111111abcdef8\.cloudfront\.net, Deployed\)/);
    expect(r.stdout).toMatch(/1\. BUCKET_POLICY_GRANT_MISSING \(\d+%\)/);
    expect(r.stderr).toBe('');
  });

  it('prints one JSON document with --json, --output json the same', async () => {
    const a = await cli(['diagnose', '--scenario', GRANT_MISSING, '--json']);
    const b = await cli(['diagnose', '--scenario', GRANT_MISSING, '--output', 'json']);
    const doc = JSON.parse(a.stdout) as Record<string, unknown>;
    expect(doc).toMatchObject({
      distributionId: 'E2QWRUHEXAMPLE',
      account: '111122223333',
      partial: false,
      refused: [],
    });
    expect((doc.diagnosis as { causes: { id: string }[] }).causes[0]?.id).toBe('BUCKET_POLICY_GRANT_MISSING');
    // the same report but for the request ids in the probed bodies
    expect(JSON.parse(b.stdout).diagnosis).toEqual(doc.diagnosis);
  });

  it('prints Markdown for an incident ticket', async () => {
    const r = await cli(['diagnose', '--scenario', GRANT_MISSING, '--output', 'markdown']);
    expect(r.code).toBe(EXIT.DONE);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('## cf403 diagnose: `E2QWRUHEXAMPLE` (d111111abcdef8.cloudfront.net, Deployed)');
    expect(lines).toContain('| # | Cause | Confidence | Summary |');
    expect(r.stdout).toMatch(/\| 1 \| `BUCKET_POLICY_GRANT_MISSING` \| \d+% \|/);
    expect(r.stdout).toMatch(/### Probes\n\n- probe GET /);
  });

  it('writes the report to --out, nothing to stdout', async () => {
    const file = join(dir, 'report.md');
    const r = await cli(['diagnose', '--scenario', GRANT_MISSING, '--output', 'markdown', '--out', file]);
    expect(r.code).toBe(EXIT.DONE);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`cf403: report written to ${file}\n`);
    expect(readFileSync(file, 'utf-8')).toMatch(/^## cf403 diagnose/);
    const bad = await cli([
      'diagnose',
      '--scenario',
      GRANT_MISSING,
      '--out',
      join(dir, 'no', 'such', 'dir.txt'),
    ]);
    expect(bad.code).toBe(EXIT.USAGE);
    expect(bad.stderr).toMatch(/--out .*dir\.txt: cannot write the report: ENOENT/);
  });

  it('--fail-on exits 4 when a cause reaches the level, 0 when none does', async () => {
    expect((await cli(['diagnose', '--scenario', GRANT_MISSING, '--fail-on', 'any'])).code).toBe(EXIT.FOUND);
    expect((await cli(['diagnose', '--scenario', GRANT_MISSING, '--fail-on', '0.5'])).code).toBe(EXIT.FOUND);
    expect((await cli(['diagnose', '--scenario', GRANT_MISSING, '--fail-on', '1'])).code).toBe(EXIT.DONE);
    expect((await cli(['diagnose', '--scenario', HEALTHY, '--fail-on', 'any'])).code).toBe(EXIT.DONE);
  });

  it('a refused read: the run goes on, says partial on stderr and in the output, naming action and resource', async () => {
    const file = withFaults(GRANT_MISSING, [
      { api: 'GetBucketOwnershipControls', error: 'AccessDenied', times: 5 },
    ]);
    const r = await cli(['diagnose', '--scenario', file, '--json', '--fail-on', 'any']);
    // keeps the code of what it found
    expect(r.code).toBe(EXIT.FOUND);
    const doc = JSON.parse(r.stdout) as {
      partial: boolean;
      refused: unknown[];
      diagnosis: { causes: { id: string }[] };
    };
    expect(doc.partial).toBe(true);
    expect(doc.refused).toEqual([
      {
        action: 's3:GetBucketOwnershipControls',
        resource: 'arn:aws:s3:::example-site',
        code: 'AccessDenied',
        operation: 'GetBucketOwnershipControls',
      },
    ]);
    expect(doc.diagnosis.causes[0]?.id).toBe('BUCKET_POLICY_GRANT_MISSING');
    expect(r.stderr).toBe(
      [
        'cf403: partial: AWS refused 1 read; the diagnosis went on without it:',
        '  s3:GetBucketOwnershipControls on arn:aws:s3:::example-site (AccessDenied)',
        'Next: grant the permissions in docs/policies/diagnose.json for a complete report.',
        '',
      ].join('\n'),
    );
    const table = await cli(['diagnose', '--scenario', file]);
    expect(table.code).toBe(EXIT.DONE);
    expect(table.stdout).toMatch(
      /PARTIAL: AWS refused these reads; the diagnosis went on without them:\n {2}- s3:GetBucketOwnershipControls on arn:aws:s3:::example-site \(AccessDenied\)/,
    );
  });

  it('GetDistribution refused is not partial: nothing to diagnose without it; exit 3', async () => {
    const file = withFaults(GRANT_MISSING, [{ api: 'GetDistribution', error: 'AccessDenied', times: 1 }]);
    const r = await cli(['diagnose', '--scenario', file]);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^cf403: AWS refused cloudfront:GetDistribution on arn:aws:cloudfront::111122223333:distribution\/E2QWRUHEXAMPLE \(AccessDenied\)/,
    );
    expect(r.stderr).not.toMatch(STACK_FRAME);
  });

  it('says what it is checking while it waits, on a terminal only, never with JSON', async () => {
    const tty = await cli(['diagnose', '--scenario', GRANT_MISSING], { tty: true });
    expect(tty.stderr).toContain('\r\x1b[2Kreading distribution E2QWRUHEXAMPLE');
    expect(tty.stderr).toMatch(/checking cloudfront GetDistribution E2QWRUHEXAMPLE \(0\/1 reads done\)/);
    expect(tty.stderr).toMatch(/checking s3 GetBucketPolicy example-site/);
    expect(tty.stderr).toMatch(/probing GET https:\/\//);
    // the line is cleared before the report
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect((await cli(['diagnose', '--scenario', GRANT_MISSING], { tty: false })).stderr).toBe('');
    expect((await cli(['diagnose', '--scenario', GRANT_MISSING, '--json'], { tty: true })).stderr).toBe('');
  });

  it('needs --distribution-id when the scenario has several', async () => {
    const r = await cli([
      'diagnose',
      '--scenario',
      `${SCENARIO_DIR}distribution-disabled-second-distribution.json`,
    ]);
    expect(r.code).toBe(EXIT.USAGE);
    expect(r.stderr).toMatch(/--distribution-id is required: the scenario has 2 distributions/);
  });
});

describe('cf403 scan --scenario', () => {
  it('table, JSON and Markdown of the same scan', async () => {
    const table = await cli(['scan', '--scenario', GRANT_MISSING]);
    expect(table.code).toBe(EXIT.DONE);
    expect(table.stdout).toMatch(/^DISTRIBUTION\s+DOMAIN\s+LATENT CAUSE/);
    const doc = JSON.parse((await cli(['scan', '--scenario', GRANT_MISSING, '--json'])).stdout);
    expect(doc).toMatchObject({ scanned: 1, failed: 0, partial: false, refused: [] });
    const md = (await cli(['scan', '--scenario', GRANT_MISSING, '--output', 'markdown'])).stdout;
    expect(md).toMatch(/^## cf403 scan: 1 distributions, 1 with latent 403 causes/);
    expect(md).toMatch(
      /\| `E2QWRUHEXAMPLE` \| d111111abcdef8\.cloudfront\.net \| `BUCKET_POLICY_GRANT_MISSING` \|/,
    );
  });

  it('--fail-on any: 4 with a latent cause, 0 on a healthy account', async () => {
    expect((await cli(['scan', '--scenario', GRANT_MISSING, '--fail-on', 'any'])).code).toBe(EXIT.FOUND);
    expect((await cli(['scan', '--scenario', HEALTHY, '--fail-on', 'any'])).code).toBe(EXIT.DONE);
  });

  it('a refused read makes the scan partial, and it keeps the code of what it found', async () => {
    const file = withFaults(GRANT_MISSING, [{ api: 'GetBucketWebsite', error: 'AccessDenied', times: 5 }]);
    const r = await cli(['scan', '--scenario', file, '--json', '--fail-on', 'any']);
    expect(r.code).toBe(EXIT.FOUND);
    expect(JSON.parse(r.stdout)).toMatchObject({
      partial: true,
      refused: [
        { action: 's3:GetBucketWebsite', resource: 'arn:aws:s3:::example-site', code: 'AccessDenied' },
      ],
    });
    expect(r.stderr).toMatch(/^cf403: partial: AWS refused 1 read; the scan went on without it:/);
  });

  it('no distribution readable: the report, then exit 3 naming what was refused', async () => {
    const file = withFaults(GRANT_MISSING, [{ api: 'GetDistribution', error: 'AccessDenied', times: 9 }]);
    const r = await cli(['scan', '--scenario', file]);
    expect(r.code).toBe(EXIT.REFUSED);
    expect(r.stdout).toMatch(/not scanned/);
    expect(r.stderr).toMatch(
      /^cf403: none of the 1 distributions could be audited:\n {2}cloudfront:GetDistribution on arn:aws:cloudfront::111122223333:distribution\/E2QWRUHEXAMPLE \(AccessDenied\)/,
    );
  });

  it('shows progress on a terminal only, and not with --json', async () => {
    expect((await cli(['scan', '--scenario', GRANT_MISSING], { tty: true })).stderr).toMatch(
      /\r\[#+\] 1\/1 distributions/,
    );
    expect((await cli(['scan', '--scenario', GRANT_MISSING, '--json'], { tty: true })).stderr).toBe('');
    expect((await cli(['scan', '--scenario', GRANT_MISSING], { tty: false })).stderr).toBe('');
  });
});

describe('pending and approve against a simulated Systems Manager', () => {
  async function run(world: Awaited<ReturnType<typeof worldWithApproval>>['world'], args: string[]) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(args, {
      awsClients: async () => simulatedClients(world, { step: 'cli' }),
      stdout: { write: (s: string) => out.push(s) },
      stderr: { isTTY: false, write: (s: string) => err.push(s) },
      env: {},
    });
    return { code, stdout: out.join(''), stderr: err.join('') };
  }

  it('lists the waiting remediation in each format, and records the decision', async () => {
    const { world, execution } = await worldWithApproval(loadScenario(GRANT_MISSING));
    const name = execution.split(':').pop() ?? '';
    const table = await run(world, ['pending']);
    expect(table.code).toBe(EXIT.DONE);
    expect(table.stdout).toMatch(new RegExp(`^${name}  E2QWRUHEXAMPLE  since `));
    const [item] = JSON.parse((await run(world, ['pending', '--json'])).stdout) as { executionId: string }[];
    expect(item?.executionId).toBe(execution);
    expect((await run(world, ['pending', '--output', 'markdown'])).stdout).toMatch(
      /^## cf403 pending: 1 remediation waiting for approval\n\n\| Execution \| Distribution/,
    );
    const approved = await run(world, ['approve', name, '--comment', 'looks right', '--json']);
    expect(approved.code).toBe(EXIT.DONE);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      decision: 'approved',
      executionId: execution,
      distributionId: 'E2QWRUHEXAMPLE',
      comment: 'looks right',
    });
    expect((await run(world, ['pending'])).stdout).toBe('No remediation is waiting for approval.\n');
  });
});

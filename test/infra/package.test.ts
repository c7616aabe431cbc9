// The cf403 package as a CDK user installs it: `npm pack`, unpacked into a fresh app's node_modules beside
// nothing but its declared dependencies, then imported by a JavaScript app (synthesized) and a TypeScript app
// (type-checked against the shipped declarations). The simulator (AGPL) must be neither needed nor reachable.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STEP_FOLDERS, STEPS } from '../../lib/workflow/steps.ts';
import { permissive, runtimeTree } from './licences.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

interface PackedManifest {
  name: string;
  exports: Record<string, unknown>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

let work: string;
let app: string;
let packed: PackedManifest;
let packedFiles: string[];

function listFiles(dir: string, base = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    return e.isDirectory() ? listFiles(p, base) : [p.slice(base.length + 1)];
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'cf403-consumer-'));
  // what prepack runs (dist/: the construct's JavaScript, declarations and step bundles), then the pack alone,
  // so that nothing but npm's JSON is on stdout
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const out = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const [info] = JSON.parse(out) as { filename: string }[];
  if (!info) throw new Error('npm pack reported no tarball');
  app = join(work, 'app');
  const installed = join(app, 'node_modules', 'cf403');
  mkdirSync(installed, { recursive: true });
  execFileSync('tar', ['-xzf', join(work, info.filename), '-C', installed, '--strip-components=1']);
  packed = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as PackedManifest;
  packedFiles = listFiles(installed);
  // "npm install": the package's declared dependencies, and nothing else, from this repository's install
  const declared = Object.keys({ ...packed.dependencies, ...packed.peerDependencies });
  for (const name of [...declared, 'typescript', '@types/node']) {
    const link = join(app, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
}, 240_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the packed cf403 library', () => {
  it('ships the construct, its declarations and one bundle per step, and no simulator', () => {
    expect(packed.name).toBe('cf403');
    expect(packedFiles).toContain('dist/lib/index.js');
    expect(packedFiles).toContain('dist/lib/index.d.ts');
    for (const step of STEPS)
      expect(packedFiles, step).toContain(`dist/assets/${STEP_FOLDERS[step]}/index.mjs`);
    expect(packedFiles.filter((f) => f.endsWith('/index.mjs'))).toHaveLength(STEPS.length);
    expect(packedFiles.filter((f) => f.startsWith('sim/') || f.startsWith('test/'))).toEqual([]);
    const deps = Object.keys({
      ...packed.dependencies,
      ...packed.peerDependencies,
      ...packed.optionalDependencies,
    });
    expect(deps.filter((d) => d.startsWith('@cloud-copilot/') || d === '@cf403/simulator')).toEqual([]);
    const bundled = packedFiles
      .filter((f) => f.endsWith('.mjs'))
      .map((f) => readFileSync(join(app, 'node_modules', 'cf403', f), 'utf8'));
    expect(
      bundled.filter((code) => code.includes('@cloud-copilot') || code.includes('iam-simulate')),
    ).toEqual([]);
  });

  it('every package of its runtime tree has a licence that is not GPL, LGPL, AGPL or SSPL', () => {
    const { packages, missing } = runtimeTree(join(app, 'node_modules', 'cf403'));
    expect(missing).toEqual([]);
    expect(packages.map((p) => p.name)).toContain('aws-cdk-lib');
    expect(packages.filter((p) => p.licence === '')).toEqual([]);
    expect(
      packages.filter((p) => !permissive(p.licence)).map((p) => `${p.name}@${p.version}: ${p.licence}`),
    ).toEqual([]);
  });

  it("a CDK app imports { CloudFront403Remediation } from 'cf403' and synthesizes with the prebuilt bundles", () => {
    const outdir = join(work, 'cdk.out');
    writeFileSync(
      join(app, 'app.mjs'),
      `import { App, Stack } from 'aws-cdk-lib';
import { Distribution } from 'aws-cdk-lib/aws-cloudfront';
import { EventBus } from 'aws-cdk-lib/aws-events';
import { Role } from 'aws-cdk-lib/aws-iam';
import { CloudFront403Member, CloudFront403Remediation } from 'cf403';
const app = new App({ outdir: ${JSON.stringify(outdir)} });
const stack = new Stack(app, 'Site', { env: { account: '123456789012', region: 'us-east-1' } });
const site = Distribution.fromDistributionAttributes(stack, 'Site', {
  distributionId: 'E2QWRUHEXAMPLE',
  domainName: 'd111111abcdef8.cloudfront.net',
});
const remediation = new CloudFront403Remediation(stack, 'Remediation', {
  distributions: [site],
  members: { organizationId: 'o-a1b2c3d4e5', accounts: ['222222222222'] },
});
// a member account of an organization: the role the hub's steps assume, and the alarm forwarding
const member = new Stack(app, 'Member', { env: { account: '222222222222', region: 'us-east-1' } });
new CloudFront403Member(member, 'Member', {
  hubEventBus: EventBus.fromEventBusArn(member, 'Hub', 'arn:aws:events:us-east-1:123456789012:event-bus/default'),
  hubStepRoles: remediation.hubStepRoleArns.map((arn, i) => Role.fromRoleArn(member, 'Step' + i, arn)),
  organizationId: 'o-a1b2c3d4e5',
  hubAccount: '123456789012',
});
const assembly = app.synth();
const memberTemplate = assembly.getStackByName('Member').template;
const template = assembly.getStackByName('Site').template;
const types = Object.values(template.Resources).map((r) => r.Type);
process.stdout.write(JSON.stringify({
  functions: types.filter((t) => t === 'AWS::Lambda::Function').length,
  stateMachines: types.filter((t) => t === 'AWS::StepFunctions::StateMachine').length,
  alarms: types.filter((t) => t === 'AWS::CloudWatch::Alarm').length,
  stateMachineName: remediation.stateMachine.node.id,
  memberRoles: Object.values(memberTemplate.Resources).filter((r) => r.Type === 'AWS::IAM::Role' && r.Properties.RoleName === 'cf403-member').length,
}));
`,
    );
    const run = spawnSync(process.execPath, ['app.mjs'], { cwd: app, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    const summary = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(summary.functions).toBeGreaterThanOrEqual(STEPS.length);
    expect(summary.stateMachines).toBe(1);
    expect(summary.alarms).toBe(1);
    expect(summary.memberRoles).toBe(1);
    // the steps' code comes from the package's bundles, staged as assets (no esbuild run in the user's app)
    const staged = readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    const bundles = staged.filter((d) => readdirSync(join(outdir, d)).includes('index.mjs'));
    expect(bundles).toHaveLength(STEPS.length);
  }, 120_000);

  it('a TypeScript app type-checks against the shipped declarations, and a wrong prop is an error', () => {
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'nodenext',
          moduleResolution: 'nodenext',
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          types: ['node'],
        },
        files: ['app.ts'],
      }),
    );
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'site', private: true, type: 'module' }));
    const source = (timeout: string) => `import { App, Duration, Stack } from 'aws-cdk-lib';
import { CloudFront403Remediation, type CloudFront403RemediationProps } from 'cf403';
const app = new App();
const stack = new Stack(app, 'Site');
const props: CloudFront403RemediationProps = {
  approvalTimeout: ${timeout},
  scope: { kind: 'distributions', distributionIds: ['E2QWRUHEXAMPLE'] },
};
new CloudFront403Remediation(stack, 'Remediation', props);
`;
    const tsc = join(ROOT, 'node_modules', '.bin', 'tsc');
    writeFileSync(join(app, 'app.ts'), source('Duration.hours(4)'));
    const good = spawnSync(tsc, ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(good.stdout + good.stderr).toBe('');
    expect(good.status).toBe(0);
    writeFileSync(join(app, 'app.ts'), source("'four hours'"));
    const bad = spawnSync(tsc, ['-p', 'tsconfig.json'], { cwd: app, encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/app\.ts\(6,\d+\).*'string' is not assignable to type 'Duration'/);
  }, 120_000);

  it("the package's command line says it runs from a clone: nothing AGPL is loaded or needed", () => {
    const run = spawnSync(
      process.execPath,
      [join(app, 'node_modules', 'cf403', 'bin', 'cf403.js'), 'simulate'],
      {
        cwd: app,
        encoding: 'utf8',
      },
    );
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/runs from a clone of the cf403 repository/);
  });
});

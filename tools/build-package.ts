// `npm run build` (and `npm pack` through prepack): the cf403 library as an npm package would ship it.
// - dist/lib, dist/functions: JavaScript and declarations of the construct (tsc, tsconfig.build.json);
// - dist/assets/<step>/index.mjs: each step's Lambda bundle, built here once with the options the construct's
//   NodejsFunction uses, so a CDK app that installs cf403 synthesizes without esbuild or Docker.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { STEP_BUNDLING, stepEntry } from '../lib/workflow/step-function.ts';
import { STEP_FOLDERS, STEPS } from '../lib/workflow/steps.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DIST = join(ROOT, 'dist');

export class PackageBuildError extends Error {
  override name = 'PackageBuildError';
}

export async function buildPackage(): Promise<void> {
  rmSync(DIST, { recursive: true, force: true });
  try {
    execFileSync(join(ROOT, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.build.json'], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  } catch (cause) {
    throw new PackageBuildError('tsc -p tsconfig.build.json failed', { cause });
  }
  for (const step of STEPS) {
    await build({
      entryPoints: [stepEntry(step)],
      outfile: join(DIST, 'assets', STEP_FOLDERS[step], 'index.mjs'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: STEP_BUNDLING.target,
      mainFields: [...STEP_BUNDLING.mainFields],
      banner: { js: STEP_BUNDLING.banner },
      minify: true,
      sourcemap: true,
      external: [...STEP_BUNDLING.externalModules],
      logLevel: 'warning',
    });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildPackage();
  process.stdout.write(`built ${DIST}\n`);
}

// Item 4: every step's Lambda bundle, built with the options the CDK app gives esbuild
// (lib/workflow/step-function.ts), its size, and its cold start in a fresh Node.js process against an
// empty handler bundled the same way.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Metafile } from 'esbuild';
import { median } from './stats.ts';

// Copied from lib/workflow/step-function.ts (not exported there): ESM output needs `require` back
// for CommonJS dependencies that esbuild leaves as require calls.
const ESM_REQUIRE_BANNER =
  "import { createRequire as __cf403CreateRequire } from 'node:module'; const require = __cf403CreateRequire(import.meta.url);";

/** NodejsFunction's bundling props in StepLambda, as esbuild options. */
function cdkOptions(entry: string, outfile: string, external: string[] = ['@aws-sdk/*']) {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node' as const,
    format: 'esm' as const,
    target: 'node22',
    mainFields: ['module', 'main'],
    banner: { js: ESM_REQUIRE_BANNER },
    minify: true,
    sourcemap: true,
    // The runtime provides AWS SDK v3.
    external,
    metafile: true,
    logLevel: 'silent' as const,
  };
}

export interface BundleResult {
  step: string;
  /** minified index.mjs */
  bytes: number;
  /** gzip of index.mjs, close to what the deployment zip holds */
  gzipBytes: number;
  mapBytes: number;
  /** the three biggest contributors (package or first-party folder), bytes in the output */
  largest: { module: string; bytes: number }[];
  coldStartMs: number;
  runs: number;
}

export interface Alternative {
  name: string;
  bytes: number;
  gzipBytes: number;
  coldStartMs: number;
}

export interface BundleBench {
  emptyColdStartMs: number;
  emptyBytes: number;
  /** an empty handler that makes the steps' SDK clients (createAwsClients): what loading the SDK costs */
  sdkOnlyColdStartMs: number;
  bundles: BundleResult[];
  /** other bundling choices for the collect step, measured the same way */
  alternatives: Alternative[];
}

/** `@scope/pkg` or `pkg` for node_modules inputs, else the first-party folder (`functions/domain`). */
export function moduleOf(input: string): string {
  const nm = input.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const parts = input.slice(nm + 'node_modules/'.length).split('/');
    return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1] ?? ''}` : (parts[0] ?? input);
  }
  return input.split('/').slice(0, 2).join('/');
}

export function largestModules(meta: Metafile, top = 3): { module: string; bytes: number }[] {
  const sizes = new Map<string, number>();
  for (const out of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
      const m = moduleOf(input);
      sizes.set(m, (sizes.get(m) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes]
    .map(([module, bytes]) => ({ module, bytes }))
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, top);
}

/** The environment the CDK app gives each step, with stand-in resources and credentials (never used). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'BENCH',
  AWS_SECRET_ACCESS_KEY: 'BENCH',
  AWS_EC2_METADATA_DISABLED: 'true',
  POWERTOOLS_SERVICE_NAME: 'cf403',
  POWERTOOLS_LOG_LEVEL: 'INFO',
  NODE_OPTIONS: '--enable-source-maps',
  CF403_ARTIFACT_BUCKET: 'cf403-bench-artifacts',
  CF403_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:cf403-bench',
};

/** A fresh process that loads the bundle and invokes its handler once with an input it refuses. */
export function coldStartMs(bundle: string, runs: number): number {
  const script = `import(${JSON.stringify(pathToFileURL(bundle).href)}).then((m) => m.handler(null)).catch(() => {});`;
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
      env: { PATH: process.env.PATH ?? '', ...LAMBDA_ENV },
      encoding: 'utf-8',
      timeout: 60_000,
    });
    const ms = performance.now() - t;
    if (r.status !== 0)
      throw new Error(`cold start of ${bundle} exited ${r.status}: ${r.stderr.slice(0, 500)}`);
    walls.push(ms);
  }
  return median(walls);
}

async function bundle(
  entry: string,
  dir: string,
  external?: string[],
): Promise<{ file: string; meta: Metafile }> {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'index.mjs');
  const result = await build(cdkOptions(entry, file, external));
  if (!result.metafile) throw new Error(`esbuild gave no metafile for ${entry}`);
  return { file, meta: result.metafile };
}

/** Step folders under functions/steps that have a handler. */
export function stepFolders(root: string): string[] {
  const steps = join(root, 'functions', 'steps');
  return readdirSync(steps)
    .filter((d) => statSync(join(steps, d)).isDirectory() && existsSync(join(steps, d, 'handler.ts')))
    .sort();
}

/**
 * Bundles go under node_modules/.cache so that the @aws-sdk packages left out of them resolve, as the
 * runtime's own copy does in Lambda.
 */
export async function benchBundles(root: string, runs: number): Promise<BundleBench> {
  const out = join(root, 'node_modules', '.cache', 'cf403', 'bench-bundles');
  rmSync(out, { recursive: true, force: true });
  const baseDir = join(out, '_baselines');
  mkdirSync(baseDir, { recursive: true });
  const emptyEntry = join(baseDir, 'empty.ts');
  writeFileSync(emptyEntry, 'export const handler = async (_event: unknown) => ({});\n');
  const sdkEntry = join(baseDir, 'sdk-only.ts');
  writeFileSync(
    sdkEntry,
    `import { createAwsClients } from ${JSON.stringify(join(root, 'functions', 'adapters', 'clients.ts'))};\n` +
      "export const handler = async (_event: unknown) => { await createAwsClients('us-east-1'); return {}; };\n",
  );
  const empty = await bundle(emptyEntry, join(baseDir, 'empty'));
  const sdkOnly = await bundle(sdkEntry, join(baseDir, 'sdk-only'));
  // Warm the file system cache (the SDK's files above all) before anything is timed.
  coldStartMs(empty.file, 1);
  coldStartMs(sdkOnly.file, 1);
  const emptyColdStartMs = coldStartMs(empty.file, runs);
  const sdkOnlyColdStartMs = coldStartMs(sdkOnly.file, runs);

  const bundles: BundleResult[] = [];
  for (const step of stepFolders(root)) {
    const b = await bundle(join(root, 'functions', 'steps', step, 'handler.ts'), join(out, step));
    const code = readFileSync(b.file);
    bundles.push({
      step,
      bytes: code.length,
      gzipBytes: gzipSync(code).length,
      mapBytes: statSync(`${b.file}.map`).size,
      largest: largestModules(b.meta),
      coldStartMs: coldStartMs(b.file, runs),
      runs,
    });
  }

  // The choice the CDK app makes (SDK left to the runtime) against bundling the SDK in.
  const withSdk = await bundle(
    join(root, 'functions', 'steps', 'collect', 'handler.ts'),
    join(out, '_collect-sdk'),
    [],
  );
  const withSdkCode = readFileSync(withSdk.file);
  coldStartMs(withSdk.file, 1);
  const alternatives: Alternative[] = [
    {
      name: 'collect, @aws-sdk bundled in',
      bytes: withSdkCode.length,
      gzipBytes: gzipSync(withSdkCode).length,
      coldStartMs: coldStartMs(withSdk.file, runs),
    },
  ];
  // Issue 14: Powertools Tracer earns its place only if its cold-start cost is worth it: the collect step with
  // the tracer set up (X-Ray segments, the SDK clients captured), bundled and measured the same way.
  const tracedEntry = join(baseDir, 'collect-traced.ts');
  writeFileSync(
    tracedEntry,
    "import { Tracer } from '@aws-lambda-powertools/tracer';\n" +
      `import { handler as collect } from ${JSON.stringify(join(root, 'functions', 'steps', 'collect', 'handler.ts'))};\n` +
      "const tracer = new Tracer({ serviceName: 'cf403' });\n" +
      'export const handler = async (event: unknown) => { tracer.annotateColdStart(); return collect(event); };\n',
  );
  const traced = await bundle(tracedEntry, join(out, '_collect-traced'));
  const tracedCode = readFileSync(traced.file);
  coldStartMs(traced.file, 1);
  alternatives.push({
    name: 'collect, with Powertools Tracer',
    bytes: tracedCode.length,
    gzipBytes: gzipSync(tracedCode).length,
    coldStartMs: coldStartMs(traced.file, runs),
  });
  return {
    emptyColdStartMs,
    emptyBytes: statSync(empty.file).size,
    sdkOnlyColdStartMs,
    bundles,
    alternatives,
  };
}

// The state machine exactly as the CDK app synthesizes it, resolved to plain ASL for the local run.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Asl = {
  StartAt: string;
  States: Record<string, Record<string, unknown>>;
  [k: string]: unknown;
};

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export class TemplateError extends Error {
  override name = 'TemplateError';
}

/** Resolves `Fn::Join` / `Fn::GetAtt` / `Ref` in a DefinitionString with stand-in values. */
export function resolveDefinitionString(
  value: unknown,
  account = '111122223333',
  region = 'us-east-1',
): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (typeof v !== 'object' || v === null)
      throw new TemplateError(`unexpected DefinitionString part ${JSON.stringify(v)}`);
    const o = v as Record<string, unknown>;
    if ('Fn::Join' in o) {
      const [sep, parts] = o['Fn::Join'] as [string, unknown[]];
      return parts.map(render).join(sep);
    }
    if ('Fn::GetAtt' in o) {
      const [logicalId] = o['Fn::GetAtt'] as [string, string];
      return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
    }
    if ('Ref' in o) {
      const ref = o.Ref as string;
      if (ref === 'AWS::Partition') return 'aws';
      if (ref === 'AWS::Region') return region;
      if (ref === 'AWS::AccountId') return account;
      if (ref === 'AWS::URLSuffix') return 'amazonaws.com';
      return ref;
    }
    throw new TemplateError(`unsupported intrinsic in DefinitionString: ${Object.keys(o).join(',')}`);
  };
  return render(value);
}

export function definitionFromTemplate(template: {
  Resources?: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}): Asl {
  const machines = Object.values(template.Resources ?? {}).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1)
    throw new TemplateError(`expected one state machine in the template, found ${machines.length}`);
  const ds = machines[0]?.Properties?.DefinitionString;
  return JSON.parse(resolveDefinitionString(ds)) as Asl;
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (p.endsWith('.ts') || p.endsWith('.json')) out.push(p);
  }
  return out.sort();
}

/** Hash of everything that shapes the template, so a cached synthesis is never stale. */
function sourceHash(): string {
  const h = createHash('sha256');
  for (const f of [
    ...sourceFiles(join(ROOT, 'lib')),
    // the construct imports constants from the Lambda code (timeouts, function names)
    ...sourceFiles(join(ROOT, 'functions')),
    join(ROOT, 'cdk.json'),
    join(ROOT, 'package-lock.json'),
  ]) {
    h.update(relative(ROOT, f));
    h.update(readFileSync(f));
  }
  return h.digest('hex').slice(0, 16);
}

export type Template = Parameters<typeof definitionFromTemplate>[0];

/** The synthesized template and its state machine as plain ASL. */
export interface SynthesizedStack {
  asl: Asl;
  /** the CloudFormation template, tokens unresolved (resolved per simulated stack: sim/world/iam/roles.ts) */
  template: Template;
}

/**
 * The context the simulator deploys with: the explicit opt-in to the whole account (issue 12), so the roles may
 * change whatever distribution, bucket and key a scenario holds. Without a scope the stack may change nothing;
 * scoped deployments are simulated by passing their context (test/e2e/attacks.test.ts).
 */
export const SIMULATOR_CONTEXT: Readonly<Record<string, unknown>> = { 'cf403:scope': 'account' };

/**
 * A synthesis result cached in node_modules/.cache/cf403 per source hash, `kind` and context: synthesis takes
 * seconds, and test workers would otherwise each pay for it.
 */
export async function cachedSynthesis<T>(
  kind: string,
  context: Readonly<Record<string, unknown>>,
  make: (outdir: string) => Promise<T> | T,
): Promise<T> {
  const cacheDir = join(ROOT, 'node_modules', '.cache', 'cf403');
  const contextHash = createHash('sha256').update(JSON.stringify(context)).digest('hex').slice(0, 8);
  const cacheFile = join(cacheDir, `${kind}-${sourceHash()}-${contextHash}.json`);
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf-8')) as T;
  } catch {
    // not cached yet
  }
  const out = await make(join(tmpdir(), `cf403-synth-${process.pid}-${Date.now()}`));
  mkdirSync(cacheDir, { recursive: true });
  // Written whole then renamed: test workers synthesizing at once never read a half-written file.
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(out));
  renameSync(tmp, cacheFile);
  return out;
}

/**
 * Synthesizes the app (no bundling) with `context` and returns its template and state machine; cached per
 * source hash and context.
 */
export async function synthesizedStack(
  context: Readonly<Record<string, unknown>> = SIMULATOR_CONTEXT,
): Promise<SynthesizedStack> {
  return cachedSynthesis('stack', context, async (outdir) => {
    const { buildApp } = await import('../../lib/app.ts');
    const { app, stack } = buildApp({ bundle: false, outdir, context: { ...context } });
    const assembly = app.synth();
    const template = assembly.getStackByName(stack.stackName).template as Template;
    return { asl: definitionFromTemplate(template), template };
  });
}

/** The synthesized state machine as plain ASL (see synthesizedStack). */
export async function synthesizedDefinition(): Promise<Asl> {
  return (await synthesizedStack()).asl;
}

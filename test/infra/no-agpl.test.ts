// Nothing AGPL (the @cloud-copilot IAM simulator) or simulator code may reach a Lambda bundle.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { stepEntry } from '../../lib/workflow/step-function.ts';
import { STEPS } from '../../lib/workflow/steps.ts';
import { permissive, resolvePackage } from './licences.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const FUNCTIONS = join(ROOT, 'functions');
const SIM = join(ROOT, 'sim');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return /\.(m|c)?[jt]s$/.test(entry.name) ? [path] : [];
  });
}

/** Module specifiers of static imports, re-exports, dynamic imports and require calls. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"]*?\sfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const m of source.matchAll(pattern)) if (m[1]) found.push(m[1]);
  return found;
}

function forbidden(file: string, specifier: string): boolean {
  if (specifier.startsWith('@cloud-copilot/')) return true;
  if (!specifier.startsWith('.')) return false;
  const target = resolve(dirname(file), specifier);
  return target === SIM || target.startsWith(SIM + sep);
}

describe('Lambda code stays free of AGPL and simulator code', () => {
  it('no file under functions/ imports @cloud-copilot/* or sim/', () => {
    const files = sourceFiles(FUNCTIONS);
    expect(files.length).toBeGreaterThan(0);
    const offenders = files.flatMap((file) =>
      specifiers(readFileSync(file, 'utf8'))
        .filter((s) => forbidden(file, s))
        .map((s) => `${relative(ROOT, file)} imports ${s}`),
    );
    expect(offenders).toEqual([]);
  });

  it('the import scan recognises the forms it must catch', () => {
    const file = join(FUNCTIONS, 'steps', 'x', 'handler.ts');
    const source = [
      "import { simulate } from '@cloud-copilot/iam-simulate';",
      "export * from '../../../sim/world.ts';",
      "const m = await import('@cloud-copilot/iam-policy');",
    ].join('\n');
    expect(specifiers(source).filter((s) => forbidden(file, s))).toHaveLength(3);
  });

  it('no step bundle pulls in @cloud-copilot/* or sim/ transitively, nor any package not under a permissive licence', async () => {
    for (const step of STEPS) {
      const result = await build({
        entryPoints: [stepEntry(step)],
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        external: ['@aws-sdk/*'],
        write: false,
        metafile: true,
        logLevel: 'silent',
        absWorkingDir: ROOT,
      });
      const inputs = Object.keys(result.metafile.inputs);
      expect(inputs.length, step).toBeGreaterThan(0);
      expect(
        inputs.filter((input) => input.includes('node_modules/@cloud-copilot/') || input.startsWith('sim/')),
        step,
      ).toEqual([]);
      // every package whose code is in the bundle, by the licence its package.json declares
      const packages = new Set(
        inputs.flatMap((input) => {
          const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
          return m?.[1] ? [m[1]] : [];
        }),
      );
      expect(packages.size, step).toBeGreaterThan(0);
      const copyleft = [...packages].flatMap((name) => {
        const dir = resolvePackage(ROOT, name);
        if (!dir) return [`${name}: not found`];
        const { license } = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
          license?: unknown;
        };
        return typeof license === 'string' && permissive(license) ? [] : [`${name}: ${String(license)}`];
      });
      expect(copyleft, step).toEqual([]);
    }
  });
});

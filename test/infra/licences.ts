// The licences of a package's runtime dependency tree, resolved the way Node resolves them (nested node_modules
// first, then each parent's), with SPDX expressions judged by spdx-expression-parse.
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import parse from 'spdx-expression-parse';

/** Copyleft that must not reach a user's deployment: the GPL family (incl. LGPL and AGPL) and SSPL. */
const FORBIDDEN = /^(A|L)?GPL-|^SSPL-/;

export interface PackageLicence {
  name: string;
  version: string;
  dir: string;
  /** the `license` field as written ('' when the package has none) */
  licence: string;
}

interface Manifest {
  name?: string;
  version?: string;
  license?: unknown;
  licenses?: unknown;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

function manifest(dir: string): Manifest {
  return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Where Node would find `name` from a package at `fromDir`, or undefined. */
export function resolvePackage(fromDir: string, name: string): string | undefined {
  let dir = fromDir;
  for (;;) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return dirname(realpathSync(candidate));
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

function edges(m: Manifest): [string[], Set<string>] {
  const optional = new Set([
    ...Object.keys(m.optionalDependencies ?? {}),
    ...Object.entries(m.peerDependenciesMeta ?? {})
      .filter(([, meta]) => meta.optional)
      .map(([name]) => name),
  ]);
  return [Object.keys({ ...m.dependencies, ...m.optionalDependencies, ...m.peerDependencies }), optional];
}

function licenceText(m: Manifest): string {
  if (typeof m.license === 'string') return m.license;
  const legacy = m.license ?? m.licenses;
  const list = Array.isArray(legacy) ? legacy : legacy ? [legacy] : [];
  const types = list.map((l) => (l as { type?: unknown }).type).filter((t) => typeof t === 'string');
  return types.length > 1 ? `(${types.join(' OR ')})` : (types[0] ?? '');
}

/**
 * Every package the runtime needs from `rootDir`: its dependencies, optional and peer dependencies, and theirs.
 * Returns the tree and the required names that could not be found (optional ones may be absent).
 */
export function runtimeTree(rootDir: string): { packages: PackageLicence[]; missing: string[] } {
  const seen = new Map<string, PackageLicence>();
  const missing: string[] = [];
  const visit = (dir: string, names: string[], optional: ReadonlySet<string>) => {
    for (const name of names) {
      const found = resolvePackage(dir, name);
      if (!found) {
        if (!optional.has(name)) missing.push(name);
        continue;
      }
      if (seen.has(found)) continue;
      const m = manifest(found);
      seen.set(found, {
        name: m.name ?? name,
        version: m.version ?? '',
        dir: found,
        licence: licenceText(m),
      });
      visit(found, ...edges(m));
    }
  };
  visit(rootDir, ...edges(manifest(rootDir)));
  return { packages: [...seen.values()], missing };
}

type Node = ReturnType<typeof parse>;

/** True when the licence can be taken without copyleft: some choice of every OR avoids FORBIDDEN ids. */
export function permissive(expression: string): boolean {
  const ok = (node: Node): boolean => {
    if ('license' in node) return !FORBIDDEN.test(node.license);
    return node.conjunction === 'or' ? ok(node.left) || ok(node.right) : ok(node.left) && ok(node.right);
  };
  try {
    return ok(parse(expression));
  } catch {
    // not an SPDX expression (a file reference, "UNLICENSED", a typo): a person must look
    return false;
  }
}

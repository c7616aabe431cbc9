#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript CLI runs as-is (npm scripts and npx put Node 22 first on PATH).
// The command line runs from a clone of the repository; the published package carries the CDK construct only.
import { existsSync } from 'node:fs';

if (!existsSync(new URL('../cli/main.ts', import.meta.url))) {
  process.stderr.write(
    'cf403: the command line runs from a clone of the cf403 repository (npm ci, then npx cf403 ...); ' +
      "this installation carries the CDK construct (import { CloudFront403Remediation } from 'cf403')\n",
  );
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
await import('./cf403.ts');

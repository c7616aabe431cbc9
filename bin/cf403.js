#!/usr/bin/env node
// Launcher: registers tsx so the TypeScript CLI runs as-is (npm scripts and npx put Node 22 first on PATH).
import { register } from 'tsx/esm/api';

register();
await import('./cf403.ts');

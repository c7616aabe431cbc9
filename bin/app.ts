#!/usr/bin/env -S npx tsx
import { buildApp } from '../lib/app.ts';

buildApp({ bundle: true });

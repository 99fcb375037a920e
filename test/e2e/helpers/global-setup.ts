import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'vite';
import { REPO } from './server.js';

/**
 * The stories test the current sources: build the three web apps once before them (≈ 5 s) into
 * a private directory that the servers they start serve (FOODGRID_WEB_DIST) — other people's
 * rebuilds of dist/web in the shared tree then cannot swap the assets under a running story.
 */
export default async function setup() {
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'foodgrid-e2e-web-'));
  // Vitest sets NODE_ENV=test, which would give React's development build: build for production.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: path.join(REPO, 'vite.config.ts'), mode: 'production', logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  } finally {
    process.env.NODE_ENV = nodeEnv;
  }
  process.env.FOODGRID_WEB_DIST = outDir;
  return () => rmSync(outDir, { recursive: true, force: true });
}

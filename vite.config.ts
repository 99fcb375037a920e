import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * One Vite build, three apps (ARCHITECTURE "web"):
 *   web/console/index.html → dist/web/console/index.html, served at /      (staff console)
 *   web/mobile/index.html  → dist/web/mobile/index.html,  served at /m/    (field app, PWA)
 *   web/public/index.html  → dist/web/public/index.html,  served at /p/    (public portal)
 * Hashed bundles of all three land in dist/web/assets/ and are served at /assets/ (immutable).
 *
 * Unhashed files an app needs at a fixed URL (service worker, manifest, icons) live in
 * web/<app>/public/ and are copied by `appStaticFiles` below to dist/web/<prefix>/:
 *   web/mobile/public/sw.js               → dist/web/m/sw.js               → GET /m/sw.js (scope /m/)
 *   web/mobile/public/manifest.webmanifest → dist/web/m/manifest.webmanifest → GET /m/manifest.webmanifest
 * (Vite's single `publicDir` would put them at the site root, where a service worker's scope
 * would be the whole site, so it is switched off.) See web/shared/README.md.
 */
const here = path.dirname(fileURLToPath(import.meta.url));
const webRoot = path.join(here, 'web');

const APP_STATIC: Array<{ from: string; to: string }> = [
  { from: 'console/public', to: '' },
  { from: 'mobile/public', to: 'm' },
  { from: 'public/public', to: 'p' },
];

function walk(dir: string): string[] {
  let out: string[] = [];
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const n of names) {
    const p = path.join(dir, n);
    if (statSync(p).isDirectory()) out = out.concat(walk(p));
    else out.push(p);
  }
  return out;
}

function appStaticFiles(): Plugin {
  return {
    name: 'foodgrid-app-static-files',
    apply: 'build',
    generateBundle() {
      for (const { from, to } of APP_STATIC) {
        const dir = path.join(webRoot, from);
        for (const file of walk(dir)) {
          const rel = path.relative(dir, file).split(path.sep).join('/');
          this.emitFile({ type: 'asset', fileName: to ? `${to}/${rel}` : rel, source: readFileSync(file) });
        }
      }
    },
    // Gzipped copies next to the bundles: the server sends them to browsers that accept gzip
    // (@fastify/static `preCompressed`), so no compression work per request.
    writeBundle(options, bundle) {
      for (const name of Object.keys(bundle)) {
        if (!/\.(js|css|html|svg|json|webmanifest)$/.test(name)) continue;
        const file = path.join(options.dir!, name);
        const raw = readFileSync(file);
        if (raw.length < 1024) continue;
        writeFileSync(file + '.gz', gzipSync(raw, { level: 9 }));
      }
    },
  };
}

export default defineConfig(() => ({
  root: webRoot,
  base: '/',
  publicDir: false,
  plugins: [react(), appStaticFiles()],
  build: {
    outDir: path.join(here, 'dist/web'),
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1500,
    reportCompressedSize: false,
    rollupOptions: {
      input: {
        console: path.join(webRoot, 'console/index.html'),
        mobile: path.join(webRoot, 'mobile/index.html'),
        public: path.join(webRoot, 'public/index.html'),
      },
    },
  },
  // `npx vite` (dev server, port 5173) proxies the API to a server started with `npm start`.
  server: {
    proxy: {
      '/api': 'http://localhost:3000',
      '/open311': 'http://localhost:3000',
    },
  },
}));

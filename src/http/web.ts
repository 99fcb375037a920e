import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';

/**
 * Serves the three built web apps (see vite.config.ts for the layout of dist/web):
 *   /assets/*  hashed bundles of all apps — cached for a year, immutable;
 *   /m/…       the field app: files of web/mobile/public (sw.js, manifest…) else its index.html;
 *   /p/…       the public portal: files of web/public/public else its index.html;
 *   anything else that is not an API path → the staff console's index.html (client routing).
 * index.html, sw.js and the manifest are never cached, so a new build reaches users at once.
 * All these routes are public: the apps themselves sign in through the API.
 */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/**
 * dist/web by default. FOODGRID_WEB_DIST points a server at another build: the browser stories
 * use a private one, so a rebuild in the shared tree cannot swap assets under a running test.
 */
export const WEB_DIST = process.env.FOODGRID_WEB_DIST ? path.resolve(process.env.FOODGRID_WEB_DIST) : path.join(REPO_ROOT, 'dist/web');

export function webAppsBuilt(dist = WEB_DIST): boolean {
  return existsSync(path.join(dist, 'console/index.html'));
}

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_CACHE = 'no-cache';
/** Paths that belong to the server, never to a web app: unknown ones keep the JSON 404. */
const SERVER_PATHS = /^\/(api|open311)(\/|$)/;

interface App {
  prefix: string;
  /** Folder in dist/web holding index.html. */
  indexDir: string;
  /** Folder in dist/web holding the app's unhashed fixed-URL files. */
  filesDir: string;
}

const APPS: App[] = [
  { prefix: '/m/', indexDir: 'mobile', filesDir: 'm' },
  { prefix: '/p/', indexDir: 'public', filesDir: 'p' },
];
const CONSOLE: App = { prefix: '/', indexDir: 'console', filesDir: '' };

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/** A request path inside an app folder, or null when it tries to leave it. */
function safeRelative(rest: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rest);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const norm = path.posix.normalize('/' + decoded).slice(1);
  if (norm.startsWith('..') || norm.split('/').some((s) => s.startsWith('.'))) return null;
  return norm;
}

export function webApps(dist = WEB_DIST) {
  return async function registerWebApps(app: FastifyInstance) {
    if (!webAppsBuilt(dist)) {
      app.log.warn(`web apps not built in ${dist}: run \`npm run build:web\``);
    }
    await app.register(fastifyStatic, { root: dist, serve: false, preCompressed: true });

    const send = (reply: FastifyReply, rel: string, cacheControl: string) => {
      reply.header('cache-control', cacheControl);
      return reply.sendFile(rel, dist, { cacheControl: false });
    };

    const sendIndex = (reply: FastifyReply, a: App) => {
      const rel = `${a.indexDir}/index.html`;
      if (!isFile(path.join(dist, rel))) {
        return reply
          .status(503)
          .header('cache-control', NO_CACHE)
          .type('text/html; charset=utf-8')
          .send('<!doctype html><meta charset="utf-8"><title>食安网格</title><p>网页端尚未构建，请运行 <code>npm run build:web</code>。</p><p>The web apps are not built: run <code>npm run build:web</code>.</p>');
      }
      return send(reply, rel, NO_CACHE);
    };

    const page = (req: FastifyRequest, reply: FastifyReply) => {
      const url = req.url.split('?')[0];
      if (SERVER_PATHS.test(url)) return reply.callNotFound();
      const a = APPS.find((x) => url.startsWith(x.prefix)) ?? CONSOLE;
      const rest = safeRelative(url.slice(a.prefix.length));
      if (rest && !rest.endsWith('/')) {
        const rel = a.filesDir ? `${a.filesDir}/${rest}` : rest;
        // Only the app's own fixed-URL files; the index folders are not browsable.
        const inIndexDirs = /^(console|mobile|public|assets)\//.test(rel);
        if (!inIndexDirs && isFile(path.join(dist, rel))) return send(reply, rel, NO_CACHE);
      }
      // A path that looks like a file (has an extension) and is not there is a real 404.
      if (rest && /\.[a-z0-9]{1,12}$/i.test(rest) && !rest.endsWith('.html')) return reply.callNotFound();
      return sendIndex(reply, a);
    };

    const pub = { config: { public: true }, schema: { hide: true } } as const;

    app.get('/assets/*', pub, (req, reply) => {
      const rest = safeRelative((req.params as { '*': string })['*']);
      if (!rest || !isFile(path.join(dist, 'assets', rest))) return reply.callNotFound();
      return send(reply, `assets/${rest}`, IMMUTABLE);
    });
    // The service worker's scope is the folder it is served from: keep /m and /p inside theirs.
    app.get('/m', pub, (_req, reply) => reply.redirect('/m/'));
    app.get('/p', pub, (req, reply) => reply.redirect('/p/' + (req.url.includes('?') ? req.url.slice(req.url.indexOf('?')) : '')));
    app.get('/', pub, page);
    app.get('/*', pub, page);
  };
}

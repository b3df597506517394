/**
 * Serves the built admin console (dist/console, written by `npm run build`) at `/`, same origin as
 * the API:
 *  - files of the build: hashed assets (/assets/*) cached for a year, index.html never cached;
 *  - SPA fallback: any other GET or HEAD that accepts text/html and is not under /api, /health or
 *    /webhooks answers index.html, so deep links (/inboxes/…) reload fine (and `/` answers it to any
 *    Accept);
 *  - /api, /health and /webhooks are never touched: a 404 there stays the API's JSON 404.
 * Without a build (tests that never ran `npm run build`), HTML requests get a page saying so.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { static as serveStatic, type NextFunction, type Request, type RequestHandler, type Response } from 'express';

const API_PREFIXES = ['/api', '/health', '/webhooks'];

/** Whether the path belongs to the API (the prefix itself or anything below it). */
export function isApiPath(p: string): boolean {
  return API_PREFIXES.some((prefix) => p === prefix || p.startsWith(prefix + '/'));
}

/** The repository (or image) root: the nearest folder above this file holding a package.json. */
function packageRoot(from: string): string {
  let dir = from;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const up = path.dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

/** Where `npm run build` writes the console (console/vite.config.mts: build.outDir). */
export function consoleDistDir(): string {
  return path.join(packageRoot(__dirname), 'dist', 'console');
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>CX Platform console</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40rem;margin:3rem auto;padding:0 1rem">
<h1>CX Platform</h1>
<p>console not built: run <code>npm run build</code> (or <code>npm start</code>), then reload.</p>
<p>The API is up: <a href="/api/docs">API documentation</a> · <a href="/health">health</a>.</p>
</body></html>`;

/** `/` itself, or a page of the console a browser navigates to (other requests fall through to the API's 404). */
function wantsHtml(req: Request): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  return req.path === '/' || (!isApiPath(req.path) && (req.headers.accept ?? '').includes('text/html'));
}

/** Express middlewares, mounted before the Nest routes (app.factory.ts). */
export function serveConsole(dir: string = consoleDistDir()): RequestHandler[] {
  const index = path.join(dir, 'index.html');
  const files = serveStatic(dir, {
    index: false,
    fallthrough: true,
    setHeaders(res, file) {
      const rel = path.relative(dir, file);
      if (rel.startsWith('assets' + path.sep)) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable');
      else res.setHeader('Cache-Control', 'no-cache');
    },
  });
  return [
    (req: Request, res: Response, next: NextFunction) => (isApiPath(req.path) ? next() : files(req, res, next)),
    (req: Request, res: Response, next: NextFunction) => {
      if (!wantsHtml(req)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      // Read per request: a rebuild while the API runs is picked up, and the file is small.
      if (!fs.existsSync(index)) return void res.status(200).type('html').send(NOT_BUILT);
      res.sendFile(index);
    },
  ];
}

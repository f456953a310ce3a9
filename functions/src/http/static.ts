/**
 * Serves the built front-end apps beside the API on the local server: each app's H5 build under
 * its own path (`/patient/`, `/doctor/`; `/admin/` when that app exists). Plain node:
 * content types, no path outside an app's folder, hash-router SPA fallback to index.html,
 * long-lived caching for content-hashed assets and none for index.html (so a new build is seen
 * at once). Production serves these builds from a CDN instead; the Lambda never loads this file.
 */
import { createReadStream, type Stats } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FrontEndApp {
  /** URL path the app is served under, with both slashes: `/patient/`. */
  prefix: string;
  /** Absolute folder of its H5 build. */
  root: string;
  /** Shown when the build is missing. */
  buildCommand: string;
}

type Listener = (req: IncomingMessage, res: ServerResponse) => void;

const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

/** The apps the local server serves, in the order `npm start` prints them. */
export const FRONT_END_APPS: readonly FrontEndApp[] = [
  { prefix: '/patient/', root: path.join(REPO_ROOT, 'miniapp/dist/h5'), buildCommand: 'npm run build:h5 -w miniapp' },
  { prefix: '/doctor/', root: path.join(REPO_ROOT, 'miniapp/dist/h5-doctor'), buildCommand: 'npm run build:h5:doctor -w miniapp' },
];

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
};

/** Taro names its bundles `name.<8 hex>.js|css` (miniapp/config/index.ts): those never change. */
const HASHED_ASSET = /\.[0-9a-f]{8,}\.(js|css)$/;
const IMMUTABLE = 'public, max-age=31536000, immutable';

async function fileAt(file: string): Promise<Stats | undefined> {
  try {
    const stats = await stat(file);
    return stats.isFile() ? stats : undefined;
  } catch {
    return undefined;
  }
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function sendFile(req: IncomingMessage, res: ServerResponse, file: string, stats: Stats, cacheControl: string): void {
  res.writeHead(200, {
    'Content-Type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
    'Content-Length': String(stats.size),
    'Last-Modified': stats.mtime.toUTCString(),
    'Cache-Control': cacheControl,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/** The request path inside an app's folder, or undefined when it would leave it. */
function resolveInside(root: string, relative: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const file = path.resolve(root, `.${path.posix.normalize(`/${decoded}`)}`);
  return file === root || file.startsWith(root + path.sep) ? file : undefined;
}

async function serveApp(req: IncomingMessage, res: ServerResponse, app: FrontEndApp, pathname: string): Promise<void> {
  const index = path.join(app.root, 'index.html');
  const indexStats = await fileAt(index);
  if (!indexStats) {
    sendText(res, 503, `该应用尚未构建，请先运行：${app.buildCommand}\n`);
    return;
  }
  const relative = pathname.slice(app.prefix.length);
  const file = relative === '' ? index : resolveInside(app.root, relative);
  if (!file) {
    sendText(res, 404, 'Not found\n');
    return;
  }
  const stats = file === index ? indexStats : await fileAt(file);
  if (stats) {
    sendFile(req, res, file, stats, file === index ? 'no-cache' : HASHED_ASSET.test(file) ? IMMUTABLE : 'no-cache');
    return;
  }
  // A missing asset is a 404; any other path is a route of the app, which its index.html handles.
  if (path.posix.extname(relative) !== '') {
    sendText(res, 404, 'Not found\n');
    return;
  }
  sendFile(req, res, index, indexStats, 'no-cache');
}

/**
 * One listener for the local server: `/api/…` goes to the API, every other path to the
 * front-end app whose prefix it starts with; `/` opens the first app.
 */
export function withFrontEndApps(api: Listener, apps: readonly FrontEndApp[] = FRONT_END_APPS): Listener {
  return (req, res) => {
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/api' || pathname.startsWith('/api/')) return api(req, res);
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendText(res, 405, 'Method not allowed\n', { Allow: 'GET, HEAD' });
    if (pathname === '/' && apps[0]) return sendText(res, 302, '', { Location: apps[0].prefix });
    const app = apps.find((a) => pathname.startsWith(a.prefix) || pathname === a.prefix.slice(0, -1));
    if (!app) return sendText(res, 404, 'Not found\n');
    if (!pathname.startsWith(app.prefix)) return sendText(res, 301, '', { Location: app.prefix });
    serveApp(req, res, app, pathname).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error\n');
      else res.destroy();
    });
  };
}

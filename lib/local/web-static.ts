// `npm start` serves the coordinators' console (web/, built by Vite into web/dist) at `/`, as
// CloudFront serves it from S3 in AWS: the same security headers, and index.html for the app's own
// paths (the router draws them in the browser).
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_ROOT = fileURLToPath(new URL('../../web/', import.meta.url));
export const WEB_DIST = join(WEB_ROOT, 'dist');

/** What CloudFront's response headers policy sends too (infra): nothing from another host. */
export const WEB_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'strict-origin-when-cross-origin',
  'x-frame-options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

export interface StaticFile {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** The built file for a GET path, or index.html for an app path; undefined when nothing is built. */
export async function webFile(dist: string, pathname: string): Promise<StaticFile | undefined> {
  const index = join(dist, 'index.html');
  if (!existsSync(index)) return undefined;
  const root = resolve(dist);
  let wanted: string;
  try {
    wanted = resolve(root, `.${normalize(decodeURIComponent(pathname))}`);
  } catch {
    return undefined;
  }
  const inside = wanted.startsWith(root + sep);
  const isAsset = inside && extname(wanted) !== '' && existsSync(wanted);
  if (!isAsset && extname(pathname) !== '') return undefined; // a missing asset is a 404, not the app
  const file = isAsset ? wanted : index;
  return {
    status: 200,
    headers: {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      // Vite puts a content hash in asset names: those never change; index.html always revalidates.
      'cache-control': file.includes(`${sep}assets${sep}`)
        ? 'public, max-age=31536000, immutable'
        : 'no-cache',
      ...WEB_SECURITY_HEADERS,
    },
    body: await readFile(file),
  };
}

/** Builds the console once if web/dist is missing (a fresh clone's first `npm start`). */
export async function ensureWebBuild(log: (line: string) => void = console.log): Promise<void> {
  if (existsSync(join(WEB_DIST, 'index.html'))) return;
  log('building the coordinators’ console (web/, first start only)…');
  const { build } = await import('vite');
  await build({ configFile: join(WEB_ROOT, 'vite.config.ts'), logLevel: 'warn' });
}

import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { sendJson } from './respond.ts';

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
};

/** The path's characters, or undefined when its percent-encoding is malformed (`%zz`, `%ff%fe`, `%`). */
function decodedPath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
}

/** The built dashboard: a file of `staticDir`, or its index.html for any other path (a single-page app). */
export async function serveStatic(
  pathname: string,
  response: ServerResponse,
  staticDir: string,
): Promise<void> {
  const decoded = decodedPath(pathname);
  if (decoded === undefined || decoded.includes('\0')) {
    return sendJson(response, 400, { message: 'the path is not a valid percent-encoded path' });
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '');
  let file = join(staticDir, relative);
  if (!file.startsWith(staticDir + sep) && file !== staticDir)
    return sendJson(response, 404, { message: 'not found' });
  const info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) file = join(staticDir, 'index.html');
  const index = await stat(file).catch(() => undefined);
  if (!index?.isFile()) {
    return sendJson(response, 404, { message: 'the dashboard is not built; run npm run build -w frontend' });
  }
  response.writeHead(200, {
    'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
    'cache-control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=3600',
  });
  // A file that cannot be read after all, or a client gone mid-file, ends this response only.
  await pipeline(createReadStream(file), response).catch(() => response.destroy());
}

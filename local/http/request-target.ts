/**
 * Where a request goes, from its request line alone. The Host header plays no part: a local server has
 * one host, and a Host of `[::`, `%` or `localhost:99999` must not make routing fail.
 */
const BASE = 'http://localhost';

/**
 * The URL of a request target in origin form (`/v1/charts?…`) or absolute form (`http://host/v1/charts`,
 * whose authority is ignored like Host); undefined for anything else (`*`, garbage).
 */
export function requestUrl(target: string): URL | undefined {
  let path: string;
  if (target.startsWith('/')) path = target;
  else {
    const absolute = /^https?:\/\/[^/?#]*([/?#].*)?$/i.exec(target);
    if (!absolute) return undefined;
    path = absolute[1] ?? '/';
    if (!path.startsWith('/')) path = `/${path}`;
  }
  // Concatenated, not resolved against BASE: `//host/x` is a path here, not another host.
  return URL.parse(BASE + path) ?? undefined;
}

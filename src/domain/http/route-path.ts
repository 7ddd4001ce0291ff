/**
 * Matches a request path against a route path of the topology, where a `{name}` segment stands for any one
 * non-empty segment (API Gateway's syntax). Returns the segments' decoded values by name, or undefined when the
 * path is not this route's.
 */
export function matchRoutePath(route: string, path: string): Record<string, string> | undefined {
  const routeSegments = route.split('/');
  const pathSegments = path.split('/');
  if (routeSegments.length !== pathSegments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, segment] of routeSegments.entries()) {
    const actual = pathSegments[index] ?? '';
    const name = /^\{(\w+)\}$/.exec(segment)?.[1];
    if (!name) {
      if (segment !== actual) return undefined;
      continue;
    }
    if (actual === '') return undefined;
    try {
      parameters[name] = decodeURIComponent(actual);
    } catch {
      return undefined; // a malformed escape: no route of ours
    }
  }
  return parameters;
}

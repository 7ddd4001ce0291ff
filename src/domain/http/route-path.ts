/**
 * Matches a request path against a route path of the topology, where a `{name}` segment stands for any one
 * non-empty segment (API Gateway's syntax). Returns the segments' decoded values by name, or undefined when the
 * path is not this route's.
 */
export function matchRoutePath(route: string, path: string): Record<string, string> | undefined {
  const segments = routeSegments(route);
  const pathSegments = path.split('/');
  if (segments.length !== pathSegments.length) return undefined;
  const parameters: Record<string, string> = {};
  for (let index = 0; index < segments.length; index++) {
    const { literal, name } = segments[index] as RouteSegment;
    const actual = pathSegments[index] as string;
    if (name === undefined) {
      if (literal !== actual) return undefined;
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

interface RouteSegment {
  readonly literal: string;
  /** The parameter's name of a `{name}` segment. */
  readonly name: string | undefined;
}

/**
 * A route's segments, split once: every request is matched against every route of the API, thousands of times a
 * second. The routes are the topology's, a fixed handful, so the map stays that size.
 */
const splitRoutes = new Map<string, readonly RouteSegment[]>();

function routeSegments(route: string): readonly RouteSegment[] {
  let segments = splitRoutes.get(route);
  if (segments === undefined) {
    segments = route.split('/').map((literal) => ({ literal, name: /^\{(\w+)\}$/.exec(literal)?.[1] }));
    splitRoutes.set(route, segments);
  }
  return segments;
}

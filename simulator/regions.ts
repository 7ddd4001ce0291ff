/** Which regions a simulation plays in: the ones asked for, the server's, or the default list. */
import { defaultRegions, GLOBAL_REGION } from '../src/domain/regions.ts';
import { describeError } from './sender.ts';

export interface RegionChoice {
  regions: readonly string[];
  regionsSource: 'option' | 'server' | 'default';
  /** Why the server's regions could not be used, when regionsSource is 'default'. */
  regionsError: string | undefined;
}

/** The given region codes; else the server's (GET /v1/regions); else the default list, saying why. */
export async function resolveRegions(
  url: string,
  given: readonly string[] | undefined,
  signal: AbortSignal | undefined,
): Promise<RegionChoice> {
  if (given && given.length > 0) {
    return { regions: [...given], regionsSource: 'option', regionsError: undefined };
  }
  try {
    return {
      regions: await fetchRegions(url, signal),
      regionsSource: 'server',
      regionsError: undefined,
    };
  } catch (error) {
    return { regions: [...defaultRegions], regionsSource: 'default', regionsError: describeError(error) };
  }
}

/** GET /v1/regions → `{ regions: string[] }` (the `global` pseudo-region is never a play's region). */
async function fetchRegions(url: string, signal?: AbortSignal): Promise<string[]> {
  const timeout = AbortSignal.timeout(3000);
  const response = await fetch(`${url.replace(/\/+$/, '')}/v1/regions`, {
    signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
  });
  if (!response.ok) throw new Error(`GET /v1/regions answered HTTP ${response.status}`);
  const body = (await response.json()) as { regions?: unknown };
  const regions = Array.isArray(body.regions)
    ? body.regions.filter((code): code is string => typeof code === 'string' && code !== GLOBAL_REGION)
    : [];
  if (regions.length === 0) throw new Error('GET /v1/regions returned no regions');
  return regions;
}

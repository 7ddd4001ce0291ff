/**
 * Whether the tests that need a service or a machine property skip, as on a laptop without it: yes when it is
 * missing, unless TOP_SONGS_REQUIRE_<WHAT>=1 (the variables the Spark tests read too: spark/tests/conftest.py),
 * which turns its absence into a failure instead of a silent skip.
 */
export function skipWithout(what: string, present: unknown, missing: string): boolean {
  if (present) return false;
  const variable = `TOP_SONGS_REQUIRE_${what}`;
  if (process.env[variable] === '1') throw new Error(`${variable}=1 but ${missing}`);
  return true;
}

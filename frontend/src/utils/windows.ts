/**
 * Chart windows: UTC hours and UTC days, `[start, end)` (docs/contracts.md, "Chart rules").
 *
 * Imports nothing and touches no DOM, so the API schemas that use it can be checked under Node
 * (test/unit/frontend/api-schemas.test.ts).
 */
export const periods = ['hour', 'day'] as const;
export type Period = (typeof periods)[number];

const LENGTH_MS: Readonly<Record<Period, number>> = { hour: 3_600_000, day: 86_400_000 };

export const windowLength = (period: Period): number => LENGTH_MS[period];

/** The start of the window of `period` that contains `instant`. */
function windowStartOf(period: Period, instant: Date): Date {
  const length = LENGTH_MS[period];
  return new Date(Math.floor(instant.getTime() / length) * length);
}

/** The start of the window `by` windows after (negative: before) the one starting at `start`, as RFC 3339. */
export function shiftWindow(period: Period, start: string, by: number): string {
  return new Date(Date.parse(start) + by * LENGTH_MS[period]).toISOString();
}

/**
 * A window start from a link (`?start=…`): any RFC 3339 instant or date, snapped to the start of its window, as
 * the API writes it (`2026-11-27T13:00:00.000Z`); undefined when it is not a date at all.
 */
export function parseWindowStart(period: Period, text: string | null): string | undefined {
  if (!text) return undefined;
  const instant = Date.parse(text);
  if (Number.isNaN(instant)) return undefined;
  return windowStartOf(period, new Date(instant)).toISOString();
}

/** Every window start from `from` (included) to `to` (excluded), oldest first. */
export function windowStarts(period: Period, from: string, to: string): string[] {
  const starts: string[] = [];
  for (let at = Date.parse(from); at < Date.parse(to); at += LENGTH_MS[period]) {
    starts.push(new Date(at).toISOString());
  }
  return starts;
}

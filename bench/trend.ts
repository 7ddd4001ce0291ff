/** Whether a series (memory over time) is flat: a least-squares line and its 95% confidence interval. */

export interface Point {
  readonly hours: number;
  readonly value: number;
}

export interface Trend {
  /** Slope of the least-squares line, value units per hour. */
  readonly perHour: number;
  /** Half the width of the slope's 95% confidence interval (Student's t), same units. */
  readonly margin: number;
  readonly points: number;
}

/** Student's t for a two-sided 95% interval: exact to 2 decimals for 1–30 degrees of freedom, 1.96 beyond. */
function t95(degreesOfFreedom: number): number {
  const table = [
    12.71, 4.3, 3.18, 2.78, 2.57, 2.45, 2.36, 2.31, 2.26, 2.23, 2.2, 2.18, 2.16, 2.14, 2.13, 2.12, 2.11, 2.1,
    2.09, 2.09, 2.08, 2.07, 2.07, 2.06, 2.06, 2.06, 2.05, 2.05, 2.05, 2.04,
  ];
  return table[degreesOfFreedom - 1] ?? 1.96;
}

/**
 * The ordinary least-squares slope of `points` and its 95% margin. Memory samples are autocorrelated (garbage
 * collection saws up and down), so the margin is a lower bound on the real uncertainty: read it as a guide.
 */
export function linearTrend(points: readonly Point[]): Trend {
  const n = points.length;
  if (n < 3) throw new Error(`a trend needs at least 3 points, got ${n}`);
  const meanX = points.reduce((sum, point) => sum + point.hours, 0) / n;
  const meanY = points.reduce((sum, point) => sum + point.value, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const { hours, value } of points) {
    sxx += (hours - meanX) ** 2;
    sxy += (hours - meanX) * (value - meanY);
  }
  const perHour = sxy / sxx;
  const intercept = meanY - perHour * meanX;
  const residuals = points.reduce(
    (sum, { hours, value }) => sum + (value - (intercept + perHour * hours)) ** 2,
    0,
  );
  const standardError = Math.sqrt(residuals / (n - 2) / sxx);
  return { perHour, margin: t95(n - 2) * standardError, points: n };
}

export type Verdict = 'flat' | 'growing' | 'inconclusive';

/**
 * Flat when the whole interval lies below `thresholdPerHour`, growing when it lies above, inconclusive when
 * it straddles it (too few points or too much noise: run longer).
 */
export function verdictOf(trend: Trend, thresholdPerHour: number): Verdict {
  if (trend.perHour + trend.margin < thresholdPerHour) return 'flat';
  if (trend.perHour - trend.margin > thresholdPerHour) return 'growing';
  return 'inconclusive';
}

/** "lake-writer lag 5 (p0 3, p1 2, p2 0)": a consumer group's lag, in the same words for every transport. */
export function lagText(group: string, lags: readonly { partition: number; lag: bigint | number }[]): string {
  const total = lags.reduce((sum, { lag }) => sum + BigInt(lag), 0n);
  return `${group} lag ${total} (${lags.map(({ partition, lag }) => `p${partition} ${lag}`).join(', ')})`;
}

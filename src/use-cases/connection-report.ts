import type { CheckResult } from './check-connections.ts';

const HEADINGS = ['service', 'target', 'status', 'ms', 'details'] as const;
const GAP = '  ';

/**
 * The report as a terminal table: one row per check, a failure's hint on the line below its details, and a
 * count at the end. Pure: what `npm run doctor` prints.
 */
export function formatTable(results: readonly CheckResult[]): string {
  const rows = results.map((result) => [
    result.service,
    result.target,
    result.status,
    result.latencyMs === undefined ? '-' : String(result.latencyMs),
    result.detail,
  ]);
  // The last column is not padded: its cells run to the end of the line.
  const widths = HEADINGS.slice(0, -1).map((heading, column) =>
    Math.max(heading.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < widths.length ? cell.padEnd(widths[column]!) : cell))
      .join(GAP)
      .trimEnd();
  const indent = ' '.repeat(widths.reduce((sum, width) => sum + width + GAP.length, 0));
  const lines = [line(HEADINGS)];
  results.forEach((result, index) => {
    lines.push(line(rows[index]!));
    if (result.hint) lines.push(`${indent}hint: ${result.hint}`);
  });
  lines.push('', summary(results));
  return `${lines.join('\n')}\n`;
}

/** "3 ok, 1 failed, 1 skipped". */
export function summary(results: readonly CheckResult[]): string {
  const count = (status: CheckResult['status']) =>
    results.filter((result) => result.status === status).length;
  return `${count('ok')} ok, ${count('fail')} failed, ${count('skip')} skipped`;
}

/** The machine-readable report of `npm run doctor --json`, snake_case like the HTTP API. */
export interface ReportDocument {
  readonly ok: boolean;
  readonly timeout_ms: number;
  readonly checks: readonly {
    readonly service: string;
    readonly target: string;
    readonly status: CheckResult['status'];
    readonly latency_ms: number | null;
    readonly detail: string;
    readonly hint: string | null;
  }[];
}

export function reportDocument(results: readonly CheckResult[], timeoutMs: number): ReportDocument {
  return {
    ok: results.every((result) => result.status !== 'fail'),
    timeout_ms: timeoutMs,
    checks: results.map((result) => ({
      service: result.service,
      target: result.target,
      status: result.status,
      latency_ms: result.latencyMs ?? null,
      detail: result.detail,
      hint: result.hint ?? null,
    })),
  };
}

import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { localModeEnv } from '../../devkit/local-process.ts';

const root = resolve(import.meta.dirname, '../..');

/** One row of `npm run doctor`'s table, as a reader of the terminal sees it. */
export interface TableRow {
  readonly service: string;
  readonly target: string;
  readonly status: string;
  readonly ms: string;
  readonly details: string;
  readonly hint: string | undefined;
}

/** One check of `npm run doctor -- --json`. */
export interface JsonCheck {
  readonly service: string;
  readonly target: string;
  readonly status: 'ok' | 'fail' | 'skip';
  readonly latency_ms: number | null;
  readonly detail: string;
  readonly hint: string | null;
}

export interface DoctorRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the real command (`node local/doctor.ts`, what `npm run doctor` runs) as a child process. The settings
 * that choose services (DATABASE_URL, LAKE_URI, KAFKA_BROKERS, KINESIS_STREAM, AWS_ENDPOINT_URL, OPENAI_*) are the
 * test's own: whatever the environment exports for other tests is dropped.
 */
export function runDoctor(env: Record<string, string>, args: readonly string[] = []): Promise<DoctorRun> {
  const inherited = localModeEnv(
    'DATABASE_URL',
    'AWS_ENDPOINT_URL',
    'OPENAI_BASE_URL',
    'OPENAI_API_KEY',
    'TOP_SONGS_NAMESPACE',
  );
  return new Promise((done) => {
    execFile(
      process.execPath,
      [resolve(root, 'local/doctor.ts'), ...args],
      { cwd: root, env: { ...inherited, ...env } },
      (error, stdout, stderr) =>
        done({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * The table's rows, cut at the columns where the heading line puts each heading (the last column runs to the end
 * of the line); a `hint:` line belongs to the row above it.
 */
export function parseTable(text: string): TableRow[] {
  const [heading = '', ...lines] = text.split('\n');
  const starts = ['service', 'target', 'status', 'ms', 'details'].map((name) => {
    const at = heading.search(new RegExp(`\\b${name}\\b`));
    if (at < 0) throw new Error(`no "${name}" heading in: ${heading}`);
    return at;
  });
  const cell = (line: string, column: number) =>
    line.slice(starts[column], column + 1 < starts.length ? starts[column + 1] : undefined).trim();
  const rows: TableRow[] = [];
  for (const line of lines) {
    if (line.trim() === '') break;
    const hint = /^\s+hint: (.*)$/.exec(line);
    if (hint) {
      const last = rows.pop();
      if (!last) throw new Error(`a hint before any row: ${line}`);
      rows.push({ ...last, hint: hint[1] });
      continue;
    }
    rows.push({
      service: cell(line, 0),
      target: cell(line, 1),
      status: cell(line, 2),
      ms: cell(line, 3),
      details: cell(line, 4),
      hint: undefined,
    });
  }
  return rows;
}

/** The row of one service, failing the test when there is none. */
export function rowOf(rows: readonly TableRow[], service: string): TableRow {
  const row = rows.find((candidate) => candidate.service === service);
  if (!row) throw new Error(`no ${service} row in ${JSON.stringify(rows)}`);
  return row;
}

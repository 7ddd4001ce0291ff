/**
 * `npm run simulate -- [flags]`: sends simulated plays to a running Top Songs API.
 * Progress is one updating status line on a terminal, plain lines every few seconds otherwise.
 */
import { readApiKeyFile } from '../local/dev-api-key.ts';
import { parseCliArgs, UsageError, usage } from './cli-args.ts';
import { loadCatalog } from './load-catalog.ts';
import { runSimulation, type SimulationProgress, type SimulationResult } from './run.ts';

const PLAIN_PROGRESS_EVERY_MS = 5000;

async function main(): Promise<number> {
  let command: ReturnType<typeof parseCliArgs>;
  try {
    command = parseCliArgs(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`simulate: ${error.message}\nRun with --help for usage.\n`);
    return 2;
  }
  if (command.help) {
    process.stdout.write(usage(process.env));
    return 0;
  }
  const { quiet } = command;
  const apiKey = command.options.apiKey ?? (await readApiKeyFile(command.devApiKeyFile));
  if (!apiKey) {
    process.stderr.write(
      `simulate: no API key: pass --api-key, set TOP_SONGS_API_KEY, or start the local runtime once (npm start) to create ${command.devApiKeyFile}\n`,
    );
    return 2;
  }
  let options = { ...command.options, apiKey };
  if (command.catalog) {
    try {
      options = { ...options, catalog: await loadCatalog(command.catalog) };
    } catch (error) {
      process.stderr.write(`simulate: could not read the catalog: ${(error as Error).message}\n`);
      return 1;
    }
  }
  const out = process.stdout;
  const tty = out.isTTY === true;
  const status = createStatusLine(out);

  const stop = new AbortController();
  let interrupts = 0;
  const onSignal = () => {
    interrupts += 1;
    if (interrupts > 1) process.exit(130);
    status.clear();
    if (!quiet) process.stderr.write('Stopping: finishing batches in flight (Ctrl-C again to quit now)…\n');
    stop.abort();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  let announced = false;
  let lastPlain = 0;
  const result = await runSimulation({
    ...options,
    signal: stop.signal,
    progressIntervalMs: tty ? 500 : 1000,
    onProgress: (progress) => {
      if (!announced) {
        announced = true;
        if (progress.regionsError) {
          status.clear();
          process.stderr.write(
            `warning: could not read regions from the server (${progress.regionsError}); using ${progress.regions.join(',')}\n`,
          );
        }
        if (!quiet)
          out.write(`${describeRun(options.url, options.rate ?? 50, options.seed ?? 1, progress)}\n`);
      }
      if (quiet || progress.phase === 'done') return;
      if (tty) status.show(statusLine(progress));
      else if (progress.elapsedMs - lastPlain >= PLAIN_PROGRESS_EVERY_MS) {
        lastPlain = progress.elapsedMs;
        out.write(`${new Date().toISOString()} ${statusLine(progress)}\n`);
      }
    },
  });
  status.clear();
  out.write(`${summaryLine(result)}\n`);
  if (result.stoppedBy === 'refused') {
    process.stderr.write(
      `error: ${options.url} refused the API key (${result.stats.lastError}); pass a key in use with --api-key or TOP_SONGS_API_KEY (npm run keys -- list)\n`,
    );
  } else if (result.unreachable) {
    process.stderr.write(`error: could not reach ${options.url}: ${result.stats.lastError ?? 'no answer'}\n`);
  } else if (!result.ok) {
    process.stderr.write(`error: most batches failed; last error: ${result.stats.lastError ?? 'unknown'}\n`);
  }
  return result.ok ? 0 : 1;
}

function describeRun(url: string, rate: number, seed: number, progress: SimulationProgress): string {
  const source = { option: 'from --regions', server: 'from the server', default: 'default list' }[
    progress.regionsSource
  ];
  return `Simulating plays → ${url}/v1/plays at ${rate} events/s, seed ${seed}, regions ${progress.regions.join(',')} (${source})`;
}

const number = (n: number) => Math.round(n).toLocaleString('en-US');

function statusLine(progress: SimulationProgress): string {
  const { stats } = progress;
  const parts = [
    `${progress.phase.padEnd(8)} ${progress.currentRate.toFixed(1).padStart(7)} ev/s`,
    `sent ${number(stats.sent)}`,
    `accepted ${number(stats.accepted)}`,
    `rejected ${number(stats.rejected)}`,
    `retried ${number(stats.retried)}`,
    `failed ${number(stats.failed)}`,
    `in flight ${stats.inFlight}`,
    clock(progress.elapsedMs),
  ];
  if (stats.lastError) parts.push(`last error: ${stats.lastError}`);
  return parts.join(' | ');
}

function summaryLine(result: SimulationResult): string {
  const { stats, byKind } = result;
  const reasons = Object.entries(stats.rejectedByField)
    .sort((a, b) => b[1] - a[1])
    .map(([field, count]) => `${field} ${number(count)}`)
    .join(', ');
  return [
    `Done (${result.stoppedBy}) after ${clock(result.elapsedMs)}:`,
    `generated ${number(result.generated)} (${number(byKind.valid)} valid, ${number(byKind.duplicate)} duplicate, ${number(byKind.invalid)} invalid);`,
    `sent ${number(stats.sent)}, accepted ${number(stats.accepted)}, rejected ${number(stats.rejected)}${reasons ? ` (${reasons})` : ''},`,
    `retried ${number(stats.retried)}, failed ${number(stats.failed)}${stats.unsent ? `, unsent ${number(stats.unsent)}` : ''};`,
    `${stats.eventsPerSecond.toFixed(1)} events/s`,
  ].join(' ');
}

function clock(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 3600))}:${pad(Math.floor(seconds / 60) % 60)}:${pad(seconds % 60)}`;
}

/** One line rewritten in place, cut to the terminal's width so it never wraps. */
function createStatusLine(out: NodeJS.WriteStream) {
  let shown = false;
  return {
    show(line: string) {
      const width = out.columns ? out.columns - 1 : 120;
      out.write(`\r\x1b[2K${line.length > width ? `${line.slice(0, width - 1)}…` : line}`);
      shown = true;
    },
    clear() {
      if (shown && out.isTTY) out.write('\r\x1b[2K');
      shown = false;
    },
  };
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `simulate: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = 1;
  },
);

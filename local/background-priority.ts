import { readdirSync, readFileSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/**
 * The runtime's event loop answers every HTTP request; the rest of what `npm start` runs is background work that can
 * wait a few milliseconds: V8's helper threads (concurrent compilation and marking), the embedded PostgreSQL, the
 * scheduled jobs' processes (DuckDB). On a small machine they share the loop's core, and Linux let a helper that
 * woke up run 15–45 ms before the loop got its core back: in the charts API's first seconds under load (V8 compiles
 * most then) those were its worst latencies (docs/benchmarks.md, "Who took the event loop's core"). So they run at
 * a lower priority, a nice value BACKGROUND_NICE above the runtime's own (`nice npm start` keeps the order): they
 * still get every cycle the loop leaves, but it comes first.
 */
export const BACKGROUND_NICE = 10;

/** The nice value of background work: BACKGROUND_NICE below this thread's own (Linux's lowest is 19). */
export function backgroundNice(): number {
  return Math.min(19, getPriority() + BACKGROUND_NICE);
}

/** V8's worker threads (Node names them V8Worker) in this process. */
const V8_HELPER = /^V8Worker/;

/** Lowers this process's V8 helper threads to the background priority (Linux; elsewhere it does nothing). */
export function backgroundV8Helpers(): void {
  const value = backgroundNice();
  for (const thread of threadsOf(process.pid)) {
    if (V8_HELPER.test(threadName(process.pid, thread))) nice(thread, value);
  }
}

/**
 * Lowers a process to the background priority, every thread of it and of its children (PostgreSQL's server and the
 * processes it has started; those it starts later inherit the server's). Threads the process starts later inherit
 * the priority of the thread that starts them.
 */
export function backgroundProcess(pid: number, value = backgroundNice()): void {
  for (const thread of threadsOf(pid)) nice(thread, value);
  for (const child of childrenOf(pid)) backgroundProcess(child, value);
}

/** Linux takes a thread id where setpriority takes a pid: each thread has its own nice value. */
function nice(thread: number, value: number): void {
  try {
    setPriority(thread, value);
  } catch {
    // Gone meanwhile, or not ours: a priority is a preference, never a failure.
  }
}

function threadsOf(pid: number): number[] {
  return listNumbers(`/proc/${pid}/task`);
}

function childrenOf(pid: number): number[] {
  return threadsOf(pid).flatMap((thread) =>
    read(`/proc/${pid}/task/${thread}/children`)
      .split(' ')
      .filter((child) => child !== '')
      .map(Number),
  );
}

function threadName(pid: number, thread: number): string {
  return read(`/proc/${pid}/task/${thread}/comm`).trim();
}

function listNumbers(dir: string): number[] {
  try {
    return readdirSync(dir)
      .filter((name) => /^\d+$/.test(name))
      .map(Number);
  } catch {
    return []; // Not Linux, or the process is gone.
  }
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

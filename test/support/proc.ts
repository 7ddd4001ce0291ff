import { readdirSync, readFileSync } from 'node:fs';

/**
 * What Linux's /proc says of processes and threads, read independently of local/background-priority.ts: the fields
 * of `stat` after the name (which may hold spaces), where the parent pid is the 2nd and the nice value the 17th.
 */
function statFields(path: string): string[] {
  const stat = readFileSync(path, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

export interface ProcThread {
  readonly id: number;
  readonly name: string;
  readonly nice: number;
}

/** Each thread of a process: its id, name and nice value; none for a process or thread that has ended meanwhile. */
export function threadsOf(pid: number): ProcThread[] {
  return gone([], () => readdirSync(`/proc/${pid}/task`)).flatMap((thread) =>
    gone([], () => [
      {
        id: Number(thread),
        name: readFileSync(`/proc/${pid}/task/${thread}/comm`, 'utf8').trim(),
        nice: Number(statFields(`/proc/${pid}/task/${thread}/stat`)[16]),
      },
    ]),
  );
}

/** `read()`, or `ended` if what it reads has gone (a PostgreSQL backend may end between two reads). */
function gone<T>(ended: T, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (
      (error as NodeJS.ErrnoException).code === 'ENOENT' ||
      (error as NodeJS.ErrnoException).code === 'ESRCH'
    )
      return ended;
    throw error;
  }
}

/** The processes whose parent is `pid`. */
export function childProcessesOf(pid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((child) => gone(false, () => Number(statFields(`/proc/${child}/stat`)[1]) === pid))
    .map(Number);
}

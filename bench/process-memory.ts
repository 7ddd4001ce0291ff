/**
 * The memory of a process and of every process below it (the local runtime's node and its embedded
 * PostgreSQL server with its backends), read from Linux's /proc.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { basename } from 'node:path';

export interface TreeMemory {
  /** Resident set of the root process (node), MB. */
  readonly rootRssMb: number;
  /** Resident sets of its descendants added up (PostgreSQL's processes), MB; shared pages count in each. */
  readonly descendantsRssMb: number;
  /**
   * Of those, the descendants that run node (the local runtime's scheduled jobs, each in a process of its own
   * while it runs), MB; the rest is PostgreSQL's.
   */
  readonly nodeDescendantsRssMb: number;
  /**
   * Proportional set sizes of the whole tree added up, MB: each shared page (PostgreSQL's shared buffers, the
   * binaries) is divided among the processes that map it, so the sum is what the tree really occupies.
   */
  readonly treePssMb: number;
  /**
   * Anonymous pages of the whole tree added up, MB: what its processes allocated themselves (heaps, DuckDB's and
   * PostgreSQL's private memory), without the pages of mapped files (the node and postgres binaries, libduckdb)
   * and of shared memory (PostgreSQL's shared buffers), which the RSS sum counts once per process that maps them.
   */
  readonly treeAnonymousMb: number;
  readonly processes: number;
}

/** The parent of every live process, from /proc/<pid>/stat (its 4th field, after the parenthesised name). */
function parents(): Map<number, number> {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // Gone between the listing and the read.
    }
  }
  return parentOf;
}

/** `pid` and every process below it. */
function descendantsOf(pid: number): number[] {
  const childrenOf = new Map<number, number[]>();
  for (const [child, parent] of parents()) childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), child]);
  const tree: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const next = queue.shift()!;
    tree.push(next);
    queue.push(...(childrenOf.get(next) ?? []));
  }
  return tree;
}

/**
 * Whether the process runs node: its executable (/proc/<pid>/exe) is named `node`; its command name would not
 * do, as node names its main thread `MainThread`. False when it is gone.
 */
function runsNode(pid: number): boolean {
  try {
    return basename(readlinkSync(`/proc/${pid}/exe`)) === 'node';
  } catch {
    return false;
  }
}

/** Rss, Pss and anonymous pages of one process in kB (smaps_rollup, Linux 4.14+); zeros when it is gone. */
function rollup(pid: number): { rss: number; pss: number; anonymous: number } {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? 0);
    return { rss: kb('Rss'), pss: kb('Pss'), anonymous: kb('Anonymous') };
  } catch {
    return { rss: 0, pss: 0, anonymous: 0 };
  }
}

export function processTreeMemory(rootPid: number): TreeMemory {
  const [root = rootPid, ...descendants] = descendantsOf(rootPid);
  const rootUse = rollup(root);
  const others = descendants.map((pid) => ({ ...rollup(pid), node: runsNode(pid) }));
  const mb = (kb: number) => kb / 1024;
  return {
    rootRssMb: mb(rootUse.rss),
    descendantsRssMb: mb(others.reduce((sum, use) => sum + use.rss, 0)),
    nodeDescendantsRssMb: mb(others.reduce((sum, use) => sum + (use.node ? use.rss : 0), 0)),
    treePssMb: mb(others.reduce((sum, use) => sum + use.pss, rootUse.pss)),
    treeAnonymousMb: mb(others.reduce((sum, use) => sum + use.anonymous, rootUse.anonymous)),
    processes: 1 + descendants.length,
  };
}

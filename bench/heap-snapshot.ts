/**
 * Reads V8 heap snapshots (`.heapsnapshot`, as `--heapsnapshot-signal` writes them) into what the DevTools
 * "Summary" and "Comparison" views show: self size and count per constructor, and, for the classes that grew
 * most between two snapshots, what holds them (the parent's constructor and the edge's name).
 */
import { readFile } from 'node:fs/promises';

interface RawSnapshot {
  snapshot: {
    meta: {
      node_fields: string[];
      node_types: [string[], ...unknown[]];
      edge_fields: string[];
      edge_types: [string[], ...unknown[]];
    };
  };
  nodes: number[];
  edges: number[];
  strings: string[];
}

export interface ClassTotals {
  readonly count: number;
  readonly bytes: number;
}

export interface HeapSummary {
  readonly totalBytes: number;
  readonly byClass: ReadonlyMap<string, ClassTotals>;
  /** For each class in `holdersOf`: "parent class .edge" → objects of the class it references. */
  readonly holders: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

/** How DevTools names a node: objects by constructor, the rest by type ("(string)", "(closure)", …). */
function classOf(type: string, name: string): string {
  if (type === 'object' || type === 'native') return name;
  if (type === 'closure') return '(closure)';
  if (type === 'string' || type === 'concatenated string' || type === 'sliced string') return '(string)';
  return `(${type})`;
}

/** Summarises one snapshot file; `holdersOf` names the classes whose referrers are counted too. */
export async function summarizeHeapSnapshot(
  path: string,
  holdersOf: readonly string[] = [],
): Promise<HeapSummary> {
  const raw = JSON.parse(await readFile(path, 'utf8')) as RawSnapshot;
  const { meta } = raw.snapshot;
  const nodeWidth = meta.node_fields.length;
  const edgeWidth = meta.edge_fields.length;
  const field = (name: string) => meta.node_fields.indexOf(name);
  const [typeAt, nameAt, sizeAt, edgeCountAt] = ['type', 'name', 'self_size', 'edge_count'].map(field) as [
    number,
    number,
    number,
    number,
  ];
  const edgeTypeAt = meta.edge_fields.indexOf('type');
  const edgeNameAt = meta.edge_fields.indexOf('name_or_index');
  const edgeToAt = meta.edge_fields.indexOf('to_node');
  const nodeTypes = meta.node_types[0];
  const edgeTypes = meta.edge_types[0];
  const { nodes, edges, strings } = raw;

  const classes: string[] = [];
  const byClass = new Map<string, { count: number; bytes: number }>();
  let totalBytes = 0;
  for (let at = 0; at < nodes.length; at += nodeWidth) {
    const name = classOf(nodeTypes[nodes[at + typeAt]!]!, strings[nodes[at + nameAt]!]!);
    classes.push(name);
    const size = nodes[at + sizeAt]!;
    totalBytes += size;
    const totals = byClass.get(name) ?? { count: 0, bytes: 0 };
    totals.count++;
    totals.bytes += size;
    byClass.set(name, totals);
  }

  const holders = new Map(holdersOf.map((name) => [name, new Map<string, number>()]));
  if (holders.size > 0) {
    let edge = 0;
    for (let node = 0; node * nodeWidth < nodes.length; node++) {
      const edgeCount = nodes[node * nodeWidth + edgeCountAt]!;
      for (let i = 0; i < edgeCount; i++, edge += edgeWidth) {
        const target = holders.get(classes[edges[edge + edgeToAt]! / nodeWidth]!);
        const edgeType = edgeTypes[edges[edge + edgeTypeAt]!];
        if (!target || edgeType === 'weak') continue;
        const label =
          edgeType === 'element' || edgeType === 'hidden'
            ? '[]'
            : `.${strings[edges[edge + edgeNameAt]!] ?? edges[edge + edgeNameAt]}`;
        const key = `${classes[node]} ${label}`;
        target.set(key, (target.get(key) ?? 0) + 1);
      }
    }
  }
  return { totalBytes, byClass, holders };
}

export interface ClassGrowth {
  readonly name: string;
  readonly countDelta: number;
  readonly bytesDelta: number;
  readonly bytesAfter: number;
}

/** The classes whose self size grew most from `before` to `after`, largest growth first. */
export function growthBetween(before: HeapSummary, after: HeapSummary, top: number): ClassGrowth[] {
  return [...after.byClass]
    .map(([name, totals]) => {
      const earlier = before.byClass.get(name) ?? { count: 0, bytes: 0 };
      return {
        name,
        countDelta: totals.count - earlier.count,
        bytesDelta: totals.bytes - earlier.bytes,
        bytesAfter: totals.bytes,
      };
    })
    .sort((a, b) => b.bytesDelta - a.bytesDelta)
    .slice(0, top);
}

/** The memory benchmark's reading of V8 heap snapshots (bench/heap-snapshot.ts), on hand-made snapshots. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { growthBetween, summarizeHeapSnapshot } from '../../../bench/heap-snapshot.ts';
import { type TempDir, tempDir } from '../support/temp.ts';

const NODE_TYPES = [
  'hidden',
  'array',
  'string',
  'object',
  'code',
  'closure',
  'regexp',
  'number',
  'native',
  'synthetic',
];
const EDGE_TYPES = ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'];
const NODE_WIDTH = 5;

interface Node {
  readonly type: string;
  readonly name: string;
  readonly size: number;
  readonly edges: readonly { readonly type: string; readonly name: string; readonly to: number }[];
}

/** The .heapsnapshot JSON V8 writes, for these nodes (edges point at node indexes). */
function snapshot(nodes: readonly Node[]): string {
  const strings: string[] = [];
  const string = (text: string) => (strings.includes(text) ? strings.indexOf(text) : strings.push(text) - 1);
  return JSON.stringify({
    snapshot: {
      meta: {
        node_fields: ['type', 'name', 'id', 'self_size', 'edge_count'],
        node_types: [NODE_TYPES, 'string', 'number'],
        edge_fields: ['type', 'name_or_index', 'to_node'],
        edge_types: [EDGE_TYPES, 'string_or_number', 'node'],
      },
      node_count: nodes.length,
    },
    nodes: nodes.flatMap((node, id) => [
      NODE_TYPES.indexOf(node.type),
      string(node.name),
      id * 2 + 1,
      node.size,
      node.edges.length,
    ]),
    edges: nodes.flatMap((node) =>
      node.edges.flatMap((edge) => [EDGE_TYPES.indexOf(edge.type), string(edge.name), edge.to * NODE_WIDTH]),
    ),
    strings,
  });
}

const entry = { type: 'object', name: 'Entry', size: 40, edges: [] };
const before: Node[] = [
  {
    type: 'synthetic',
    name: '(GC roots)',
    size: 0,
    edges: [
      { type: 'property', name: 'cache', to: 1 },
      { type: 'weak', name: 'seen', to: 3 },
    ],
  },
  { type: 'object', name: 'Cache', size: 100, edges: [{ type: 'property', name: 'first', to: 2 }] },
  entry,
  entry,
  { type: 'string', name: 'hello', size: 24, edges: [] },
];
const after: Node[] = [
  before[0]!,
  {
    type: 'object',
    name: 'Cache',
    size: 100,
    edges: [
      { type: 'property', name: 'first', to: 2 },
      { type: 'element', name: 'ignored', to: 5 },
      { type: 'element', name: 'ignored', to: 6 },
    ],
  },
  entry,
  entry,
  before[4]!,
  entry,
  entry,
];

let dir: TempDir;
beforeEach(async () => {
  dir = await tempDir('heap-snapshot');
});
afterEach(async () => dir.remove());

describe('summarizeHeapSnapshot', () => {
  it('adds up self size and count per class, and finds what refers to a class (weak references aside)', async () => {
    const path = join(dir.path, 'after.heapsnapshot');
    await writeFile(path, snapshot(after));
    const summary = await summarizeHeapSnapshot(path, ['Entry']);
    expect(summary.totalBytes).toBe(100 + 4 * 40 + 24);
    expect(Object.fromEntries(summary.byClass)).toEqual({
      '(synthetic)': { count: 1, bytes: 0 },
      Cache: { count: 1, bytes: 100 },
      Entry: { count: 4, bytes: 160 },
      '(string)': { count: 1, bytes: 24 },
    });
    expect(Object.fromEntries(summary.holders.get('Entry')!)).toEqual({ 'Cache .first': 1, 'Cache []': 2 });
  });

  it('ranks the classes by how much they grew between two snapshots', async () => {
    const [first, second] = [join(dir.path, 'a.heapsnapshot'), join(dir.path, 'b.heapsnapshot')];
    await writeFile(first, snapshot(before));
    await writeFile(second, snapshot(after));
    const growth = growthBetween(await summarizeHeapSnapshot(first), await summarizeHeapSnapshot(second), 2);
    expect(growth).toEqual([
      { name: 'Entry', countDelta: 2, bytesDelta: 80, bytesAfter: 160 },
      expect.objectContaining({ bytesDelta: 0 }),
    ]);
  });
});

/**
 * The chart jobs' side of restatement marks (src/domain/restatements.ts): which windows the writers marked, and
 * clearing a window's marks once its recomputed charts are committed.
 */
import type { ChartWindow, Period } from '../domain/charts.ts';
import { markedWindow, restatementsPrefix } from '../domain/restatements.ts';
import type { ObjectStore } from '../ports/object-store.ts';

export interface MarkedWindow {
  readonly window: ChartWindow;
  /** The marks listed for it: exactly these are cleared after it is recomputed. */
  readonly marks: readonly string[];
}

/** The windows of the period with marks, oldest first. Keys that are not marks are left alone. */
export async function listMarkedWindows(lake: ObjectStore, period: Period): Promise<MarkedWindow[]> {
  const byStart = new Map<number, { window: ChartWindow; marks: string[] }>();
  for (const key of await lake.list(restatementsPrefix(period))) {
    const window = markedWindow(period, key);
    if (!window) continue;
    const entry = byStart.get(window.start.getTime()) ?? { window, marks: [] };
    entry.marks.push(key);
    byStart.set(window.start.getTime(), entry);
  }
  return [...byStart.values()].sort((a, b) => a.window.start.getTime() - b.window.start.getTime());
}

/**
 * Clears the marks listed for `window`. Called only after its charts were committed from a read of the lake that
 * began after the marks were listed, so every file a cleared mark stands for was counted; a mark written since
 * was not listed and stays for the next run. A run stopped before this point leaves the marks, and the next run
 * computes the window again (the same charts: no new version).
 */
export async function clearMarks(
  lake: ObjectStore,
  marked: readonly MarkedWindow[],
  window: ChartWindow,
): Promise<number> {
  const marks = marked.find((entry) => entry.window.start.getTime() === window.start.getTime())?.marks ?? [];
  await Promise.all(marks.map((mark) => lake.delete(mark)));
  return marks.length;
}

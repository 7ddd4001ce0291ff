import { stat } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { withDeadline } from '../../../src/ports/deadline.ts';

/** Keeps the event loop busy, as a long synchronous stretch or a GC pause on a loaded machine does. */
function blockEventLoop(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // busy: no timer, no I/O callback runs meanwhile
  }
}

describe('withDeadline', () => {
  it('answers with work that completed while the event loop was blocked past the deadline', async () => {
    // A file system call completes on libuv's thread pool during the block; its answer is read after the timers.
    const work = stat(import.meta.filename).then(() => 'answered');
    const raced = withDeadline(work, 20, () => new Error('timed out'));
    blockEventLoop(200);
    await expect(raced).resolves.toBe('answered');
  });

  it("rejects with the deadline's error when the work does not answer in time", async () => {
    const never = new Promise<string>(() => {});
    await expect(withDeadline(never, 20, () => new Error('no answer within 20 ms'))).rejects.toThrow(
      'no answer within 20 ms',
    );
  });

  it('passes on the work’s own failure', async () => {
    await expect(
      withDeadline(Promise.reject(new Error('refused')), 1000, () => new Error('timed out')),
    ).rejects.toThrow('refused');
  });
});

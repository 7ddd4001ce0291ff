import { describe, expect, it } from 'vitest';
import { FreshRead } from '../../../src/use-cases/charts-api/answer-cache.ts';

describe('FreshRead', () => {
  it('begins each read after the call: a call during a read shares the next one, at most two in flight', async () => {
    const pending: Array<{ resolve: (value: number) => void }> = [];
    let begun = 0;
    const fresh = new FreshRead(() => {
      begun++;
      const read = Promise.withResolvers<number>();
      pending.push(read);
      return read.promise;
    });
    const first = fresh.get();
    const second = fresh.get();
    const third = fresh.get();
    expect(begun).toBe(1);
    pending[0]!.resolve(1);
    expect(await first).toBe(1);
    await new Promise((resolve) => setImmediate(resolve));
    // The calls made while the first read was under way got a read begun after it ended.
    expect(begun).toBe(2);
    pending[1]!.resolve(2);
    expect([await second, await third]).toEqual([2, 2]);
    // A call once nothing is under way begins a read of its own.
    const fourth = fresh.get();
    expect(begun).toBe(3);
    pending[2]!.resolve(3);
    expect(await fourth).toBe(3);
  });

  it('a failed read fails its callers only; the next call reads again', async () => {
    let fail = true;
    const fresh = new FreshRead(async () => {
      if (fail) throw new Error('down');
      return 7;
    });
    await expect(fresh.get()).rejects.toThrow('down');
    fail = false;
    expect(await fresh.get()).toBe(7);
  });

  it('with maxAgeMs, a read begun that recently answers every call, in flight or done; an older one does not', async () => {
    let clock = 0;
    let begun = 0;
    const fresh = new FreshRead(async () => ++begun, { maxAgeMs: 250, now: () => clock });
    expect(await fresh.get()).toBe(1);
    clock = 249;
    expect(await fresh.get()).toBe(1);
    expect(begun).toBe(1);
    clock = 250;
    expect(await fresh.get()).toBe(2);
    // A read still under way answers too, if it began recently enough.
    clock = 300;
    expect([await fresh.get(), begun]).toEqual([2, 2]);
  });

  it('with maxAgeMs, a failed read answers no later call', async () => {
    let clock = 0;
    let fail = true;
    const fresh = new FreshRead(
      async () => {
        if (fail) throw new Error('down');
        return 7;
      },
      { maxAgeMs: 250, now: () => clock },
    );
    await expect(fresh.get()).rejects.toThrow('down');
    fail = false;
    clock = 10;
    expect(await fresh.get()).toBe(7);
  });
});

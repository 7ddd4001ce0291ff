import { IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { dropAbortedTransactions } from '../../../src/adapters/transport/kafka/read-committed.ts';

type Response = Parameters<typeof dropAbortedTransactions>[0];
type Batch = NonNullable<Response['responses'][number]['partitions'][number]['records']>[number];

/** A batch of `values` from a producer at an offset: transactional unless `producerId` is -1. */
function batch(producerId: number, firstOffset: number, values: readonly string[]): Batch {
  return {
    firstOffset: BigInt(firstOffset),
    lastOffsetDelta: values.length - 1,
    attributes: producerId === -1 ? 0 : IS_TRANSACTIONAL,
    producerId: BigInt(producerId),
    records: values.map((value, offsetDelta) => ({ offsetDelta, value: Buffer.from(value) })),
  } as unknown as Batch;
}

/** A transaction marker: a control batch whose one record's key is version 0, then type (0 abort, 1 commit). */
function marker(producerId: number, offset: number, type: 'abort' | 'commit'): Batch {
  const key = Buffer.alloc(4);
  key.writeInt16BE(type === 'abort' ? 0 : 1, 2);
  return {
    ...batch(producerId, offset, ['']),
    attributes: IS_TRANSACTIONAL | IS_CONTROL,
    records: [{ offsetDelta: 0, key }],
  } as unknown as Batch;
}

function response(records: Batch[], aborted: readonly [producerId: number, firstOffset: number][]) {
  const partition = {
    partitionIndex: 0,
    abortedTransactions: aborted.map(([producerId, firstOffset]) => ({
      producerId: BigInt(producerId),
      firstOffset: BigInt(firstOffset),
    })),
    records,
  };
  return { responses: [{ topicId: 't', partitions: [partition] }] } as unknown as Response;
}

/** What a consumer gets from the filtered response: the values, batch by batch (control batches as 'marker'). */
function delivered(filtered: Response): string[][] {
  return filtered.responses[0]!.partitions[0]!.records!.map((each) =>
    each.attributes & IS_CONTROL ? ['marker'] : each.records.map((record) => String(record.value)),
  );
}

describe('dropAbortedTransactions', () => {
  it("drops an aborted transaction's records when its abort marker is not in the response", () => {
    // Producer 1 aborted at offsets 0-1; producer 2's open transaction holds the last stable offset at 2.
    const filtered = response([batch(1, 0, ['a0', 'a1'])], [[1, 0]]);
    dropAbortedTransactions(filtered);
    expect(delivered(filtered)).toEqual([[]]);
    // Emptied, not removed: the consumer's next fetch starts after it.
    const [kept] = filtered.responses[0]!.partitions[0]!.records!;
    expect([kept!.firstOffset, kept!.lastOffsetDelta]).toEqual([0n, 1]);
  });

  it("keeps other producers' records, non-transactional ones, and the producer's own before and after the abort", () => {
    const filtered = response(
      [
        batch(1, 0, ['committed-before']),
        marker(1, 1, 'commit'),
        batch(1, 2, ['aborted-0']),
        batch(2, 3, ['other']),
        batch(-1, 4, ['plain']),
        batch(1, 5, ['aborted-1']),
        marker(1, 6, 'abort'),
        batch(1, 7, ['committed-after']),
        marker(1, 8, 'commit'),
        marker(2, 9, 'commit'),
      ],
      [[1, 2]],
    );
    dropAbortedTransactions(filtered);
    expect(delivered(filtered)).toEqual([
      ['committed-before'],
      ['marker'],
      [],
      ['other'],
      ['plain'],
      [],
      ['marker'],
      ['committed-after'],
      ['marker'],
      ['marker'],
    ]);
  });

  it('drops each of several aborted transactions, in offset order whatever order the broker lists them in', () => {
    const filtered = response(
      [
        batch(1, 0, ['a']),
        marker(1, 1, 'abort'),
        batch(2, 2, ['b']),
        batch(1, 3, ['kept']),
        marker(1, 4, 'commit'),
        batch(2, 5, ['b-more']),
      ],
      [
        [2, 2],
        [1, 0],
      ],
    );
    dropAbortedTransactions(filtered);
    expect(delivered(filtered)).toEqual([[], ['marker'], [], ['kept'], ['marker'], []]);
  });

  it('leaves a response without aborted transactions as it is', () => {
    const records = [batch(1, 0, ['x']), marker(1, 1, 'commit')];
    const filtered = response(records, []);
    dropAbortedTransactions(filtered);
    expect(filtered.responses[0]!.partitions[0]!.records).toBe(records);
  });
});

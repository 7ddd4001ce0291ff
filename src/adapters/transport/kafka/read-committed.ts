import { type Consumer, IS_CONTROL, IS_TRANSACTIONAL } from '@platformatic/kafka';

type FetchResponse = Awaited<ReturnType<Consumer['fetch']>>;
type Batch = NonNullable<FetchResponse['responses'][number]['partitions'][number]['records']>[number];
type FetchCallback = (error: Error | null, response?: FetchResponse) => void;

/** A control batch's record key: version (int16), then type (int16): 0 abort, 1 commit. */
const isAbortMarker = (batch: Batch) =>
  (batch.attributes & IS_CONTROL) !== 0 && batch.records[0]?.key?.readInt16BE(2) === 0;

const byFirstOffset = (a: { firstOffset: bigint }, b: { firstOffset: bigint }) =>
  a.firstOffset < b.firstOffset ? -1 : a.firstOffset > b.firstOffset ? 1 : 0;

/**
 * Empties the batches of aborted transactions in a READ_COMMITTED fetch response, as Kafka's own client does
 * (its Fetcher): a batch is aborted when its producer has an aborted transaction, listed by the broker, that
 * starts at or before the batch, and that producer's abort marker has not come since.
 *
 * @platformatic/kafka 2.12.1 drops an aborted transaction's batches only when its abort marker is in the same
 * response, and delivers them otherwise. The marker is often beyond it: the broker answers up to the last
 * stable offset, and another producer's transaction still open after the aborted one's records (but before
 * its marker) holds that offset there. The broker lists a transaction as aborted only once its marker is
 * written, so no marker is needed to drop it. The batches are emptied rather than removed, so that the
 * client's offset bookkeeping (from the response's last batch) still moves past them.
 */
export function dropAbortedTransactions(response: FetchResponse): void {
  for (const topic of response.responses) {
    for (const partition of topic.partitions) {
      const aborted = [...(partition.abortedTransactions ?? [])].sort(byFirstOffset);
      if (!partition.records || aborted.length === 0) continue;
      const abortedProducers = new Set<bigint>();
      let next = 0;
      partition.records = partition.records.map((batch) => {
        if ((batch.attributes & IS_TRANSACTIONAL) === 0) return batch;
        const lastOffset = batch.firstOffset + BigInt(batch.lastOffsetDelta);
        while (next < aborted.length && aborted[next]!.firstOffset <= lastOffset) {
          abortedProducers.add(aborted[next]!.producerId);
          next += 1;
        }
        if (isAbortMarker(batch)) abortedProducers.delete(batch.producerId);
        if ((batch.attributes & IS_CONTROL) !== 0) return batch;
        return abortedProducers.has(batch.producerId) ? { ...batch, records: [] } : batch;
      });
    }
  }
}

/** Makes `client`'s fetches (those of its message streams included) drop what aborted transactions wrote. */
export function readCommittedOnly<C extends Consumer<Buffer, Buffer, Buffer, Buffer>>(client: C): C {
  const fetch = client.fetch.bind(client) as (options: unknown, callback?: FetchCallback) => unknown;
  const filtered = (options: unknown, callback?: FetchCallback) => {
    if (!callback) {
      return (fetch(options) as Promise<FetchResponse>).then((response) => {
        dropAbortedTransactions(response);
        return response;
      });
    }
    return fetch(options, (error, response) => {
      if (response) dropAbortedTransactions(response);
      callback(error, response);
    });
  };
  Object.defineProperty(client, 'fetch', { value: filtered, configurable: true, writable: true });
  return client;
}

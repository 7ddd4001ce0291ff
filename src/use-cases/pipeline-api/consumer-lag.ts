import type { Transport } from '../../ports/transport.ts';
import { functions, qualified } from '../../topology.ts';
import type { PartitionLagBody } from './schemas.ts';

/** The lag of every topic-triggered function's consumer group, per partition; undefined where the transport has none. */
export async function consumerLagOf(
  transport: Pick<Transport, 'consumerLag'>,
  namespace: string,
): Promise<PartitionLagBody[] | undefined> {
  const read = transport.consumerLag?.bind(transport);
  if (!read) return undefined;
  const lags = await Promise.all(
    functions.flatMap((fn) => {
      if (fn.trigger.kind !== 'topic') return [];
      const topic = qualified(fn.trigger.topic, namespace);
      return [
        read(topic, qualified(fn.name, namespace)).then((partitions) =>
          partitions.map(({ partition, lag }) => ({ consumer: fn.name, topic, partition, records: lag })),
        ),
      ];
    }),
  );
  return lags.flat();
}

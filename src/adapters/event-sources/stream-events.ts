/** The stream event sources side by side: the schema of a function fed by either, and each by its kind. */
import { z } from 'zod';
import type { EventSourceKind } from '../../ports/transport.ts';
import type { EventSource, StreamBatch } from './event-source.ts';
import { KafkaEventSchema, kafkaEventSource } from './kafka.ts';
import { KinesisEventSchema, kinesisEventSource } from './kinesis.ts';

/** A Kafka (MSK or self-managed) or Kinesis event, parsed with Powertools' schemas. */
export const StreamEventSchema = z.union([KafkaEventSchema, KinesisEventSchema]);
export type StreamEvent = z.infer<typeof StreamEventSchema>;

/** A parsed stream event as neutral records, with the batch response of its source. */
export function streamBatch(event: StreamEvent): StreamBatch {
  return 'Records' in event ? kinesisEventSource.batch(event) : kafkaEventSource.batch(event);
}

/** What the local runtime builds and reads for each kind of transport. */
export const eventSources: Readonly<
  Record<EventSourceKind, Pick<EventSource<never>, 'event' | 'failedOffsets'>>
> = { kafka: kafkaEventSource, kinesis: kinesisEventSource };

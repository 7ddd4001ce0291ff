/** Setup file of the Kafka tests (vitest.config.ts): after each file, its test topics and groups go. */
import { afterAll } from 'vitest';
import { deleteTestTopics } from '../../devkit/kafka.ts';

afterAll(deleteTestTopics);

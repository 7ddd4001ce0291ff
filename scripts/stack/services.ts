/**
 * The services `npm run stack:up` can start natively, in start order. A new service is one module that
 * configures `defineService` (scripts/stack/service.ts), added here.
 */
import { emulatorService } from './emulator.ts';
import { kafkaService } from './kafka.ts';
import { kinesisService } from './kinesis.ts';
import { postgresService } from './postgres.ts';
import { s3Service } from './s3.ts';
import type { StackService } from './service.ts';

export const stackServices: readonly StackService[] = [
  kafkaService,
  s3Service,
  kinesisService,
  postgresService,
  emulatorService,
];

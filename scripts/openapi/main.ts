/**
 * npm run openapi [-- --check]: writes the HTTP API's OpenAPI document (docs/openapi.json) and the dashboard's
 * types of it (frontend/src/lib/api-types.gen.ts) from the topology's routes and their zod schemas. With
 * --check, writes nothing and fails when a committed copy is out of date.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { openApiArtifacts, projectDir, staleArtifacts } from './artifacts.ts';

async function main(argv: readonly string[]): Promise<number> {
  const unknown = argv.filter((arg) => arg !== '--check');
  if (unknown.length > 0) {
    console.error(`usage: npm run openapi [-- --check]; unknown: ${unknown.join(' ')}`);
    return 2;
  }
  const artifacts = await openApiArtifacts();
  const stale = await staleArtifacts(artifacts);
  if (argv.includes('--check')) {
    if (stale.length === 0) return 0;
    console.error(`out of date (run npm run openapi): ${stale.join(', ')}`);
    return 1;
  }
  for (const artifact of artifacts) await writeFile(join(projectDir, artifact.path), artifact.content);
  console.error(stale.length > 0 ? `wrote ${stale.join(', ')}` : 'up to date');
  return 0;
}

process.exitCode = await main(process.argv.slice(2));

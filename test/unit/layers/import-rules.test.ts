/**
 * The import rules of docs/architecture.md ("Code layout") are Biome's noRestrictedImports, set per folder in
 * biome.json's overrides. Here a probe file with one import is written into each folder of a copy of the
 * layout (biome.json beside it, so its folder globs match as in the project) and Biome lints it: a wrong-way
 * import must fail, a right-way one must pass.
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TempDir, tempDir } from '../support/temp.ts';

const root = resolve(import.meta.dirname, '../../..');

interface Probe {
  /** Where the importing file sits. */
  readonly folder: string;
  readonly specifier: string;
}

/** Imports the rules forbid: the folder, then what it must not reach. */
const wrongWay: readonly Probe[] = [
  // The domain imports nothing outside src/domain/.
  { folder: 'src/domain', specifier: '../ports/object-store.ts' },
  { folder: 'src/domain', specifier: '../use-cases/ingest-plays.ts' },
  { folder: 'src/domain', specifier: '../adapters/object-store/s3.ts' },
  { folder: 'src/domain', specifier: '../config/settings.ts' },
  { folder: 'src/domain', specifier: '../wiring/dependencies.ts' },
  { folder: 'src/domain/http', specifier: '../../topology.ts' },
  { folder: 'src/domain/http', specifier: '../../../simulator/model.ts' },
  // Ports know the domain only.
  { folder: 'src/ports', specifier: '../use-cases/ingest-plays.ts' },
  { folder: 'src/ports', specifier: '../adapters/object-store/s3.ts' },
  // Use cases take their ports as arguments: no adapters, no wiring.
  { folder: 'src/use-cases', specifier: '../adapters/object-store/s3.ts' },
  { folder: 'src/use-cases/charts-api', specifier: '../../adapters/postgres/chart-store.ts' },
  { folder: 'src/use-cases', specifier: '../wiring/dependencies.ts' },
  // Adapters implement ports: no use cases.
  { folder: 'src/adapters/duckdb', specifier: '../../use-cases/ingest-plays.ts' },
  // src/ is the core: nothing from the hosts and tools around it.
  { folder: 'src', specifier: '../local/main.ts' },
  { folder: 'src/wiring', specifier: '../../local/functions.ts' },
  { folder: 'src/wiring', specifier: '../../functions/ingest/handler.ts' },
  { folder: 'src/adapters/transport/kafka', specifier: '../../../../simulator/model.ts' },
  { folder: 'src/config', specifier: '../../test/support/doctor.ts' },
  { folder: 'src/adapters', specifier: '../../scripts/services.ts' },
  { folder: 'src/adapters', specifier: '../../bench/plays.ts' },
  { folder: 'src/adapters/catalog', specifier: '../../../devkit/wait-for.ts' },
  { folder: 'src/wiring', specifier: '../../lib/nag.ts' },
  // Only the tests import from test/.
  { folder: 'bench', specifier: '../test/support/fault-proxy.ts' },
  { folder: 'scripts/deploy', specifier: '../../test/support/doctor.ts' },
  { folder: 'devkit', specifier: '../test/support/transport-contract.ts' },
  { folder: 'devkit/services', specifier: '../../test/support/doctor.ts' },
  { folder: 'local', specifier: '../test/support/fake-charts-api.ts' },
  { folder: 'simulator', specifier: '../test/support/raw-http.ts' },
  { folder: 'functions/ingest', specifier: '../../test/support/doctor.ts' },
];

/** Imports the rules allow, one per folder above. */
const rightWay: readonly Probe[] = [
  { folder: 'src/domain', specifier: './play-event.ts' },
  { folder: 'src/domain/http', specifier: '../regions.ts' },
  { folder: 'src/ports', specifier: '../domain/charts.ts' },
  { folder: 'src/use-cases', specifier: '../ports/object-store.ts' },
  { folder: 'src/use-cases/charts-api', specifier: '../../domain/charts.ts' },
  { folder: 'src/use-cases/http-api', specifier: '../../topology.ts' },
  { folder: 'src/adapters/duckdb', specifier: '../../ports/object-store.ts' },
  { folder: 'src/wiring', specifier: '../adapters/object-store/s3.ts' },
  { folder: 'src', specifier: './domain/http/http.ts' },
  { folder: 'bench', specifier: '../devkit/wait-for.ts' },
  { folder: 'scripts/deploy', specifier: '../../devkit/wait-for.ts' },
  { folder: 'devkit', specifier: '../local/functions.ts' },
  { folder: 'local', specifier: '../simulator/index.ts' },
  { folder: 'functions/ingest', specifier: '../../src/wiring/dependencies.ts' },
  { folder: 'test/unit', specifier: '../support/doctor.ts' },
];

let layout: TempDir;
/** Biome's errors by probe file (relative to the copy of the layout). */
let errorsByFile: Map<string, string[]>;
const probeFile = (set: string, index: number, probe: Probe) => `${probe.folder}/probe-${set}-${index}.ts`;

beforeAll(async () => {
  layout = await tempDir('import-rules');
  const config = JSON.parse(await readFile(join(root, 'biome.json'), 'utf8')) as Record<string, unknown>;
  delete config.$schema;
  await writeFile(join(layout.path, 'biome.json'), JSON.stringify(config));
  const probes = [
    ...wrongWay.map((probe, index) => [probeFile('wrong', index, probe), probe] as const),
    ...rightWay.map((probe, index) => [probeFile('right', index, probe), probe] as const),
  ];
  for (const [file, probe] of probes) {
    await mkdir(dirname(join(layout.path, file)), { recursive: true });
    await writeFile(
      join(layout.path, file),
      `import { probe } from '${probe.specifier}';\n\nexport { probe };\n`,
    );
  }
  // Exit status 1 when any rule fails (the wrong-way probes make sure some do); the report is on stdout.
  const biome = join(root, 'node_modules', '.bin', 'biome');
  const args = ['lint', '--vcs-enabled=false', '--only=style/noRestrictedImports', '--reporter=json', '.'];
  const stdout = await promisify(execFile)(biome, args, { cwd: layout.path }).then(
    (result) => result.stdout,
    (error: { stdout?: string }) => error.stdout ?? '',
  );
  const report = JSON.parse(stdout) as {
    diagnostics: { severity: string; category: string; location: { path: string } }[];
  };
  errorsByFile = new Map();
  for (const diagnostic of report.diagnostics) {
    if (diagnostic.severity !== 'error') continue;
    const path = diagnostic.location.path;
    errorsByFile.set(path, [...(errorsByFile.get(path) ?? []), diagnostic.category]);
  }
});

afterAll(async () => {
  await layout?.remove();
});

describe('the import rules (biome.json overrides)', () => {
  it.each(wrongWay.map((probe, index) => [probe.folder, probe.specifier, index] as const))(
    '%s may not import %s',
    (_folder, _specifier, index) => {
      const file = probeFile('wrong', index, wrongWay[index]!);
      expect(errorsByFile.get(file)).toEqual(['lint/style/noRestrictedImports']);
    },
  );

  it.each(rightWay.map((probe, index) => [probe.folder, probe.specifier, index] as const))(
    '%s may import %s',
    (_folder, _specifier, index) => {
      expect(errorsByFile.get(probeFile('right', index, rightWay[index]!))).toBeUndefined();
    },
  );
});

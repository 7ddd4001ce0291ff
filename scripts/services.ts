/**
 * Starts and stops the platform's real services natively, for users without Docker:
 *
 *   npm run services:up [-- <service>…]              install (cached), start, wait until ready, provision
 *   npm run services:down [-- <service>…] [--clean]  stop; --clean also deletes data and logs
 *
 * (`stack:up` and `stack:down` are the old names, kept as aliases.) With no service named, all of them but
 * those started only when named (postgres, the AWS emulator). `up` prints the settings to export on stdout
 * and its progress on stderr, so `eval "$(npm run -s services:up)"` sets them in the current shell. See docs/services.md.
 */

import { servicePaths } from '../devkit/services/paths.ts';
import { ServiceError, say } from '../devkit/services/process.ts';
import type { DevService } from '../devkit/services/service.ts';
import { devServices } from '../devkit/services/services.ts';

const usage = `usage: node scripts/services.ts up [service…]
       node scripts/services.ts down [service…] [--clean]
services: ${devServices.map((service) => `${service.name} (${service.description})`).join(', ')}`;

function selected(names: readonly string[]): DevService[] {
  if (names.length === 0) return devServices.filter((service) => !service.onlyWhenNamed);
  return names.map((name) => {
    const service = devServices.find((candidate) => candidate.name === name);
    if (!service) throw new ServiceError(`Unknown service "${name}".\n${usage}`);
    return service;
  });
}

async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  const flags = rest.filter((arg) => arg.startsWith('-'));
  const names = rest.filter((arg) => !arg.startsWith('-'));
  const unknownFlags = flags.filter((flag) => !(command === 'down' && flag === '--clean'));
  if ((command !== 'up' && command !== 'down') || unknownFlags.length > 0) {
    if (command === '--help' || command === '-h') {
      say(usage);
      return;
    }
    throw new ServiceError(usage);
  }
  const services = selected(names);
  const where = servicePaths();

  if (command === 'up') {
    const settings: Record<string, string> = {};
    for (const service of services) Object.assign(settings, await service.up(where));
    say('\nReady. Settings for `npm start` and the tests:');
    for (const [name, value] of Object.entries(settings)) console.log(`export ${name}=${value}`);
    return;
  }
  // Stop in reverse start order.
  for (const service of [...services].reverse())
    await service.down(where, { clean: flags.includes('--clean') });
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  say(
    error instanceof ServiceError
      ? `services: ${error.message}`
      : `services: ${(error as Error).stack ?? String(error)}`,
  );
  process.exitCode = 1;
}

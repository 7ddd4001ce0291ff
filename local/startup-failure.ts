import { EmbeddedPostgresError } from '../src/adapters/postgres/embedded.ts';
import { SettingsError } from '../src/config/settings.ts';

/** A service the local runtime needs could not start; the message is one sentence: what failed, what to do. */
export class StartupError extends Error {
  override name = 'StartupError';
}

/** How long a service may take to start: one that never answers (a host that drops packets) fails too. */
const START_TIMEOUT_MS = 30_000;

/** Starts one service, turning its failure into a StartupError naming it, why it failed and what to do. */
export async function starting<T>(
  what: string,
  advice: (error: NodeJS.ErrnoException) => string,
  start: () => Promise<T>,
): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer within ${START_TIMEOUT_MS / 1000} s`)),
      START_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([start(), timeout]);
  } catch (error) {
    if (isOneSentence(error)) throw error;
    throw new StartupError(`Could not start ${what} (${firstLine(error)}); ${advice(error as Error)}`);
  } finally {
    clearTimeout(timer);
  }
}

/** The one line a command prints when it could not start: never a stack trace. */
export function startupFailure(error: unknown): string {
  return isOneSentence(error) ? oneLine(error.message) : `Could not start: ${firstLine(error)}`;
}

const isOneSentence = (error: unknown): error is Error =>
  error instanceof StartupError || error instanceof EmbeddedPostgresError || error instanceof SettingsError;

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** An error's message in one line (its first), without a trailing period. */
export function firstLine(error: unknown): string {
  // A connection to a name with several addresses fails with an AggregateError that has no message of its own.
  const inner = error instanceof AggregateError ? (error.errors[0] as Error | undefined)?.message : undefined;
  const message = error instanceof Error ? error.message || inner || error.name : String(error);
  return oneLine(message.split('\n')[0] ?? '').replace(/\.$/, '');
}

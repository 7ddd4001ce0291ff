/** What `scripts/stack.ts` needs from each service it can start natively: one module per service. */

export interface StackPaths {
  /** Downloads and installs, shared by every run folder: `TOP_SONGS_CACHE` (default ~/.cache/top-songs). */
  readonly cacheDir: string;
  /** Data, logs and pid files: `TOP_SONGS_STACK_DIR` (default `$TOP_SONGS_CACHE/stack`), one folder per service. */
  readonly stackDir: string;
  /** The project's root, where `stack/<service>/` holds the service's pinned versions and templates. */
  readonly projectDir: string;
}

export interface DownOptions {
  /** Also delete the service's data and logs. */
  readonly clean: boolean;
}

export interface StackService {
  readonly name: string;
  readonly description: string;
  /**
   * Started only when named (`npm run stack:up -- emulator`), never by a bare `stack:up`: its settings
   * (AWS_ENDPOINT_URL) would replace those of the services the platform runs on.
   */
  readonly onlyWhenNamed?: boolean;
  /**
   * Installs what is missing (cached), starts the service unless it already runs, waits until it is
   * ready and provisions it. Resolves with the settings to export for the platform to use it.
   */
  up(paths: StackPaths): Promise<Record<string, string>>;
  down(paths: StackPaths, options: DownOptions): Promise<void>;
}

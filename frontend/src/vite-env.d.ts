/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the charts API; empty means the same origin as the dashboard. */
  readonly VITE_API_URL?: string;
  /** Seconds between automatic chart refreshes. */
  readonly VITE_REFRESH_SECONDS?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}

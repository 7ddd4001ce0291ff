import type { DashboardConfig } from './runtime-config';

let current: DashboardConfig | undefined;

/** Called once by main.tsx, with what loadRuntimeConfig() returned, before the first render. */
export function setConfig(config: DashboardConfig): void {
  current = config;
}

/** The settings in effect: config.json's when the dashboard was deployed with one, else the build's. */
export function getConfig(): DashboardConfig {
  if (!current) throw new Error('The dashboard configuration was read before main.tsx loaded it.');
  return current;
}

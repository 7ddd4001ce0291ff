/** Region codes a play can carry unless `REGIONS` configures others. `global` charts all of them together. */
export const defaultRegions = ['us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in'] as const;

export const GLOBAL_REGION = 'global';

export type RegionList = readonly string[];

/**
 * The time zone whose clock a region's listeners mostly live by: what the enriched plays' `local_hour` is read
 * on. A region spanning several zones gets the one most of its people use (us: Eastern, br: Brasília, mx:
 * Central). A configured region not listed here has no local hour (null).
 */
export const regionTimeZones: Readonly<Record<string, string>> = {
  us: 'America/New_York',
  gb: 'Europe/London',
  de: 'Europe/Berlin',
  fr: 'Europe/Paris',
  br: 'America/Sao_Paulo',
  mx: 'America/Mexico_City',
  jp: 'Asia/Tokyo',
  in: 'Asia/Kolkata',
};

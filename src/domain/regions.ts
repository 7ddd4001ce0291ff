/** Region codes a play can carry unless `REGIONS` configures others. `global` charts all of them together. */
export const defaultRegions = ['us', 'gb', 'de', 'fr', 'br', 'mx', 'jp', 'in'] as const;

export const GLOBAL_REGION = 'global';

export type RegionList = readonly string[];

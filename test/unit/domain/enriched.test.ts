import { describe, expect, it } from 'vitest';
import {
  buildIdOf,
  type EnrichmentInputs,
  type EnrichmentManifest,
  enrichedFileKey,
  enrichedManifestKey,
  parseManifest,
  stalenessOf,
} from '../../../src/domain/enriched.ts';

const hour = new Date('2026-11-20T07:00:00.000Z');
const inputs: EnrichmentInputs = {
  plays: [
    { key: 'plays/dt=2026-11-20/hour=07/a.parquet', size: 10, etag: 'e1' },
    { key: 'plays/dt=2026-11-20/hour=07/b.parquet', size: 20, etag: 'e2' },
  ],
  catalog: { key: 'catalog/songs.parquet', size: 99, etag: 'c1' },
};
const manifest: EnrichmentManifest = {
  format: 1,
  hour: hour.toISOString(),
  built_at: '2026-11-20T08:05:00.000Z',
  files: [enrichedFileKey(hour, buildIdOf(inputs))],
  rows: 2,
  counted: 1,
  inputs: { plays: [...inputs.plays], catalog: inputs.catalog, catalog_version: 'v1' },
};

describe('enriched hours', () => {
  it('lays an hour out under enriched/dt=…/hour=HH/', () => {
    expect(enrichedManifestKey(hour)).toBe('enriched/dt=2026-11-20/hour=07/_manifest.json');
    expect(manifest.files[0]).toMatch(/^enriched\/dt=2026-11-20\/hour=07\/part-[0-9a-f]{16}\.parquet$/);
  });

  it('names a build after its inputs: the same listing, the same name; any change, another', () => {
    expect(buildIdOf({ ...inputs })).toBe(buildIdOf(inputs));
    const replaced = { ...inputs, plays: [inputs.plays[0]!, { ...inputs.plays[1]!, etag: 'e3' }] };
    expect(buildIdOf(replaced)).not.toBe(buildIdOf(inputs));
    expect(buildIdOf({ ...inputs, catalog: null })).not.toBe(buildIdOf(inputs));
  });

  it('is current only while the plays files, the catalog and the named files are what the manifest says', () => {
    const keys = [...manifest.files, enrichedManifestKey(hour)];
    expect(stalenessOf(manifest, inputs, keys)).toEqual({ current: true });
    // The listing's order does not matter.
    expect(stalenessOf(manifest, { ...inputs, plays: [...inputs.plays].reverse() }, keys).current).toBe(true);
    expect(stalenessOf(undefined, inputs, keys)).toEqual({ current: false, reason: 'not enriched yet' });
    const added = { ...inputs, plays: [...inputs.plays, { key: 'plays/x.parquet', size: 1, etag: 'x' }] };
    expect(stalenessOf(manifest, added, keys)).toEqual({ current: false, reason: 'its plays files changed' });
    const resized = { ...inputs, plays: [{ ...inputs.plays[0]!, size: 11 }, inputs.plays[1]!] };
    expect(stalenessOf(manifest, resized, keys).current).toBe(false);
    const newCatalog = { ...inputs, catalog: { ...inputs.catalog!, etag: 'c2' } };
    expect(stalenessOf(manifest, newCatalog, keys)).toEqual({
      current: false,
      reason: 'the catalog changed',
    });
    expect(stalenessOf(manifest, { ...inputs, catalog: null }, keys).current).toBe(false);
    expect(stalenessOf(manifest, inputs, [enrichedManifestKey(hour)])).toEqual({
      current: false,
      reason: `${manifest.files[0]} is missing`,
    });
  });

  it('reads a manifest back, and takes one it cannot read for none (the hour is rebuilt)', () => {
    const bytes = new TextEncoder().encode(JSON.stringify(manifest));
    expect(parseManifest(bytes)).toEqual(manifest);
    expect(parseManifest(new TextEncoder().encode('{"format": 2}'))).toBeUndefined();
    expect(parseManifest(new TextEncoder().encode('not json'))).toBeUndefined();
    expect(parseManifest(undefined)).toBeUndefined();
  });
});

import type { ChatCompletionMessageParam } from 'openai/resources/chat/completions';

/** Eras the batches take turns on, recent ones more often: what people stream is mostly recent. */
const eras = ['2020s', '2010s', '2020s', '2000s', '2010s', '1990s', '1980s or earlier'] as const;

/**
 * Each batch asks for songs of one focus (a region, or worldwide hits) and one era, so that forty batches
 * cover forty different corners of the catalog rather than forty times the same global hits.
 */
function batchFocus(index: number, regions: readonly string[]): { where: string; era: string } {
  const places = ['worldwide', ...regions];
  const where = places[index % places.length]!;
  const era = eras[Math.floor(index / places.length) % eras.length]!;
  return { where, era };
}

export function songBatchMessages(
  index: number,
  count: number,
  regions: readonly string[],
): ChatCompletionMessageParam[] {
  const { where, era } = batchFocus(index, regions);
  const audience =
    where === 'worldwide'
      ? 'global hits streamed everywhere'
      : `songs that listeners in region "${where}" stream most, local hits included`;
  return [
    {
      role: 'system',
      content:
        'You write the song catalog of a music streaming demo. Answer with JSON that follows the given schema, nothing else.',
    },
    {
      role: 'user',
      content: [
        `List exactly ${count} different songs: ${audience}, released in the ${era}.`,
        'Prefer real, well-known recordings with their real title, artist, release year and duration; never list a song twice.',
        `Region codes: ${regions.join(', ')}. home_regions: the regions where the song is much more popular than elsewhere; empty when it is popular everywhere alike.`,
        'popularity: 100 for a global hit of today, around 50 for a well-known song, down to 1 for an obscure one.',
        'genre: the closest of the allowed genres. language: ISO 639-1 code of the lyrics, zxx for instrumentals.',
      ].join('\n'),
    },
  ];
}

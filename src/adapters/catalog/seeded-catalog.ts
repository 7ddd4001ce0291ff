import { type Genre, genres, type Song } from '../../domain/song.ts';
import { createRandom, createWeightedSampler, hashString, type Random, shuffled } from './seeded-random.ts';

/** A song of the invented catalog: the lake's catalog shape (src/domain/song.ts). */
export type { Genre, Song };
export { genres };

export interface CatalogOptions {
  seed: number;
  songs?: number;
}

export const DEFAULT_CATALOG_SIZE = 3000;

/** `song-000042`: zero-padded so that string order is numeric order. */
export function songId(index: number): string {
  return `song-${String(index).padStart(6, '0')}`;
}

const words = (text: string): readonly string[] => text.trim().split(/\s+/);

const english = {
  adjectives: words(`Golden Electric Broken Silver Midnight Neon Wild Velvet Lonely Burning Crystal Endless
    Hollow Paper Restless Summer Frozen Silent Crimson Faded Sacred Bitter Sweet Honey Little Lucky Northern
    Violet Savage Gentle Dizzy Lazy Cosmic Static Tender Rusty Shiny Sleepless Purple Borrowed`),
  nouns: words(`Heart Fire River Night Dream Highway Ocean Shadow Mirror Thunder Garden Signal Window Echo
    Horizon Satellite Engine Letter Island Storm Feather Compass Lantern Avenue Paradise Gravity Morning
    Harbor Canyon Diamond Sunset Rocket Jungle Ghost Tide Wire Orbit Bridge Motel Arcade`),
  gerunds: words(`Dancing Falling Running Chasing Dreaming Driving Waiting Burning Floating Calling Holding
    Breaking Fading Shining Drifting Waking`),
  plurals: words(`Wolves Lights Kids Tigers Machines Strangers Giants Rebels Saints Sparrows Pilots Ghosts
    Echoes Horses Arrows Satellites Foxes Crows Engines Vandals`),
  first: words(`Maya Leo Ava Jonah Nina Felix Ruby Oscar Isla Miles Zoe Theo Lena Caleb Iris Jude Nora
    Ezra Cleo Dean Sadie Otis Hazel Arlo Skye Remy Vera Silas June Wade`),
  last: words(`Hart Rivers Stone Vale Monroe Blake Fox Carter Lane Reyes Quinn Wilder Frost Hayes Knight
    Ellis Morrow Bishop Crane Sterling Holloway Avery Finch Marlowe Sloane`),
};

const spanish = {
  titles: words(`Fuego Noche Corazón Luna Playa Verano Besos Calle Baila Locura Veneno Tentación Bandida
    Candela Perreo Mirada Sol Suerte Dinero Tormenta`),
  suffixes: [
    'Lento',
    'de Verano',
    'Contigo',
    'Sin Ti',
    'en la Playa',
    'Prohibido',
    'Remix',
    'Total',
    'Bonita',
  ],
  first: words(`Mateo Valentina Santi Camila Nico Lucía Diego Sofía Rafa Paloma Bruno Xime Tomás Dani`),
  last: words(`Rivera Montero Luna Vega Cruz Soto Fuentes Ríos Navarro Paredes Del Mar Salinas`),
};

const portuguese = {
  titles: words(`Saudade Coração Cachaça Sertão Estrada Viola Paixão Recaída Boteco Fogueira Lua Amor`),
  suffixes: [
    'de Você',
    'Sertanejo',
    'Sem Fim',
    'de Verão',
    'no Interior',
    'Bandida',
    'de Madrugada',
    'Ao Vivo',
  ],
  first: words(`João Pedro Gustavo Lucas Henrique Matheus Bruna Marília Léo Thiago Rafael Diego Cleber`),
};

const japanese = {
  titles: words(`Sakura Hoshi Natsu Yume Hikari Sora Kimi Kaze Tsuki Niji Ame Koi Hanabi Mirai`),
  suffixes: ['no Uta', 'Monogatari', 'Days', 'Memories', 'Drive', 'Blue', 'Shōjo', 'Parade', 'Sunrise'],
  first: words(`Yui Haruto Aoi Ren Mei Sota Hina Kaito Rin Yuma Saki Riku Nana Daiki`),
  last: words(`Sato Tanaka Mori Kobayashi Aoyama Fujita Shimizu Ishikawa Nakamura Hayashi`),
  bands: words(
    `Sunset Parade Orange Cats Blue Moon Pocket Rocket Neko Machine Starlight Kids Paper Lanterns`,
  ),
};

const hindi = {
  titles: words(`Dil Ishq Pyaar Sapna Chand Baarish Safar Jaadu Dhadkan Nazar Mausam Rang Khwaab Saathiya`),
  suffixes: ['Se', 'Ka Safar', 'Mein', 'Tera', 'Dobara', 'Ki Raat', 'Deewana', 'Re', 'Unplugged'],
  first: words(`Arjun Priya Rohan Ananya Vikram Kavya Aditya Meera Kabir Ishaan Neha Rahul Tara Dev`),
  last: words(`Sharma Kapoor Mehta Rao Iyer Malhotra Verma Bose Khanna Desai Reddy`),
};

function artistName(genre: Genre, random: Random): string {
  switch (genre) {
    case 'reggaeton':
      return random.pick([
        () => `${random.pick(spanish.first)} ${random.pick(spanish.last)}`,
        () => `DJ ${random.pick(spanish.first)}`,
        () => `Los ${random.pick(english.plurals)} del ${random.pick(spanish.titles)}`,
        () => `${random.pick(['Lil', 'El', 'La'])} ${random.pick(spanish.first)}`,
      ])();
    case 'sertanejo':
      return random.chance(0.6)
        ? `${random.pick(portuguese.first)} & ${random.pick(portuguese.first)}`
        : `${random.pick(portuguese.first)} ${random.pick(spanish.last)}`;
    case 'j-pop':
      return random.chance(0.6)
        ? `${random.pick(japanese.first)} ${random.pick(japanese.last)}`
        : `${random.pick(japanese.bands)} ${random.pick(japanese.titles)}`;
    case 'bollywood':
      return `${random.pick(hindi.first)} ${random.pick(hindi.last)}`;
    case 'hip-hop':
      return random.pick([
        () => `${random.pick(['Lil', 'Young', 'MC', 'Big'])} ${random.pick(english.nouns)}`,
        () => `${random.pick(english.first)} ${random.pick(english.nouns)}`,
        () => `${random.pick(english.adjectives)}${random.pick(english.nouns).toLowerCase()}`,
      ])();
    case 'electronic':
      return random.pick([
        () => `DJ ${random.pick(english.first)}`,
        () => `${random.pick(english.nouns)}${random.pick(['wave', 'tek', 'pulse', ' Theory', ' Unit'])}`,
        () => `${random.pick(english.adjectives)} ${random.pick(english.nouns)}`,
      ])();
    default:
      return random.pick([
        () => `The ${random.pick(english.adjectives)} ${random.pick(english.plurals)}`,
        () => `${random.pick(english.first)} ${random.pick(english.last)}`,
        () => `${random.pick(english.nouns)} & the ${random.pick(english.plurals)}`,
        () => `${random.pick(english.adjectives)} ${random.pick(english.nouns)}`,
      ])();
  }
}

function songTitle(genre: Genre, random: Random): string {
  switch (genre) {
    case 'reggaeton':
      return `${random.pick(spanish.titles)} ${random.pick(spanish.suffixes)}`;
    case 'sertanejo':
      return `${random.pick(portuguese.titles)} ${random.pick(portuguese.suffixes)}`;
    case 'j-pop':
      return `${random.pick(japanese.titles)} ${random.pick(japanese.suffixes)}`;
    case 'bollywood':
      return `${random.pick(hindi.titles)} ${random.pick(hindi.suffixes)}`;
    default:
      return random.pick([
        () => `${random.pick(english.adjectives)} ${random.pick(english.nouns)}`,
        () => `${random.pick(english.gerunds)} in the ${random.pick(english.nouns)}`,
        () =>
          `${random.pick(english.nouns)} of ${random.pick(english.adjectives)} ${random.pick(english.plurals)}`,
        () => random.pick(english.nouns),
        () => `${random.pick(english.adjectives)} ${random.pick(english.plurals)}`,
        () => `Don't Let the ${random.pick(english.nouns)} Go`,
      ])();
  }
}

interface Artist {
  name: string;
  genre: Genre;
}

/** Invents a catalog: about one artist per six songs, a few prolific artists, mostly one genre each. */
export function generateCatalog({ seed, songs = DEFAULT_CATALOG_SIZE }: CatalogOptions): Song[] {
  if (!Number.isInteger(songs) || songs < 1)
    throw new Error(`songs must be a positive integer, got ${songs}`);
  const random = createRandom(`catalog:${seed}`);
  const details = createRandom(`catalog-details:${seed}`);

  const artistCount = Math.max(1, Math.round(songs / 6));
  const artists: Artist[] = [];
  const taken = new Set<string>();
  while (artists.length < artistCount) {
    const genre = random.pick(genres);
    let name = artistName(genre, random);
    for (let suffix = 2; taken.has(name); suffix++)
      name = `${artistName(genre, random)}${suffix > 4 ? ` ${suffix}` : ''}`;
    taken.add(name);
    artists.push({ name, genre });
  }

  // Every artist gets one song; the rest go preferentially to the more prolific ones.
  const prolific = createWeightedSampler(artists.map(() => Math.exp(random.normal(0, 0.7))));
  const owners = Array.from({ length: songs }, (_, i) => (i < artistCount ? i : prolific.sample(random)));
  const order = shuffled(owners, random);

  const titlesByArtist = new Map<string, Set<string>>();
  return order.map((artistIndex, i) => {
    const artist = artists[artistIndex]!;
    const genre = random.chance(0.85) ? artist.genre : random.pick(genres);
    const used = titlesByArtist.get(artist.name) ?? new Set<string>();
    titlesByArtist.set(artist.name, used);
    let title = songTitle(genre, random);
    for (let attempt = 0; used.has(title) && attempt < 5; attempt++) title = songTitle(genre, random);
    if (used.has(title)) title = `${title} (Part ${used.size + 1})`;
    used.add(title);
    const song_id = songId(i + 1);
    return { song_id, title, artist: artist.name, genre, ...songDetails(song_id, genre, details) };
  });
}

/** The language each genre's invented titles are in. */
const languageOfGenre: Partial<Record<Genre, string>> = {
  reggaeton: 'es',
  sertanejo: 'pt',
  'j-pop': 'ja',
  bollywood: 'hi',
};
const NEWEST_SEEDED_YEAR = 2025;

/**
 * Language, release year and duration of an invented song. Drawn from a random stream of their own, so the
 * titles and artists of a seed are what they were before these fields existed. The duration is the length
 * the simulator has always given the song (a hash of its id). No home regions nor popularity: the seeded
 * catalog leaves those to the simulator's own seeded tastes.
 */
function songDetails(song_id: string, genre: Genre, random: Random) {
  return {
    language: languageOfGenre[genre] ?? 'en',
    // Mostly recent, as streams are.
    release_year: NEWEST_SEEDED_YEAR - Math.floor(random.next() ** 2 * 60),
    duration_ms: seededDurationMs(song_id),
    home_regions: null,
    popularity: null,
  };
}

/** Two to five and a half minutes, fixed per song id. */
export function seededDurationMs(song_id: string): number {
  return 120_000 + (hashString(song_id) % 210_000);
}

/** The chart over all regions together: the API's `global` pseudo-region. */
export const GLOBAL_REGION = 'global';

/** Names for the default regions, used when the browser cannot name a region itself. */
const KNOWN: Readonly<Record<string, string>> = {
  us: 'United States',
  gb: 'United Kingdom',
  de: 'Germany',
  fr: 'France',
  br: 'Brazil',
  mx: 'Mexico',
  jp: 'Japan',
  in: 'India',
};

let displayNames: Intl.DisplayNames | undefined;
try {
  displayNames = new Intl.DisplayNames(['en'], { type: 'region', fallback: 'none' });
} catch {
  displayNames = undefined;
}

/** The country name for an ISO 3166 alpha-2 code, or undefined when unknown. */
export function regionName(code: string): string | undefined {
  if (code === GLOBAL_REGION) return 'Global';
  const known = KNOWN[code];
  if (known) return known;
  if (!/^[a-z]{2}$/i.test(code) || !displayNames) return undefined;
  try {
    const name = displayNames.of(code.toUpperCase());
    return name === 'Unknown Region' ? undefined : name; // CLDR's name for "ZZ"
  } catch {
    return undefined;
  }
}

/** "Global", "us — United States", or the bare code when it is not a known ISO code. */
export function regionLabel(code: string): string {
  if (code === GLOBAL_REGION) return 'Global';
  const name = regionName(code);
  return name ? `${code} — ${name}` : code;
}

/** "Global", "United States", or the bare code when it is not a known ISO code: for headings and cards. */
export const regionTitle = (code: string): string => regionName(code) ?? code;

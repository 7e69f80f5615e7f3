// Countries as nonred stores them (SPEC §2): ISO 3166-1 alpha-2 upper case, or `unknown`.
// The list of valid codes comes from i18n-iso-countries, a maintained library, so that a
// code that does not exist ("XX", "UK") is refused rather than stored.
import countries from 'i18n-iso-countries';

const ALPHA2: ReadonlySet<string> = new Set(Object.keys(countries.getAlpha2Codes()));

export const UNKNOWN = 'unknown';

export function isCountryCode(value: string): boolean {
  return ALPHA2.has(value);
}

/** The 27 EU member states. */
export const EU27 = [
  'AT', 'BE', 'BG', 'HR', 'CY', 'CZ', 'DK', 'EE', 'FI', 'FR', 'DE', 'GR', 'HU', 'IE', 'IT',
  'LV', 'LT', 'LU', 'MT', 'NL', 'PL', 'PT', 'RO', 'SK', 'SI', 'ES', 'SE',
] as const;

/** Country groups accepted as input sugar in policies; stored expanded. */
export const COUNTRY_GROUPS: Readonly<Record<string, readonly string[]>> = {
  EU: EU27,
  'EEA-EFTA': ['IS', 'LI', 'NO'],
};

export function expandCountryGroups(values: readonly string[]): string[] {
  const out = new Set<string>();
  for (const v of values) {
    const group = COUNTRY_GROUPS[v];
    if (group) for (const c of group) out.add(c);
    else out.add(v);
  }
  return [...out].sort();
}

// Countries as nonred stores them (SPEC §2): ISO 3166-1 alpha-2 upper case, or `unknown`.
// Codes and English names come from i18n-iso-countries, a maintained library; an alias
// table adds what people write and the library lacks (PRC, Mainland China, Republic of
// China, Chinese Taipei, Hong Kong SAR, Macau, Viet Nam, UK…). An ambiguous or unknown
// name is an error, never a guess. Every importer, the CLI and the web forms use this
// one module; a signed declaration must already carry codes.
import { createRequire } from 'node:module';
import countries from 'i18n-iso-countries';

const require = createRequire(import.meta.url);
countries.registerLocale(require('i18n-iso-countries/langs/en.json') as Parameters<typeof countries.registerLocale>[0]);

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

/** Names people write that the library does not carry, or carries differently. */
const ALIASES: Readonly<Record<string, string>> = {
  'prc': 'CN', 'pr china': 'CN', 'mainland china': 'CN', 'china mainland': 'CN', 'peoples republic of china': 'CN',
  'republic of china': 'TW', 'roc': 'TW', 'chinese taipei': 'TW', 'taiwan roc': 'TW', 'taiwan republic of china': 'TW',
  'hong kong sar': 'HK', 'hong kong china': 'HK', 'hksar': 'HK', 'hong kong special administrative region': 'HK',
  'macau': 'MO', 'macau sar': 'MO', 'macao sar': 'MO', 'macao china': 'MO', 'macau china': 'MO', 'macao special administrative region': 'MO',
  'viet nam': 'VN', 'socialist republic of vietnam': 'VN',
  'uk': 'GB', 'england': 'GB', 'scotland': 'GB', 'wales': 'GB', 'northern ireland': 'GB',
  'korea south': 'KR', 's korea': 'KR', 'korea north': 'KP', 'dprk': 'KP', 'democratic peoples republic of korea': 'KP',
  'holland': 'NL', 'czech': 'CZ', 'russia federation': 'RU', 'burma': 'MM', 'ivory coast': 'CI',
};

/** Names that stand for more than one country, or for none. */
const AMBIGUOUS: Readonly<Record<string, readonly string[]>> = {
  'korea': ['KR', 'KP'],
  'congo': ['CD', 'CG'],
};
const REGIONS = new Set(['asia', 'europe', 'eu', 'european union', 'africa', 'america', 'americas', 'middle east', 'far east', 'latin america', 'oceania', 'emea', 'apac', 'global', 'worldwide', 'international']);

function nameKey(s: string): string {
  return s.normalize('NFKC').toLowerCase()
    .replace(/[’'`.]/g, '')
    .replace(/[,()/;:-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^the /, '');
}

const BY_NAME: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, Set<string>>();
  for (const [code, names] of Object.entries(countries.getNames('en', { select: 'all' }))) {
    for (const n of names as string[]) {
      const k = nameKey(n);
      const set = m.get(k) ?? new Set<string>();
      set.add(code);
      m.set(k, set);
    }
  }
  return new Map([...m].map(([k, v]) => [k, [...v].sort()]));
})();

export type CountryResult =
  | { ok: true; code: string }
  | { ok: false; reason: 'unknown' | 'ambiguous' | 'region'; message: string; candidates?: string[] };

/**
 * A country as a person wrote it → its ISO code. Accepts alpha-2 and alpha-3 codes in any
 * case, English names and the alias table, and the literal "unknown".
 */
export function normalizeCountry(input: string): CountryResult {
  const raw = input.normalize('NFKC').trim();
  if (raw.toLowerCase() === UNKNOWN) return { ok: true, code: UNKNOWN };
  if (/^[A-Za-z]{2}$/.test(raw) && ALPHA2.has(raw.toUpperCase())) return { ok: true, code: raw.toUpperCase() };
  if (/^[A-Za-z]{3}$/.test(raw)) {
    const a2 = countries.alpha3ToAlpha2(raw.toUpperCase());
    if (a2 !== undefined) return { ok: true, code: a2 };
  }
  const k = nameKey(raw);
  const alias = ALIASES[k];
  if (alias !== undefined) return { ok: true, code: alias };
  const amb = AMBIGUOUS[k];
  if (amb) return { ok: false, reason: 'ambiguous', candidates: [...amb], message: `"${input}" is ambiguous (${amb.join(' or ')}): write the country code` };
  if (REGIONS.has(k)) return { ok: false, reason: 'region', message: `"${input}" is a region, not a country` };
  const byName = BY_NAME.get(k);
  if (byName && byName.length === 1) return { ok: true, code: byName[0]! };
  if (byName && byName.length > 1) return { ok: false, reason: 'ambiguous', candidates: [...byName], message: `"${input}" is ambiguous (${byName.join(' or ')}): write the country code` };
  return { ok: false, reason: 'unknown', message: `"${input}" is not a country nonred knows: write an ISO 3166-1 code such as PL, TW or DE` };
}


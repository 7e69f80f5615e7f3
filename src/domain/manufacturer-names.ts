// Manufacturer names a BOM uses that nonred has never seen — no supplier speaks for them,
// no alias maps them, no declaration names them — with near matches among the known names
// (SPEC §5). Nothing is applied: a suggestion is for a person to confirm by adding an alias.
import { distance } from 'fastest-levenshtein';
import type { BomItem } from './bom.js';
import { normalizeName, type ManufacturerCanon } from './part-key.js';

export interface UnknownManufacturer {
  name: string;
  parts: number;
  suggestions: string[];
}

const squash = (s: string) => normalizeName(s).replace(/[^\p{L}\p{N}]/gu, '');

export function unknownManufacturers(items: readonly BomItem[], knownNames: readonly string[], canon: ManufacturerCanon): UnknownManufacturer[] {
  const known = new Set(knownNames.map((n) => canon.canonical(n)));
  // one suggestion per canonical manufacturer, spelled as its canonical name where known
  const byCanonical = new Map<string, string>();
  for (const n of knownNames) {
    const c = canon.canonical(n);
    const cur = byCanonical.get(c);
    if (cur === undefined || (normalizeName(n) === c && normalizeName(cur) !== c)) byCanonical.set(c, n);
  }
  const candidates = [...byCanonical.values()];
  const unknown = new Map<string, { name: string; parts: number }>();
  for (const it of items) {
    const c = canon.canonical(it.manufacturer);
    if (known.has(c)) continue;
    const e = unknown.get(c);
    if (e) e.parts++;
    else unknown.set(c, { name: it.manufacturer, parts: 1 });
  }
  return [...unknown.values()]
    .map((u) => {
      const sq = squash(u.name);
      const norm = normalizeName(u.name);
      const suggestions = candidates
        .map((k) => ({ k, d: squash(k) === sq ? 0 : distance(normalizeName(k), norm) }))
        .filter((x) => x.d <= 2)
        .sort((a, b) => a.d - b.d || (a.k < b.k ? -1 : 1))
        .slice(0, 5)
        .map((x) => x.k);
      return { name: u.name, parts: u.parts, suggestions };
    })
    .sort((a, b) => b.parts - a.parts || (a.name < b.name ? -1 : 1));
}

export function unknownManufacturersMessage(list: readonly UnknownManufacturer[]): string | null {
  if (list.length === 0) return null;
  const parts = list.reduce((n, u) => n + u.parts, 0);
  const names = list.slice(0, 10).map((u) => `${u.name}${u.suggestions.length > 0 ? ` (did you mean ${u.suggestions.map((s) => `"${s}"`).join(' or ')}?)` : ''}`);
  return `${parts} part${parts === 1 ? '' : 's'} name${parts === 1 ? 's' : ''} manufacturers with no supplier or declaration: ${names.join(', ')}${list.length > 10 ? `, and ${list.length - 10} more` : ''}`;
}

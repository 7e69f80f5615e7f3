// Part identity (SPEC §2): normalised (manufacturer, partNumber) pairs and the manufacturer
// alias registry that maps the many spellings of a maker onto one canonical name.

/** NFKC, trim, inner whitespace collapsed to one space, then lower case. */
export function normalizeName(value: string): string {
  // Most names are printable ASCII words with single spaces between them: already NFKC,
  // trimmed and collapsed, so only the case is left to fold (intake normalises 40 names
  // per declaration with 20 components, the walk one per part).
  if (PLAIN_WORDS.test(value)) return value.toLowerCase();
  // ASCII is its own NFKC form, and ICU normalisation is the costly step
  const nfkc = ASCII.test(value) ? value : value.normalize('NFKC');
  return nfkc.trim().replace(/\s+/gu, ' ').toLowerCase();
}
const PLAIN_WORDS = /^[!-~]+(?: [!-~]+)*$/;
const ASCII = /^\p{ASCII}*$/u;

/**
 * Maps normalised manufacturer names to their canonical normalised name. Built from the
 * admin-managed alias registry; a name that is no alias maps to itself.
 */
export interface ManufacturerCanon {
  canonical(name: string): string;
  /** the same for a name already normalised (normalizeName), as stored declarations carry it */
  canonicalNormalized(normalized: string): string;
}

export interface AliasEntry {
  /** the canonical manufacturer name, as registered */
  name: string;
  aliases: readonly string[];
}

export function buildCanon(entries: readonly AliasEntry[]): ManufacturerCanon {
  const map = new Map<string, string>();
  for (const entry of entries) {
    const target = normalizeName(entry.name);
    for (const alias of entry.aliases) map.set(normalizeName(alias), target);
  }
  // the walk asks for the same few names many thousand times; NFKC is not cheap
  const memo = new Map<string, string>();
  return {
    canonical(name: string): string {
      let c = memo.get(name);
      if (c === undefined) {
        const n = normalizeName(name);
        c = map.get(n) ?? n;
        if (memo.size < 1_000_000) memo.set(name, c);
      }
      return c;
    },
    canonicalNormalized(normalized: string): string {
      return map.get(normalized) ?? normalized;
    },
  };
}

// The key is written "<manufacturer>|<partNumber>" with '%' and '|' escaped inside each
// half, so that the pair can be read back unambiguously from a URL or a CSV cell.
function escapeHalf(s: string): string {
  return s.includes('%') || s.includes('|') ? s.replace(/%/g, '%25').replace(/\|/g, '%7C') : s;
}

export function partKey(canonicalManufacturer: string, normalizedPartNumber: string): string {
  return `${escapeHalf(canonicalManufacturer)}|${escapeHalf(normalizedPartNumber)}`;
}

export function partKeyOf(canon: ManufacturerCanon, manufacturer: string, partNumber: string): string {
  return partKey(canon.canonical(manufacturer), normalizeName(partNumber));
}

/** Reads a key back into its halves; null when the text is not a key. */
export function parsePartKey(key: string): { manufacturer: string; partNumber: string } | null {
  const parts = key.split('|');
  if (parts.length !== 2) return null;
  const [m, p] = parts as [string, string];
  if (m === '' || p === '') return null;
  return { manufacturer: m.includes('%') ? decodeURIComponent(m) : m, partNumber: p.includes('%') ? decodeURIComponent(p) : p };
}

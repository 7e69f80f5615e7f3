// Declarations as evidence (SPEC §3, §4, §6): which accepted declarations count at a given
// moment under a policy, and which one of several is *the* evidence for a part.
import type { DeclarationPayload, DeclaredComponent, Origin } from './declaration-schema.js';
import { normalizeName } from './part-key.js';
import { revocationExcludes, type KeyFacts } from './registry.js';

/** An accepted declaration as the evidence source hands it to the walk: what the walk reads of it. */
export interface DeclarationRecord {
  /** "sha256:<hex>" of the exact compact JWS bytes */
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
  /** the service's clock at acceptance — what revocation is judged on */
  receivedAt: string;
  /** the payload's issuedAt and expiresAt (null when it has none), in epoch milliseconds */
  issuedAtMs: number;
  expiresAtMs: number | null;
  /** the payload's part, origin and components, as signed */
  part: DeclarationPayload['part'];
  origin: Origin | undefined;
  components: readonly DeclaredComponent[];
  /** normalizeName of the part's manufacturer and part number */
  mfrNorm: string;
  pnNorm: string;
  /** normalizeName of each component's manufacturer and part number: [m0, p0, m1, p1, …] */
  componentNorms: readonly string[];
  /** accepted declarations of the same supplier that name this one's id in `supersedes` */
  successors: readonly SuccessorRef[];
}

/** A declaration as held in memory (offline, bundles, tests): its identity and the signed payload. */
export interface HeldDeclaration {
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
  receivedAt: string;
  payload: DeclarationPayload;
}

const NO_COMPONENTS: readonly DeclaredComponent[] = Object.freeze([]);

/** The walk's view of a held declaration. */
export function recordOf(h: HeldDeclaration, successors: readonly SuccessorRef[]): DeclarationRecord {
  const p = h.payload;
  const componentNorms: string[] = [];
  for (const c of p.components ?? []) componentNorms.push(normalizeName(c.manufacturer), normalizeName(c.partNumber));
  return {
    sha256: h.sha256, supplier: h.supplier, id: h.id, kid: h.kid, receivedAt: h.receivedAt,
    issuedAtMs: Date.parse(p.issuedAt), expiresAtMs: p.expiresAt === undefined ? null : Date.parse(p.expiresAt),
    part: p.part, origin: p.origin, components: p.components ?? NO_COMPONENTS,
    mfrNorm: normalizeName(p.part.manufacturer), pnNorm: normalizeName(p.part.partNumber), componentNorms, successors,
  };
}

export interface SuccessorRef {
  sha256: string;
  kid: string;
  receivedAt: string;
}

/** Where the walk gets declarations from: the database, a folder, a benchmark's arrays. */
export interface EvidenceSource {
  /** every accepted declaration whose part number normalises to one of these */
  byPartNumbers(normalizedPartNumbers: readonly string[]): DeclarationRecord[];
  /** accepted declarations by "sha256:<hex>"; absent ones are simply missing from the map */
  bySha256(shas: readonly string[]): Map<string, DeclarationRecord>;
}

export type Invalidity = 'superseded' | 'expired' | 'revoked';

const DAY_MS = 86_400_000;

/**
 * Why a declaration does not count at `nowMs`, or null when it does. Supersession wins
 * over the other reasons: a replaced declaration is silently out of the picture, and does
 * not come back if its successor later expires. A successor whose own key was compromised
 * at its receipt never counted, so it replaces nothing.
 */
export function invalidity(
  rec: DeclarationRecord,
  nowMs: number,
  maxAgeDays: number,
  keys: ReadonlyMap<string, KeyFacts>,
): Invalidity | null {
  for (const s of rec.successors) {
    if (!revocationExcludes(keys.get(s.kid), s.receivedAt)) return 'superseded';
  }
  if (revocationExcludes(keys.get(rec.kid), rec.receivedAt)) return 'revoked';
  if (rec.expiresAtMs !== null && rec.expiresAtMs <= nowMs) return 'expired';
  if (rec.issuedAtMs + maxAgeDays * DAY_MS < nowMs) return 'expired';
  return null;
}

/**
 * Selection order for evidence: direct before third-party, then the most recently issued,
 * then the smaller sha256 — a total order, so the choice never depends on storage order.
 */
export function compareEvidence(
  a: DeclarationRecord,
  b: DeclarationRecord,
  isDirect: (rec: DeclarationRecord) => boolean,
): number {
  const da = isDirect(a) ? 0 : 1;
  const db = isDirect(b) ? 0 : 1;
  if (da !== db) return da - db;
  if (a.issuedAtMs !== b.issuedAtMs) return b.issuedAtMs - a.issuedAtMs;
  return a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;
}

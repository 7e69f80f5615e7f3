// Declarations as evidence (SPEC §3, §4, §6): which accepted declarations count at a given
// moment under a policy, and which one of several is *the* evidence for a part.
import type { DeclarationPayload } from './declaration-schema.js';
import { revocationExcludes, type KeyFacts } from './registry.js';

/** An accepted declaration as the evidence source hands it to the walk. */
export interface DeclarationRecord {
  /** "sha256:<hex>" of the exact compact JWS bytes */
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
  /** the service's clock at acceptance — what revocation is judged on */
  receivedAt: string;
  payload: DeclarationPayload;
  /** accepted declarations of the same supplier that name this one's id in `supersedes` */
  successors: readonly SuccessorRef[];
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
  const p = rec.payload;
  if (p.expiresAt !== undefined && Date.parse(p.expiresAt) <= nowMs) return 'expired';
  if (Date.parse(p.issuedAt) + maxAgeDays * DAY_MS < nowMs) return 'expired';
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
  const ia = Date.parse(a.payload.issuedAt);
  const ib = Date.parse(b.payload.issuedAt);
  if (ia !== ib) return ib - ia;
  return a.sha256 < b.sha256 ? -1 : a.sha256 > b.sha256 ? 1 : 0;
}

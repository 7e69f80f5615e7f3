// Declarations as evidence (SPEC §3, §4, §6): which accepted declarations count at a given
// moment under a policy, and which one of several is *the* evidence for a part.
import type { Category } from './categories.js';
import type { JsonWriter } from './json-writer.js';
import type { DeclarationPayload, DeclaredComponent, Origin } from './declaration-schema.js';
import { normalizeName } from './part-key.js';
import { revocationExcludes, type KeyFacts } from './registry.js';

/** The members of a declaration's part that reports show, as signed. */
export interface ShownPart {
  manufacturer: string;
  partNumber: string;
  name: string;
  category: Category;
}

/**
 * An accepted declaration as the evidence source hands it to the walk: what the walk reads
 * of it. A 100,000-node walk reads 100,000 of these, so a source may keep most of a record
 * encoded and decode a member only when it is read (see db/walk-record.ts): the members
 * every walk reads are plain fields, the others getters, and components are read one by
 * one rather than as an array of objects.
 */
export interface DeclarationRecord {
  /** "sha256:<hex>" of the exact compact JWS bytes */
  readonly sha256: string;
  readonly supplier: string;
  readonly id: string;
  readonly kid: string;
  /** the service's clock at acceptance, in epoch milliseconds — what revocation is judged on */
  readonly receivedAtMs: number;
  /** the payload's issuedAt and expiresAt (null when it has none), in epoch milliseconds */
  readonly issuedAtMs: number;
  readonly expiresAtMs: number | null;
  readonly category: Category;
  readonly origin: Origin | undefined;
  /** normalizeName of the part's manufacturer and part number */
  readonly mfrNorm: string;
  readonly pnNorm: string;
  /** accepted declarations of the same supplier that name this one's id in `supersedes` */
  readonly successors: readonly SuccessorRef[];
  readonly part: ShownPart;
  /** the ShownPart as JSON text, members in order */
  readonly partJson: string;
  /** Writes the ShownPart's members as JSON, without the braces: reports take them as they are. */
  writePartMembers(w: JsonWriter): void;
  readonly componentCount: number;
  /** component j's manufacturer and part number, normalised (normalizeName) */
  componentMfr(j: number): string;
  componentPn(j: number): string;
  /** component j's quantity, 1 when not given */
  componentQuantity(j: number): number;
  componentCategory(j: number): Category | null;
  /** true when no component carries an origin or a declaration reference */
  readonly componentsPlain: boolean;
  /** the payload's components as signed */
  readonly components: readonly DeclaredComponent[];
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

/** The JSON text of a part's ShownPart, members in order. */
export function partJsonOf(part: DeclarationPayload['part']): string {
  return JSON.stringify({ manufacturer: part.manufacturer, partNumber: part.partNumber, name: part.name, category: part.category });
}

/** The walk's view of a held declaration: everything computed from the payload at once. */
class HeldRecord implements DeclarationRecord {
  readonly receivedAtMs: number;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number | null;
  readonly category: Category;
  readonly origin: Origin | undefined;
  readonly mfrNorm: string;
  readonly pnNorm: string;
  readonly part: ShownPart;
  readonly components: readonly DeclaredComponent[];
  readonly componentCount: number;
  readonly componentsPlain: boolean;
  readonly partJson: string;
  readonly #norms: string[] = [];

  constructor(private readonly h: HeldDeclaration, readonly successors: readonly SuccessorRef[]) {
    const p = h.payload;
    this.receivedAtMs = Date.parse(h.receivedAt);
    this.issuedAtMs = Date.parse(p.issuedAt);
    this.expiresAtMs = p.expiresAt === undefined ? null : Date.parse(p.expiresAt);
    this.category = p.part.category;
    this.origin = p.origin;
    this.mfrNorm = normalizeName(p.part.manufacturer);
    this.pnNorm = normalizeName(p.part.partNumber);
    this.part = { manufacturer: p.part.manufacturer, partNumber: p.part.partNumber, name: p.part.name, category: p.part.category };
    this.partJson = partJsonOf(p.part);
    this.components = p.components ?? NO_COMPONENTS;
    this.componentCount = this.components.length;
    this.componentsPlain = this.components.every((c) => c.origin === undefined && c.declaration === undefined);
    for (const c of this.components) this.#norms.push(normalizeName(c.manufacturer), normalizeName(c.partNumber));
  }

  get sha256(): string { return this.h.sha256; }
  get supplier(): string { return this.h.supplier; }
  get id(): string { return this.h.id; }
  get kid(): string { return this.h.kid; }
  writePartMembers(w: JsonWriter): void { w.raw(this.partJson.slice(1, -1)); }
  componentMfr(j: number): string { return this.#norms[2 * j]!; }
  componentPn(j: number): string { return this.#norms[2 * j + 1]!; }
  componentQuantity(j: number): number { return this.components[j]!.quantity ?? 1; }
  componentCategory(j: number): Category | null { return this.components[j]!.category ?? null; }
}

export function recordOf(h: HeldDeclaration, successors: readonly SuccessorRef[]): DeclarationRecord {
  return new HeldRecord(h, successors);
}

export interface SuccessorRef {
  sha256: string;
  kid: string;
  receivedAtMs: number;
}

/** Where the walk gets declarations from: the database, a folder, a benchmark's arrays. */
export interface EvidenceSource {
  /**
   * Every accepted declaration whose part number normalises to one of these, in no
   * particular order. Iterate it once, at once: it may be read as it is iterated.
   */
  byPartNumbers(normalizedPartNumbers: readonly string[]): Iterable<DeclarationRecord>;
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
    if (!revocationExcludes(keys.get(s.kid), s.receivedAtMs)) return 'superseded';
  }
  if (revocationExcludes(keys.get(rec.kid), rec.receivedAtMs)) return 'revoked';
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

// The walk column: what the walk reads of a declaration, kept beside its payload in a
// compact binary layout. A 100,000-node walk reads 100,000 of these; as JSON they cost a
// dozen objects each to parse, and that (with the garbage collector's copying of them)
// was most of the walk's time. In this layout a record is read in place: its numbers and
// a few interned strings at once, everything else (names, components, the part's JSON)
// only when the walk asks, and the part's JSON goes into reports byte for byte.
//
// Layout, little-endian; a string is a u32 byte length, then UTF-8 (with the top bit of
// the length set, the string was not well-formed UTF-16 and is stored as a JSON literal):
//
//   head   f64 receivedAtMs · i32 originId (-1: none) — both stamped when the declaration
//          is stored (stampWalkRecord) — · str sha256 ("sha256:<hex>") · str supplier
//          str id · str kid
//   tail   +0 f64 issuedAtMs · +8 f64 expiresAtMs (NaN: none) · +16 u8 flags (1: no
//          component carries an origin or a declaration reference) · +17 u8 category
//          (index in CATEGORIES) · +18 u16 0 · +20 u32 component count · +24 str mfrNorm
//          str pnNorm · str partJson (ShownPart) · the component table, 20 bytes each:
//          u32 offset of its mfrNorm, u32 of its pnNorm (both from the record's start),
//          f64 quantity, u8 category (255: none), 3 bytes 0 · the components' strings
// Everything but the two stamped fields comes from the verified JWS (a verify worker
// encodes it).
// The components themselves (names as signed, origins, references) are read from the
// payload, and only for a record whose components the walk needs whole.
import { CATEGORIES, type Category } from '../domain/categories.js';
import type { DeclarationPayload, DeclaredComponent, Origin } from '../domain/declaration-schema.js';
import { partJsonOf, type DeclarationRecord, type ShownPart, type SuccessorRef } from '../domain/evidence.js';
import type { JsonWriter } from '../domain/json-writer.js';
import { normalizeName } from '../domain/part-key.js';

const ESCAPED = 0x8000_0000;
const LENGTH = 0x7fff_ffff;
const NO_CATEGORY = 255;
const PLAIN = 1;
const CATEGORY_INDEX = new Map<string, number>(CATEGORIES.map((c, i) => [c, i]));
const LONE_SURROGATE = /\p{Surrogate}/u;

/** Appends to a growing buffer. */
class ByteWriter {
  buf: Buffer;
  len = 0;

  constructor(sizeHint: number) {
    this.buf = Buffer.allocUnsafe(sizeHint);
  }

  #room(n: number): void {
    if (this.buf.length - this.len >= n) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.len + n));
    this.buf.copy(next, 0, 0, this.len);
    this.buf = next;
  }

  u8(v: number): void {
    this.#room(1);
    this.buf[this.len++] = v;
  }

  u16(v: number): void {
    this.#room(2);
    this.len = this.buf.writeUInt16LE(v, this.len);
  }

  u32(v: number): void {
    this.#room(4);
    this.len = this.buf.writeUInt32LE(v, this.len);
  }

  i32(v: number): void {
    this.#room(4);
    this.len = this.buf.writeInt32LE(v, this.len);
  }

  f64(v: number): void {
    this.#room(8);
    this.len = this.buf.writeDoubleLE(v, this.len);
  }

  str(s: string): void {
    const escaped = LONE_SURROGATE.test(s);
    const text = escaped ? JSON.stringify(s) : s;
    const n = Buffer.byteLength(text, 'utf8');
    this.#room(4 + n);
    this.len = this.buf.writeUInt32LE(escaped ? (n | ESCAPED) >>> 0 : n, this.len);
    this.len += this.buf.write(text, this.len, 'utf8');
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}

export interface WalkIdentity {
  /** lower-case hex */
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
}

/** A declaration's walk record, to be stamped with its receipt time and origin when stored. */
export function encodeWalkRecord(identity: WalkIdentity, p: DeclarationPayload): Uint8Array {
  const comps = p.components ?? [];
  const w = new ByteWriter(1024 + 64 * comps.length);
  w.f64(NaN); // receivedAtMs
  w.i32(-1); // originId
  w.str(`sha256:${identity.sha256}`);
  w.str(identity.supplier);
  w.str(identity.id);
  w.str(identity.kid);
  w.f64(Date.parse(p.issuedAt));
  w.f64(p.expiresAt === undefined ? NaN : Date.parse(p.expiresAt));
  w.u8(comps.every((c) => c.origin === undefined && c.declaration === undefined) ? PLAIN : 0);
  w.u8(CATEGORY_INDEX.get(p.part.category)!);
  w.u16(0);
  w.u32(comps.length);
  w.str(normalizeName(p.part.manufacturer));
  w.str(normalizeName(p.part.partNumber));
  w.str(partJsonOf(p.part));
  const table = w.len;
  for (let j = 0; j < comps.length; j++) {
    w.u32(0);
    w.u32(0);
    w.f64(comps[j]!.quantity ?? 1);
    w.u8(comps[j]!.category === undefined ? NO_CATEGORY : CATEGORY_INDEX.get(comps[j]!.category!)!);
    w.u8(0);
    w.u16(0);
  }
  for (let j = 0; j < comps.length; j++) {
    w.buf.writeUInt32LE(w.len, table + 20 * j);
    w.str(normalizeName(comps[j]!.manufacturer));
    w.buf.writeUInt32LE(w.len, table + 20 * j + 4);
    w.str(normalizeName(comps[j]!.partNumber));
  }
  // its own exactly-sized memory: posted from a verify worker, a view of a larger
  // buffer would take all of that buffer with it
  return new Uint8Array(w.bytes());
}

/** Writes the receipt time and the origin's id (null: none) into a walk record. */
export function stampWalkRecord(record: Uint8Array, receivedAt: string, originId: number | null): void {
  const view = new DataView(record.buffer, record.byteOffset, record.byteLength);
  view.setFloat64(0, Date.parse(receivedAt), true);
  view.setInt32(8, originId ?? -1, true);
}

function strLength(buf: Buffer, at: number): number {
  return buf.readUInt32LE(at) & LENGTH;
}

/** The string at `at`. */
function str(buf: Buffer, at: number): string {
  const h = buf.readUInt32LE(at);
  const s = buf.toString('utf8', at + 4, at + 4 + (h & LENGTH));
  return (h & ESCAPED) === 0 ? s : (JSON.parse(s) as string);
}

/** Where the string after the one at `at` begins. */
function next(buf: Buffer, at: number): number {
  return at + 4 + strLength(buf, at);
}

export interface RecordContext {
  /** keeps one copy of strings that many records repeat */
  intern(s: string): string;
  origin(id: number): Origin | undefined;
  /** the components of the declaration "sha256:<hex>" as signed (read from its payload) */
  components(sha256: string): readonly DeclaredComponent[];
}

const NO_COMPONENTS: readonly DeclaredComponent[] = Object.freeze([]);

/** A record read in place from its walk column (see the layout above). */
export class StoredRecord implements DeclarationRecord {
  readonly sha256: string;
  readonly supplier: string;
  readonly kid: string;
  readonly category: Category;
  readonly origin: Origin | undefined;
  readonly mfrNorm: string;
  readonly pnNorm: string;
  readonly componentCount: number;
  readonly componentsPlain: boolean;
  readonly #buf: Buffer;
  readonly #start: number;
  /** where the tail begins (see the layout above) */
  readonly #tail: number;

  readonly #partAt: number;
  readonly #ctx: RecordContext;
  #part: ShownPart | undefined;
  #components: readonly DeclaredComponent[] | undefined;

  /** `pnNorm`: the part number the record was looked up by, when known (else read). */
  constructor(buf: Buffer, start: number, ctx: RecordContext, readonly successors: readonly SuccessorRef[], pnNorm: string | null) {
    this.#buf = buf;
    this.#start = start;
    this.#ctx = ctx;
    const originId = buf.readInt32LE(start + 8);
    this.origin = originId === -1 ? undefined : ctx.origin(originId);
    let at = start + 12;
    this.sha256 = str(buf, at);
    at = next(buf, at);
    this.supplier = ctx.intern(str(buf, at));
    at = next(buf, next(buf, at)); // (id: read when asked for)
    this.kid = ctx.intern(str(buf, at));
    const tail = next(buf, at);
    this.#tail = tail;
    this.componentsPlain = (buf[tail + 16]! & PLAIN) !== 0;
    this.category = CATEGORIES[buf[tail + 17]!]!;
    this.componentCount = buf.readUInt32LE(tail + 20);
    const mfrAt = tail + 24;
    this.mfrNorm = ctx.intern(str(buf, mfrAt));
    const pnAt = next(buf, mfrAt);
    this.pnNorm = pnNorm ?? str(buf, pnAt);
    this.#partAt = next(buf, pnAt);
  }

  // The times are read when asked for: as fields they would be three more objects per
  // record (a double in a field is a heap number of its own), kept as long as the record.
  get receivedAtMs(): number {
    return this.#buf.readDoubleLE(this.#start);
  }

  get issuedAtMs(): number {
    return this.#buf.readDoubleLE(this.#tail);
  }

  get expiresAtMs(): number | null {
    const expires = this.#buf.readDoubleLE(this.#tail + 8);
    return Number.isNaN(expires) ? null : expires;
  }

  get id(): string {
    // after the hash and the supplier
    return str(this.#buf, next(this.#buf, next(this.#buf, this.#start + 12)));
  }

  get part(): ShownPart {
    return (this.#part ??= JSON.parse(this.partJson) as ShownPart);
  }

  get partJson(): string {
    return str(this.#buf, this.#partAt);
  }

  writePartMembers(w: JsonWriter): void {
    // the ShownPart's JSON without its braces (it is always well-formed: JSON.stringify's)
    const at = this.#partAt + 4;
    w.rawBytes(this.#buf, at + 1, at + strLength(this.#buf, this.#partAt) - 1);
  }

  #entry(j: number): number {
    return this.#partAt + 4 + strLength(this.#buf, this.#partAt) + 20 * j;
  }

  componentMfr(j: number): string {
    return this.#ctx.intern(str(this.#buf, this.#start + this.#buf.readUInt32LE(this.#entry(j))));
  }

  componentPn(j: number): string {
    return str(this.#buf, this.#start + this.#buf.readUInt32LE(this.#entry(j) + 4));
  }

  componentQuantity(j: number): number {
    return this.#buf.readDoubleLE(this.#entry(j) + 8);
  }

  componentCategory(j: number): Category | null {
    const c = this.#buf[this.#entry(j) + 16]!;
    return c === NO_CATEGORY ? null : CATEGORIES[c]!;
  }

  get components(): readonly DeclaredComponent[] {
    return (this.#components ??= this.componentCount === 0 ? NO_COMPONENTS : this.#ctx.components(this.sha256));
  }
}

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
//   head, written when the declaration is stored
//     f64 receivedAtMs · i32 originId (-1: none) · str sha256 ("sha256:<hex>") · str supplier
//     str id · str kid · str receivedAt
//   tail, from the signed payload alone (a verify worker computes it)
//     +0 f64 issuedAtMs · +8 f64 expiresAtMs (NaN: none) · +16 u8 flags (1: no component
//     carries an origin or a declaration reference) · +17 u8 category (index in CATEGORIES)
//     +18 u16 0 · +20 u32 component count · +24 u32 offset of componentsJson in the tail
//     +28 str mfrNorm · str pnNorm · str partJson (ShownPart) · the component table, 20
//     bytes each: u32 offset of its mfrNorm, u32 of its pnNorm (in the tail), f64 quantity,
//     u8 category (255: none), 3 bytes 0 · the components' strings · str componentsJson
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
  buf = Buffer.allocUnsafe(512);
  len = 0;

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

/** The tail of a walk record, from the payload alone. */
export function encodeWalkTail(p: DeclarationPayload): Buffer {
  const comps = p.components ?? [];
  const w = new ByteWriter();
  w.f64(Date.parse(p.issuedAt));
  w.f64(p.expiresAt === undefined ? NaN : Date.parse(p.expiresAt));
  w.u8(comps.every((c) => c.origin === undefined && c.declaration === undefined) ? PLAIN : 0);
  w.u8(CATEGORY_INDEX.get(p.part.category)!);
  w.u16(0);
  w.u32(comps.length);
  const jsonAt = w.len;
  w.u32(0); // offset of componentsJson, filled in below
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
  w.buf.writeUInt32LE(w.len, jsonAt);
  w.str(comps.length === 0 ? '' : JSON.stringify(comps));
  return Buffer.from(w.bytes());
}

export interface WalkHead {
  /** lower-case hex */
  sha256: string;
  supplier: string;
  id: string;
  kid: string;
  receivedAt: string;
}

/** A whole walk record: the head, then the tail. */
export function encodeWalkRecord(head: WalkHead, originId: number | null, tail: Uint8Array): Buffer {
  const w = new ByteWriter();
  w.f64(Date.parse(head.receivedAt));
  w.i32(originId ?? -1);
  w.str(`sha256:${head.sha256}`);
  w.str(head.supplier);
  w.str(head.id);
  w.str(head.kid);
  w.str(head.receivedAt);
  return Buffer.concat([w.bytes(), tail]);
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
}

const NO_COMPONENTS: readonly DeclaredComponent[] = Object.freeze([]);

/** A record read in place from its walk column (see the layout above). */
export class StoredRecord implements DeclarationRecord {
  readonly sha256: string;
  readonly supplier: string;
  readonly kid: string;
  readonly receivedAtMs: number;
  readonly issuedAtMs: number;
  readonly expiresAtMs: number | null;
  readonly category: Category;
  readonly origin: Origin | undefined;
  readonly mfrNorm: string;
  readonly pnNorm: string;
  readonly componentCount: number;
  readonly componentsPlain: boolean;
  readonly #buf: Buffer;
  readonly #start: number;
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
    this.receivedAtMs = buf.readDoubleLE(start);
    const originId = buf.readInt32LE(start + 8);
    this.origin = originId === -1 ? undefined : ctx.origin(originId);
    let at = start + 12;
    this.sha256 = str(buf, at);
    at = next(buf, at);
    this.supplier = ctx.intern(str(buf, at));
    at = next(buf, next(buf, at)); // (id: read when asked for)
    this.kid = ctx.intern(str(buf, at));
    const tail = next(buf, next(buf, at)); // (receivedAt: idem)
    this.#tail = tail;
    this.issuedAtMs = buf.readDoubleLE(tail);
    const expires = buf.readDoubleLE(tail + 8);
    this.expiresAtMs = Number.isNaN(expires) ? null : expires;
    this.componentsPlain = (buf[tail + 16]! & PLAIN) !== 0;
    this.category = CATEGORIES[buf[tail + 17]!]!;
    this.componentCount = buf.readUInt32LE(tail + 20);
    const mfrAt = tail + 28;
    this.mfrNorm = ctx.intern(str(buf, mfrAt));
    const pnAt = next(buf, mfrAt);
    this.pnNorm = pnNorm ?? str(buf, pnAt);
    this.#partAt = next(buf, pnAt);
  }

  /** The head's strings after the hash: supplier, id, kid, receivedAt. */
  #headString(k: number): string {
    let at = next(this.#buf, this.#start + 12);
    for (let i = 0; i < k; i++) at = next(this.#buf, at);
    return str(this.#buf, at);
  }

  get id(): string {
    return this.#headString(1);
  }

  get receivedAt(): string {
    return this.#headString(3);
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
    return this.#ctx.intern(str(this.#buf, this.#tail + this.#buf.readUInt32LE(this.#entry(j))));
  }

  componentPn(j: number): string {
    return str(this.#buf, this.#tail + this.#buf.readUInt32LE(this.#entry(j) + 4));
  }

  componentQuantity(j: number): number {
    return this.#buf.readDoubleLE(this.#entry(j) + 8);
  }

  componentCategory(j: number): Category | null {
    const c = this.#buf[this.#entry(j) + 16]!;
    return c === NO_CATEGORY ? null : CATEGORIES[c]!;
  }

  get components(): readonly DeclaredComponent[] {
    if (this.#components === undefined) {
      const json = str(this.#buf, this.#tail + this.#buf.readUInt32LE(this.#tail + 24));
      this.#components = json === '' ? NO_COMPONENTS : (JSON.parse(json) as DeclaredComponent[]);
    }
    return this.#components;
  }
}

// The CPU-bound part of intake, for one submitted line: the 400-phase (compact form, strict
// base64url, strict JSON) and the 422-phase (header, key, signature, schema, time), ending
// in the plain fields the store writes. Nothing here touches the database: the keys the
// lines name are looked up by the caller and handed in. So the same function runs on the
// main thread and in the verify workers (verify-worker.ts), and results cross threads as
// plain data.
import type { webcrypto } from 'node:crypto';
import { importVerifyKey, type SupplierAlg } from '../crypto/jwk.js';
import { decodeCompactJws, detachJwsPayload, verifyDecodedDeclaration, type DecodedJws } from '../crypto/verify-declaration.js';
import { encodeWalkRecord } from '../db/walk-record.js';
import type { DeclarationPayload } from '../domain/declaration-schema.js';
import { normalizeName } from '../domain/part-key.js';
import { Problem, type ProblemDetailItem } from '../problem.js';

export interface SubmittedLine {
  line: number;
  text: string;
}

/** A registered key as the checks need it (status is re-checked when storing). */
export interface KeyInfo {
  supplier: string;
  alg: SupplierAlg;
  jwk: string;
  status: 'active' | 'revoked';
}

/** A problem as plain data, to cross a thread boundary. */
export interface ProblemData {
  status: number;
  code: string;
  detail: string;
  errors?: ProblemDetailItem[];
}

export interface AcceptedFields {
  sha256: string;
  kid: string;
  supplier: string;
  id: string;
  issuedAt: string;
  expiresAt: string | null;
  supersedes: string | null;
  mfrNorm: string;
  pnNorm: string;
  /** the payload exactly as signed */
  payloadText: string;
  /** the payload's origin as JSON, null when it has none (stored once per text: see originIdOf) */
  originJson: string | null;
  /** the walk record, to be stamped when stored (see db/walk-record.ts) */
  walkRecord: Uint8Array;
  /** the JWS with its payload segment left out ("header..signature") */
  detachedJws: string;
}

export type CheckedLine =
  | { line: number; ok: true; fields: AcceptedFields }
  | { line: number; ok: false; sha256: string | null; problem: ProblemData };

export function problemData(p: Problem): ProblemData {
  return { status: p.status, code: p.code, detail: p.message, ...(p.errors ? { errors: p.errors } : {}) };
}

export function problemFromData(d: ProblemData): Problem {
  return new Problem(d.status, d.code, d.detail, d.errors ? { errors: d.errors } : {});
}

/**
 * The kid a line's header names, read leniently: only to know which keys to hand to the
 * checks, which then decode the header strictly. Null when it cannot be read.
 */
export function peekKid(text: string): string | null {
  const dot = text.indexOf('.');
  if (dot <= 0) return null;
  try {
    const header = JSON.parse(Buffer.from(text.slice(0, dot).trim(), 'base64url').toString('utf8')) as unknown;
    const kid = (header as { kid?: unknown } | null)?.kid;
    return typeof kid === 'string' ? kid : null;
  } catch {
    return null;
  }
}

// Imported public keys, by JWK text (a kid's key never changes, its status may); one
// cache per thread. Imported once: a batch verifies many declarations under few keys.
const imported = new Map<string, Promise<webcrypto.CryptoKey>>();

function importedKey(info: KeyInfo): Promise<webcrypto.CryptoKey> {
  let key = imported.get(info.jwk);
  if (!key) {
    if (imported.size >= 10_000) imported.clear();
    imported.set(info.jwk, (key = importVerifyKey(info.jwk, info.alg)));
  }
  return key;
}

function fieldsOf(decoded: DecodedJws, kid: string): AcceptedFields {
  const raw = decoded.payload as Record<string, unknown> & {
    supplier: string; id: string; issuedAt: string; expiresAt?: string; supersedes?: string;
    part: { manufacturer: string; partNumber: string };
  };
  return {
    sha256: decoded.sha256, kid, supplier: raw.supplier, id: raw.id, issuedAt: raw.issuedAt,
    expiresAt: raw.expiresAt ?? null, supersedes: raw.supersedes ?? null,
    mfrNorm: normalizeName(raw.part.manufacturer), pnNorm: normalizeName(raw.part.partNumber),
    payloadText: decoded.payloadText, originJson: raw.origin === undefined ? null : JSON.stringify(raw.origin),
    walkRecord: encodeWalkRecord({ sha256: decoded.sha256, supplier: raw.supplier, id: raw.id, kid }, decoded.payload as DeclarationPayload),
    detachedJws: detachJwsPayload(decoded.token),
  };
}

/**
 * Checks every line. Each signature check starts as soon as its line is decoded: WebCrypto
 * runs it on the libuv thread pool while this thread decodes the next lines.
 */
export async function checkLines(lines: readonly SubmittedLine[], keys: ReadonlyMap<string, KeyInfo>, nowMs: number): Promise<CheckedLine[]> {
  const now = new Date(nowMs);
  const lookupKey = (kid: string) => {
    const info = keys.get(kid);
    return info && { supplier: info.supplier, alg: info.alg, key: importedKey(info), status: info.status };
  };
  return Promise.all(lines.map(async ({ line, text }): Promise<CheckedLine> => {
    let decoded: DecodedJws | undefined;
    try {
      decoded = decodeCompactJws(text);
      const v = await verifyDecodedDeclaration(decoded, { lookupKey, now });
      return { line, ok: true, fields: fieldsOf(decoded, v.kid) };
    } catch (e) {
      if (!(e instanceof Problem)) throw e;
      return { line, ok: false, sha256: decoded?.sha256 ?? null, problem: problemData(e) };
    }
  }));
}

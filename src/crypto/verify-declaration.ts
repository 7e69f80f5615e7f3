// Every rule of SPEC §3 a declaration must pass before anything is stored. Used by the
// service at intake and by the CLI's `inspect` and offline `check` — one implementation.
// Encoding and structure first (400), then header, signature and schema (422).
import { createHash, type KeyObject, type webcrypto } from 'node:crypto';
import { compactVerify } from 'jose';
import { declarationPayloadSchema, type DeclarationPayload } from '../domain/declaration-schema.js';
import { Problem, zodErrors } from '../problem.js';
import { decodeStrictBase64url } from './base64url.js';
import type { SupplierAlg } from './jwk.js';
import { parseStrictJson } from './strict-json.js';

export const MAX_PAYLOAD_BYTES = 256 * 1024;
export const DECLARATION_TYP = 'nonred-declaration+jws';
const ALLOWED_ALGS: ReadonlySet<string> = new Set(['EdDSA', 'ES256']);
const HEADER_MEMBERS = ['alg', 'kid', 'typ'] as const;
const FUTURE_SKEW_MS = 5 * 60 * 1000;

export interface DecodedJws {
  /** the compact serialization, whitespace around it removed */
  token: string;
  /** lower-case hex SHA-256 of the token's bytes: the declaration's identity */
  sha256: string;
  header: Record<string, unknown>;
  payload: Record<string, unknown>;
  /** the payload exactly as signed (UTF-8 JSON text) */
  payloadText: string;
}

export interface KeyForVerify {
  supplier: string;
  alg: SupplierAlg;
  /** a CryptoKey (imported once and cached by the caller) verifies fastest */
  key: KeyObject | webcrypto.CryptoKey | Promise<webcrypto.CryptoKey>;
  status: 'active' | 'revoked';
}

export interface VerifiedDeclaration {
  token: string;
  sha256: string;
  kid: string;
  alg: SupplierAlg;
  payload: DeclarationPayload;
  /** the payload exactly as signed */
  payloadText: string;
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

function decodeJsonSegment(segment: string, what: 'header' | 'payload'): { value: Record<string, unknown>; text: string } {
  const bytes = decodeStrictBase64url(segment);
  if (bytes === null) {
    throw new Problem(400, 'declaration.bad_base64url', `the ${what} is not strict base64url (no padding, no whitespace, no non-zero spare bits)`);
  }
  if (what === 'payload' && bytes.length > MAX_PAYLOAD_BYTES) {
    throw new Problem(413, 'request.too_large', `the payload is ${bytes.length} bytes; at most ${MAX_PAYLOAD_BYTES} are accepted`);
  }
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    throw new Problem(400, 'declaration.malformed_json', `the ${what} is not UTF-8`);
  }
  const parsed = parseStrictJson(text);
  if (!parsed.ok) {
    if (parsed.reason === 'duplicate') throw new Problem(400, 'declaration.duplicate_key', `the ${what} JSON has a ${parsed.detail}`);
    throw new Problem(400, 'declaration.malformed_json', `the ${what} is not valid JSON: ${parsed.detail}`);
  }
  const v = parsed.value;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw new Problem(400, 'declaration.malformed_json', `the ${what} must be a JSON object`);
  }
  return { value: v as Record<string, unknown>, text };
}

// (the regular expression alone has to look at every character for its end anchor)
function isJsonSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** The 400-phase: compact serialization, strict base64url, JSON without duplicate keys. */
export function decodeCompactJws(body: string): DecodedJws {
  const token = isJsonSpace(body.charCodeAt(0)) || isJsonSpace(body.charCodeAt(body.length - 1)) ? body.replace(/^[ \t\r\n]+|[ \t\r\n]+$/g, '') : body;
  if (token.startsWith('{')) {
    throw new Problem(400, 'declaration.not_compact', 'JSON serializations (flattened or general) are refused: submit the compact serialization');
  }
  const parts = token.split('.');
  if (parts.length !== 3) {
    throw new Problem(400, 'declaration.not_compact', `a compact JWS has 3 segments separated by "."; this has ${parts.length}`);
  }
  const [h, p, s] = parts as [string, string, string];
  if (h === '' || p === '' || s === '') throw new Problem(400, 'declaration.not_compact', 'a segment of the JWS is empty (detached payloads are not accepted)');
  if (p.length > Math.ceil((MAX_PAYLOAD_BYTES * 4) / 3) + 4) {
    throw new Problem(413, 'request.too_large', `the payload exceeds ${MAX_PAYLOAD_BYTES} bytes`);
  }
  const header = decodeJsonSegment(h, 'header').value;
  const { value: payload, text: payloadText } = decodeJsonSegment(p, 'payload');
  if (decodeStrictBase64url(s) === null) {
    throw new Problem(400, 'declaration.bad_base64url', 'the signature is not strict base64url');
  }
  return { token, sha256: sha256Hex(token), header, payload, payloadText };
}

/** Header rules shared by every JWS type suppliers sign (declarations, withdrawals). */
export function checkSupplierHeader(header: Record<string, unknown>, typ: string): { alg: SupplierAlg; kid: string } {
  const extra = Object.keys(header).filter((k) => !(HEADER_MEMBERS as readonly string[]).includes(k));
  if (extra.length > 0) {
    throw new Problem(422, 'declaration.header_forbidden', `header member(s) ${extra.map((e) => `"${e}"`).join(', ')} are not allowed: the header holds exactly alg, kid and typ, and keys are found only by kid among registered keys`);
  }
  for (const m of HEADER_MEMBERS) {
    if (typeof header[m] !== 'string' || header[m] === '') {
      throw new Problem(422, 'declaration.header_invalid', `the header must carry "${m}" as a non-empty string`);
    }
  }
  const alg = header.alg as string;
  if (!ALLOWED_ALGS.has(alg)) throw new Problem(422, 'declaration.alg_not_allowed', `alg "${alg}" is not allowed; use EdDSA (Ed25519) or ES256`);
  if (header.typ !== typ) throw new Problem(422, 'declaration.typ_invalid', `typ must be "${typ}"`);
  return { alg: alg as SupplierAlg, kid: header.kid as string };
}

/** Verifies the signature with the registered key; the header's alg must fit the key. */
export async function checkSignature(token: string, alg: SupplierAlg, key: KeyForVerify): Promise<void> {
  if (key.alg !== alg) {
    throw new Problem(422, 'declaration.signature_invalid', `the key registered under this kid is for ${key.alg}, not ${alg}`);
  }
  try {
    await compactVerify(token, await key.key, { algorithms: [alg] });
  } catch {
    throw new Problem(422, 'declaration.signature_invalid', 'the signature does not verify with the registered key');
  }
}

export interface VerifyOptions {
  lookupKey(kid: string): KeyForVerify | undefined;
  /** the service clock at receipt */
  now: Date;
}

/** The 422-phase on a decoded JWS: header, key, signature, schema, supplier and time rules. */
export async function verifyDecodedDeclaration(decoded: DecodedJws, opts: VerifyOptions): Promise<VerifiedDeclaration> {
  const { alg, kid } = checkSupplierHeader(decoded.header, DECLARATION_TYP);
  const key = opts.lookupKey(kid);
  if (!key) throw new Problem(422, 'declaration.kid_unknown', `no registered key has kid "${kid}"`);
  await checkSignature(decoded.token, alg, key);

  const parsed = declarationPayloadSchema.safeParse(decoded.payload);
  if (!parsed.success) {
    throw new Problem(422, 'declaration.schema_invalid', 'the payload does not match nonred/declaration/v1', { errors: zodErrors(parsed.error.issues, '/payload') });
  }
  const payload = parsed.data;
  if (payload.supplier !== key.supplier) {
    throw new Problem(422, 'declaration.supplier_mismatch', `the payload names supplier "${payload.supplier}" but the key belongs to "${key.supplier}"`);
  }
  const now = opts.now.getTime();
  if (Date.parse(payload.issuedAt) > now + FUTURE_SKEW_MS) {
    throw new Problem(422, 'declaration.issued_in_future', `issuedAt ${payload.issuedAt} is later than the service clock (${opts.now.toISOString()}) plus 5 minutes`);
  }
  if (payload.expiresAt !== undefined) {
    if (Date.parse(payload.expiresAt) <= Date.parse(payload.issuedAt)) {
      throw new Problem(422, 'declaration.expired', `expiresAt ${payload.expiresAt} is not after issuedAt ${payload.issuedAt}`);
    }
    if (Date.parse(payload.expiresAt) <= now) {
      throw new Problem(422, 'declaration.expired', `the declaration expired at ${payload.expiresAt}`);
    }
  }
  if (key.status !== 'active') {
    throw new Problem(422, 'declaration.key_revoked', `key ${kid} of ${key.supplier} is revoked`);
  }
  return { token: decoded.token, sha256: decoded.sha256, kid, alg, payload, payloadText: decoded.payloadText };
}

export async function verifyDeclaration(body: string, opts: VerifyOptions): Promise<VerifiedDeclaration> {
  return verifyDecodedDeclaration(decodeCompactJws(body), opts);
}

/**
 * A JWS kept detached ("header..signature") beside its payload text, put back together. The
 * payload segment was strict base64url, which has one encoding per byte string, so this
 * gives back the exact bytes that were received (and their sha256). A full compact JWS
 * passes through unchanged.
 */
export function attachJwsPayload(stored: string, payloadText: string): string {
  const [h, p, sig] = stored.split('.') as [string, string, string];
  return p !== '' ? stored : `${h}.${Buffer.from(payloadText, 'utf8').toString('base64url')}.${sig}`;
}

export function detachJwsPayload(token: string): string {
  const [h, , sig] = token.split('.') as [string, string, string];
  return `${h}..${sig}`;
}

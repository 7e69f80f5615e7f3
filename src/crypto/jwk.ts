// Supplier public keys (SPEC §4): OKP/Ed25519 or EC/P-256, public members only; the kid
// is the RFC 7638 SHA-256 thumbprint, so the same key always has the same kid.
import { createPublicKey, webcrypto, type JsonWebKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import { z } from 'zod';
import { Problem } from '../problem.js';
import { decodeStrictBase64url } from './base64url.js';

export type SupplierAlg = 'EdDSA' | 'ES256';

export interface PublicKeyInfo {
  kid: string;
  alg: SupplierAlg;
  /** the canonical public JWK (only the members the thumbprint covers) */
  jwk: JWK;
  key: KeyObject;
}

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'oth'];
const OPTIONAL_MEMBERS = new Set(['kid', 'alg', 'use', 'key_ops']);

const okp = z.object({ kty: z.literal('OKP'), crv: z.literal('Ed25519'), x: z.string() });
const ec = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string(), y: z.string() });

function bad(detail: string): Problem {
  return new Problem(422, 'key.invalid', detail);
}

/** Validates a submitted public JWK and returns its canonical form and kid. */
export async function parsePublicJwk(input: unknown): Promise<PublicKeyInfo> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw bad('jwk must be a JSON object');
  const obj = input as Record<string, unknown>;
  for (const m of PRIVATE_MEMBERS) {
    if (m in obj) throw bad(`the JWK carries the private member "${m}": register the public key only, and keep the private key with the supplier`);
  }
  let jwk: JWK;
  let alg: SupplierAlg;
  let known: Set<string>;
  if (obj.kty === 'OKP') {
    const r = okp.safeParse(obj);
    if (!r.success) throw bad('an OKP key must have crv "Ed25519" and x');
    const x = decodeStrictBase64url(r.data.x);
    if (!x || x.length !== 32) throw bad('x must be 32 bytes of strict base64url');
    jwk = { kty: 'OKP', crv: 'Ed25519', x: r.data.x };
    alg = 'EdDSA';
    known = new Set(['kty', 'crv', 'x']);
  } else if (obj.kty === 'EC') {
    const r = ec.safeParse(obj);
    if (!r.success) throw bad('an EC key must have crv "P-256", x and y');
    const x = decodeStrictBase64url(r.data.x);
    const y = decodeStrictBase64url(r.data.y);
    if (!x || x.length !== 32 || !y || y.length !== 32) throw bad('x and y must be 32 bytes each of strict base64url');
    jwk = { kty: 'EC', crv: 'P-256', x: r.data.x, y: r.data.y };
    alg = 'ES256';
    known = new Set(['kty', 'crv', 'x', 'y']);
  } else {
    throw bad('only OKP (Ed25519) and EC (P-256) keys are accepted');
  }
  for (const m of Object.keys(obj)) {
    if (!known.has(m) && !OPTIONAL_MEMBERS.has(m)) throw bad(`unexpected JWK member "${m}"`);
  }
  if (obj.alg !== undefined && obj.alg !== alg && !(alg === 'EdDSA' && obj.alg === 'Ed25519')) {
    throw bad(`alg "${String(obj.alg)}" does not fit a ${jwk.kty} key`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw bad('the key is not a valid point on its curve');
  }
  const kid = await calculateJwkThumbprint(jwk, 'sha256');
  if (obj.kid !== undefined && obj.kid !== kid) throw bad(`kid "${String(obj.kid)}" is not the RFC 7638 thumbprint of the key (${kid})`);
  return { kid, alg, jwk, key };
}

/** A stored public JWK as a WebCrypto key for verifying (what jose uses underneath). */
export function importVerifyKey(jwkJson: string, alg: SupplierAlg): Promise<webcrypto.CryptoKey> {
  const jwk = JSON.parse(jwkJson) as webcrypto.JsonWebKey;
  const params = alg === 'EdDSA' ? { name: 'Ed25519' } : { name: 'ECDSA', namedCurve: 'P-256' };
  return webcrypto.subtle.importKey('jwk', jwk, params, false, ['verify']);
}


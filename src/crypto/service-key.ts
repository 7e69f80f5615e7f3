// The service's own Ed25519 signing key (SPEC §4): it signs receipts, reports and audit
// checkpoints. Kept beside the database in a JWK-set file (mode 0600) or given whole in
// NONRED_SERVICE_KEY; retired keys stay in the set, and in the published JWKS, so that
// everything signed before a rotation still verifies.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type JsonWebKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, CompactSign, type JWK } from 'jose';
import { ScratchBuffer } from '../scratch-buffer.js';
import { protectedHeaderOf, signDetachedEd25519 } from './detached-sign.js';
import { signingThread } from './signing-thread.js';
import './native-base64.js';

export type ServiceKeyStatus = 'current' | 'retired';

interface StoredKey extends JsonWebKey {
  kid: string;
  status: ServiceKeyStatus;
}

export interface ServiceKeyEntry {
  kid: string;
  status: ServiceKeyStatus;
  publicJwk: JWK;
  publicKey: KeyObject;
}

export interface ServiceKeys {
  readonly kid: string;
  readonly entries: readonly ServiceKeyEntry[];
  /** the public JWKS as served at /.well-known/jwks.json */
  jwks(): { keys: (JWK & { kid: string; alg: 'EdDSA'; use: 'sig'; status: ServiceKeyStatus })[] };
  /** a compact JWS over the given payload bytes, with alg, kid and typ in the header */
  sign(typ: string, payload: string): Promise<string>;
  /**
   * The same signature for payload bytes, returned without the payload (RFC 7515 appendix
   * F): for large bodies stored beside their signature, so no compact string is built.
   * `meanwhile` runs on this thread while the signature is computed, on the signing thread
   * when there is one and the payload is shared memory (else before it, here).
   */
  signDetachedWhile(typ: string, payload: Uint8Array, meanwhile: () => void): { protected: string; signature: string };
  /**
   * The same, for a payload still being written into `buffer` (shared memory): on the
   * signing thread, the signature is begun as the payload is written (see
   * ed25519-two-pass.ts). Without the thread, everything is done at finishWhile.
   */
  streamDetached(typ: string, buffer: Uint8Array): DetachedStream;
  close(): void;
}

export interface DetachedStream {
  /** The buffer's first `length` bytes are written and will not change. */
  advance(length: number): void;
  /**
   * signDetachedWhile of the complete payload, which is the buffer's first bytes; begun
   * already, as far as it was written. A payload elsewhere is signed here from the start.
   */
  finishWhile(payload: Uint8Array, meanwhile: () => void): { protected: string; signature: string };
  /** The payload will not be completed (the signing thread is freed). */
  abandon(): void;
}

export interface ServiceKeyOptions {
  /** sign large payloads on a worker thread (see signing-thread.ts): for the server */
  signingThread?: boolean;
}

async function fromStored(stored: StoredKey[], opts: ServiceKeyOptions = {}): Promise<ServiceKeys> {
  const current = stored.filter((k) => k.status === 'current');
  if (current.length !== 1) throw new Error('the service key set must hold exactly one current key');
  const entries: ServiceKeyEntry[] = [];
  for (const k of stored) {
    const publicJwk: JWK = { kty: 'OKP', crv: 'Ed25519', x: k.x! };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    if (kid !== k.kid) throw new Error(`service key ${k.kid}: kid is not the key's thumbprint`);
    entries.push({ kid, status: k.status, publicJwk, publicKey: createPublicKey({ key: publicJwk as JsonWebKey, format: 'jwk' }) });
  }
  const cur = current[0]!;
  const privateKey = createPrivateKey({ key: { kty: 'OKP', crv: 'Ed25519', x: cur.x, d: cur.d } as JsonWebKey, format: 'jwk' });
  const signingScratch = new ScratchBuffer();
  const thread = opts.signingThread === true ? signingThread({ kty: 'OKP', crv: 'Ed25519', x: cur.x, d: cur.d } as JsonWebKey) : null;
  const protectedOf = (typ: string) => protectedHeaderOf({ alg: 'EdDSA', kid: cur.kid, typ });
  /** Runs `meanwhile`, then takes the thread's signature (when `started`), else signs here. */
  const finishSigning = (typ: string, payload: Uint8Array, meanwhile: () => void, started: boolean) => {
    let signature: string | null = null;
    try {
      meanwhile();
    } finally {
      // the thread reads the payload until it answers: wait even when meanwhile failed
      if (started) {
        try {
          signature = thread!.finish();
        } catch {
          signature = null; // the thread failed: sign here
        }
      }
    }
    const protectedB64 = protectedOf(typ);
    signature ??= signDetachedEd25519(privateKey, protectedB64, payload, signingScratch);
    return { protected: protectedB64, signature };
  };
  const signDetachedWhile = (typ: string, payload: Uint8Array, meanwhile: () => void) =>
    finishSigning(typ, payload, meanwhile, thread?.start(protectedOf(typ), payload) ?? false);
  return {
    kid: cur.kid,
    entries,
    jwks: () => ({
      keys: entries.map((e) => ({ ...e.publicJwk, kid: e.kid, alg: 'EdDSA' as const, use: 'sig' as const, status: e.status })),
    }),
    sign: (typ, payload) =>
      new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'EdDSA', kid: cur.kid, typ }).sign(privateKey),
    signDetachedWhile,
    streamDetached: (typ, buffer) => {
      const stream = thread?.stream(protectedOf(typ), buffer) ?? null;
      // (without the thread, as if abandoned at once: everything is done at finishWhile)
      let phase: 'open' | 'abandoned' | 'finished' = stream === null ? 'abandoned' : 'open';
      const abandon = () => {
        if (phase !== 'open') return;
        phase = 'abandoned';
        stream!.abandon();
      };
      return {
        advance: (length) => {
          if (phase === 'open') stream!.advance(length);
        },
        finishWhile: (payload, meanwhile) => {
          if (phase === 'finished') throw new Error('the stream is already finished');
          if (payload.buffer !== buffer.buffer || payload.byteOffset !== buffer.byteOffset) abandon();
          if (phase === 'abandoned') {
            phase = 'finished';
            return signDetachedWhile(typ, payload, meanwhile);
          }
          phase = 'finished';
          stream!.complete(payload.length);
          return finishSigning(typ, payload, meanwhile, true);
        },
        abandon,
      };
    },
    close: () => thread?.close(),
  };
}

async function newStoredKey(): Promise<StoredKey> {
  const { privateKey } = generateKeyPairSync('ed25519');
  const jwk = privateKey.export({ format: 'jwk' });
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: jwk.x! }, 'sha256');
  return { kty: 'OKP', crv: 'Ed25519', x: jwk.x!, d: jwk.d!, kid, status: 'current' };
}

function parseStoredSet(text: string, where: string): StoredKey[] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON`);
  }
  const keys = (v as { keys?: unknown }).keys ?? [v];
  if (!Array.isArray(keys) || keys.length === 0) throw new Error(`${where} holds no key`);
  return keys.map((k: Record<string, unknown>) => {
    if (k.kty !== 'OKP' || k.crv !== 'Ed25519' || typeof k.x !== 'string' || typeof k.d !== 'string') {
      throw new Error(`${where}: every key must be a private Ed25519 JWK (kty OKP, crv Ed25519, x, d)`);
    }
    return { ...(k as unknown as StoredKey), status: (k.status as ServiceKeyStatus | undefined) ?? 'current' };
  });
}

async function withKids(keys: StoredKey[]): Promise<StoredKey[]> {
  return Promise.all(keys.map(async (k) => ({ ...k, kid: await calculateJwkThumbprint({ kty: 'OKP', crv: 'Ed25519', x: k.x! }, 'sha256') })));
}

function writeSet(file: string, keys: StoredKey[]): void {
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, JSON.stringify({ keys }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/** An ephemeral key for tests and in-memory databases. */
export async function ephemeralServiceKeys(opts: ServiceKeyOptions = {}): Promise<ServiceKeys> {
  return fromStored([await newStoredKey()], opts);
}

/**
 * The service keys from NONRED_SERVICE_KEY (a private JWK or JWK set) or the key file;
 * a missing file is created with a fresh key.
 */
export async function loadServiceKeys(opts: { file: string | null; envValue?: string | undefined } & ServiceKeyOptions): Promise<ServiceKeys> {
  if (opts.envValue !== undefined && opts.envValue !== '') {
    return fromStored(await withKids(parseStoredSet(opts.envValue, 'NONRED_SERVICE_KEY')), opts);
  }
  if (opts.file === null) return ephemeralServiceKeys(opts);
  if (!existsSync(opts.file)) writeSet(opts.file, [await newStoredKey()]);
  return fromStored(await withKids(parseStoredSet(readFileSync(opts.file, 'utf8'), opts.file)), opts);
}

/** Rotation: the current key becomes retired (still published), a new one is current. */
export async function rotateServiceKeyFile(file: string): Promise<string> {
  const keys = await withKids(parseStoredSet(readFileSync(file, 'utf8'), file));
  const fresh = await newStoredKey();
  writeSet(file, [...keys.map((k) => ({ ...k, status: 'retired' as const })), fresh]);
  return fresh.kid;
}

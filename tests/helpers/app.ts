// An app over a fresh in-memory database per test (committed migrations applied), with an
// injected clock and sequential ids, plus factories that go through the API as clients do.
import { createHash, createSign, generateKeyPairSync, sign as edSign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, CompactSign, type JWK } from 'jose';
import type { Config } from '../../src/config.js';
import { inlineChecker, type LineChecker } from '../../src/service/verify-pool.js';
import { ephemeralServiceKeys } from '../../src/crypto/service-key.js';
import { createApp } from '../../src/http/app.js';
import { openStore } from '../../src/db/open.js';
import { ensurePresets } from '../../src/db/policies.js';
import { sequentialIds, type Deps } from '../../src/service/deps.js';

export const BOOT = 'test-bootstrap-token-0123456789abcdef';

export interface TestCtx {
  deps: Deps;
  app: ReturnType<typeof createApp>;
  clock: { now: Date };
  req(method: string, path: string, opts?: { token?: string | null; body?: unknown; type?: string; headers?: Record<string, string> }): Promise<Response>;
  json<T = Record<string, unknown>>(method: string, path: string, opts?: { token?: string | null; body?: unknown; type?: string; expect?: number }): Promise<T>;
}

export async function makeCtx(start = '2026-11-20T12:00:00.000Z', opts: { checker?: LineChecker } = {}): Promise<TestCtx> {
  const clock = { now: new Date(start) };
  const config: Config = {
    dbPath: ':memory:', port: 0, host: '127.0.0.1', bootstrapToken: BOOT, demo: false,
    serviceKey: undefined, serviceKeyFile: null, log: 'silent', verifyWorkers: 0,
  };
  const store = openStore(':memory:');
  ensurePresets(store.sqlite, clock.now.toISOString());
  const deps: Deps = {
    store, keys: await ephemeralServiceKeys(), clock: () => new Date(clock.now), ids: sequentialIds(), config,
    log: { info: () => {}, error: () => {} }, checker: opts.checker ?? inlineChecker,
  };
  const app = createApp(deps);
  const req: TestCtx['req'] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? BOOT : opts.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | Buffer | undefined;
    if (opts.body !== undefined) {
      body = typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
      headers['content-type'] = opts.type ?? 'application/json';
    }
    return Promise.resolve(app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }));
  };
  const json: TestCtx['json'] = async (method, path, opts = {}) => {
    const res = await req(method, path, opts);
    const text = await res.text();
    if (opts.expect !== undefined && res.status !== opts.expect) {
      throw new Error(`${method} ${path}: expected ${opts.expect}, got ${res.status}: ${text}`);
    }
    return JSON.parse(text);
  };
  return { deps, app, clock, req, json };
}

export interface SupplierKey {
  supplier: string;
  kid: string;
  alg: 'EdDSA' | 'ES256';
  privateKey: KeyObject;
  publicJwk: JWK;
}

let uniq = 0;
export const unique = (p: string) => `${p}-${++uniq}`;

export async function makeSupplier(ctx: TestCtx, over: Record<string, unknown> = {}): Promise<string> {
  const id = (over.id as string | undefined) ?? unique('sup');
  await ctx.json('POST', '/v1/suppliers', {
    body: { id, name: `${id} Ltd`, domicile: 'PL', ultimateParent: 'self', manufacturerNames: [`${id} Manufacturing`], ...over }, expect: 201,
  });
  return id;
}

export async function makeKey(ctx: TestCtx, supplier: string, alg: 'EdDSA' | 'ES256' = 'EdDSA'): Promise<SupplierKey> {
  const pair = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = pair.publicKey.export({ format: 'jwk' }) as JWK;
  const res = await ctx.json<{ kid: string }>('POST', `/v1/suppliers/${supplier}/keys`, { body: { jwk: publicJwk }, expect: 201 });
  return { supplier, kid: res.kid, alg, privateKey: pair.privateKey, publicJwk };
}

export async function makeToken(ctx: TestCtx, role: string, supplier?: string): Promise<string> {
  const res = await ctx.json<{ token: string }>('POST', '/v1/tokens', { body: { role, ...(supplier ? { supplier } : {}) }, expect: 201 });
  return res.token;
}

export function payload(key: SupplierKey, over: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schema: 'nonred/declaration/v1',
    id: unique('DECL'),
    supplier: key.supplier,
    issuedAt: '2026-11-01T09:00:00Z',
    part: { manufacturer: `${key.supplier} Manufacturing`, partNumber: unique('PN'), name: 'a part', category: 'flight-controller' },
    origin: {
      manufacturedIn: 'PL', assembledIn: 'PL',
      manufacturer: { name: `${key.supplier} Ltd`, domicile: 'PL', ultimateParent: 'self' },
      software: { developerDomicile: 'PL', dataHostedIn: [], dataAdministeredFrom: 'PL' },
    },
    ...over,
  };
}

/** A well-formed declaration signed with jose. */
export async function signDeclaration(key: SupplierKey, over: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload(key, over))))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'nonred-declaration+jws', ...header } as never)
    .sign(key.privateKey);
}

const b64u = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/**
 * A JWS built by hand with node:crypto, for the malformed tokens jose refuses to make
 * (duplicate keys, odd headers, padded segments). Header and payload are given as text.
 */
export function rawJws(key: SupplierKey, headerText: string, payloadText: string): string {
  const signingInput = `${b64u(headerText)}.${b64u(payloadText)}`;
  const sig = key.alg === 'EdDSA'
    ? edSign(null, Buffer.from(signingInput), key.privateKey)
    : createSign('sha256').update(signingInput).sign({ key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  return `${signingInput}.${b64u(sig)}`;
}

export function headerText(key: SupplierKey, extra = ''): string {
  return `{"alg":"${key.alg}","kid":"${key.kid}","typ":"nonred-declaration+jws"${extra}}`;
}

export const sha256Of = (s: string) => `sha256:${createHash('sha256').update(s).digest('hex')}`;
export { calculateJwkThumbprint };

// Bearer tokens: random secrets stored only as SHA-256; roles per SPEC §1/§9. The
// bootstrap admin token from NONRED_BOOTSTRAP_TOKEN is checked in memory and never stored.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { tokenByHash, type Role } from '../db/tokens.js';
import { Problem } from '../problem.js';
import type { Actor } from '../service/deps.js';
import type { AppEnv } from './context.js';

export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export function newTokenSecret(): string {
  return `nrd_${randomBytes(32).toString('base64url')}`;
}

function unauthorized(code: 'auth.missing' | 'auth.invalid', detail: string): Problem {
  return new Problem(401, code, detail, { extra: {} });
}

/** Resolves the bearer token to an actor, or throws 401. */
export function authenticate(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    const header = c.req.header('authorization');
    if (header === undefined || header.trim() === '') throw unauthorized('auth.missing', 'send Authorization: Bearer <token>');
    const m = /^Bearer +([\x21-\x7e]{1,512})$/i.exec(header.trim());
    if (!m) throw unauthorized('auth.invalid', 'the Authorization header must be "Bearer <token>"');
    const token = m[1]!;
    const hash = hashToken(token);
    const boot = deps.config.bootstrapToken;
    if (boot !== null && timingSafeEqual(Buffer.from(hashToken(boot), 'hex'), Buffer.from(hash, 'hex'))) {
      c.set('actor', { tokenId: 'bootstrap', role: 'admin', supplier: null });
      return next();
    }
    const row = tokenByHash(deps.store.sqlite, hash);
    const now = deps.clock().getTime();
    if (!row || row.revokedAt !== null || (row.expiresAt !== null && Date.parse(row.expiresAt) <= now)) {
      throw unauthorized('auth.invalid', 'the token is unknown, revoked or expired');
    }
    c.set('actor', { tokenId: row.id, role: row.role, supplier: row.supplier });
    return next();
  };
}

/** The actor, if its role is one of `roles`; otherwise 403. */
export function requireRole(c: Context<AppEnv>, ...roles: Role[]): Actor {
  const actor = c.get('actor');
  if (!actor) throw unauthorized('auth.missing', 'send Authorization: Bearer <token>');
  if (!roles.includes(actor.role)) {
    throw new Problem(403, 'auth.forbidden', `the ${actor.role} role may not do this (allowed: ${roles.join(', ')})`);
  }
  return actor;
}

export const READERS: Role[] = ['admin', 'procurement', 'auditor'];

// Versioned policies: a PUT makes the next version; old reports keep the one they used.
import type Database from 'better-sqlite3';
import { jcsSha256 } from '../crypto/jcs.js';
import { PRESETS, type Policy } from '../domain/policy.js';
import { stmt } from './statements.js';

export interface PolicyRow {
  policy: Policy;
  sha256: string;
  createdAt: string;
}

const toRow = (r: { body: string; sha256: string; created_at: string }): PolicyRow =>
  ({ policy: JSON.parse(r.body) as Policy, sha256: r.sha256, createdAt: r.created_at });

export function getPolicy(db: Database.Database, id: string, version: number | null): PolicyRow | undefined {
  const r = version === null
    ? stmt(db, 'SELECT body, sha256, created_at FROM policies WHERE id = ? ORDER BY version DESC LIMIT 1').get(id)
    : stmt(db, 'SELECT body, sha256, created_at FROM policies WHERE id = ? AND version = ?').get(id, version);
  return r ? toRow(r as { body: string; sha256: string; created_at: string }) : undefined;
}

/** The latest version of every policy. */
export function listPolicies(db: Database.Database): PolicyRow[] {
  return (stmt(db, `SELECT p.body, p.sha256, p.created_at FROM policies p
    JOIN (SELECT id, MAX(version) v FROM policies GROUP BY id) l ON l.id = p.id AND l.v = p.version ORDER BY p.id`).all() as
    { body: string; sha256: string; created_at: string }[]).map(toRow);
}

export function listPolicyVersions(db: Database.Database, id: string): PolicyRow[] {
  return (stmt(db, 'SELECT body, sha256, created_at FROM policies WHERE id = ? ORDER BY version').all(id) as
    { body: string; sha256: string; created_at: string }[]).map(toRow);
}

export function policySha256(policy: Policy): string {
  return `sha256:${jcsSha256(policy)}`;
}

export function insertPolicy(db: Database.Database, policy: Policy, at: string): PolicyRow {
  const sha256 = policySha256(policy);
  stmt(db, 'INSERT INTO policies (id, version, body, sha256, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(policy.id, policy.version, JSON.stringify(policy), sha256, at);
  return { policy, sha256, createdAt: at };
}

/** Inserts the shipped presets as version 1 where they are missing; returns those added. */
export function ensurePresets(db: Database.Database, at: string): Policy[] {
  const added: Policy[] = [];
  for (const p of PRESETS) {
    if (!getPolicy(db, p.id, 1)) {
      insertPolicy(db, p, at);
      added.push(p);
    }
  }
  return added;
}

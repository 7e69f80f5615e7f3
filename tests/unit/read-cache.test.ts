// The read cache of tokens and aliases must never answer with what the database no longer says.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from '../../src/db/open.js';
import { insertAlias, manufacturerSpellings } from '../../src/db/registry.js';
import { insertToken, revokeToken, tokenByHash } from '../../src/db/tokens.js';

const dirs: string[] = [];
const stores: Store[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function twoConnections(): [Store, Store] {
  const dir = mkdtempSync(join(tmpdir(), 'nonred-cache-'));
  dirs.push(dir);
  const a = openStore(join(dir, 'db.sqlite'));
  const b = openStore(join(dir, 'db.sqlite'));
  stores.push(a, b);
  return [a, b];
}

const token = (id: string) => ({ id, role: 'auditor' as const, supplier: null, label: null, createdAt: '2026-11-01T00:00:00Z', expiresAt: null, revokedAt: null });

describe('read cache', () => {
  // another connection's commit is seen from the next turn of the event loop on
  const nextTurn = () => new Promise((r) => setImmediate(r));

  it('sees a token revoked through another connection', async () => {
    const [a, b] = twoConnections();
    insertToken(a.sqlite, token('tok_1'), 'h1');
    expect(tokenByHash(a.sqlite, 'h1')?.revokedAt).toBeNull();
    revokeToken(b.sqlite, 'tok_1', '2026-11-02T00:00:00Z');
    await nextTurn();
    expect(tokenByHash(a.sqlite, 'h1')?.revokedAt).toBe('2026-11-02T00:00:00Z');
  });

  it('sees a token revoked and an alias added through the same connection', () => {
    const [a] = twoConnections();
    insertToken(a.sqlite, token('tok_2'), 'h2');
    expect(tokenByHash(a.sqlite, 'h2')?.revokedAt).toBeNull();
    revokeToken(a.sqlite, 'tok_2', '2026-11-03T00:00:00Z');
    expect(tokenByHash(a.sqlite, 'h2')?.revokedAt).toBe('2026-11-03T00:00:00Z');
    expect(manufacturerSpellings(a.sqlite, 'Formosa RF')).toEqual(['formosa rf']);
    insertAlias(a.sqlite, 'Formosa Radio', 'Formosa RF', '2026-11-03T00:00:00Z');
    expect(manufacturerSpellings(a.sqlite, 'formosa radio')).toEqual(['formosa rf', 'formosa radio']);
  });

  it('sees an alias added through another connection', async () => {
    const [a, b] = twoConnections();
    expect(manufacturerSpellings(a.sqlite, 'Acme')).toEqual(['acme']);
    insertAlias(b.sqlite, 'ACME Corp.', 'Acme', '2026-11-03T00:00:00Z');
    await nextTurn();
    expect(manufacturerSpellings(a.sqlite, 'Acme')).toEqual(['acme', 'acme corp.']);
  });

  it('remembers nothing read inside a transaction that rolled back', () => {
    const [a] = twoConnections();
    expect(() => a.sqlite.transaction(() => {
      insertToken(a.sqlite, token('tok_3'), 'h3');
      expect(tokenByHash(a.sqlite, 'h3')?.id).toBe('tok_3');
      throw new Error('roll back');
    })()).toThrow('roll back');
    expect(tokenByHash(a.sqlite, 'h3')).toBeUndefined();
  });
});

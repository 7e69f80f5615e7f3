// The database keeps what the walk reads in its own layout (db/walk-record.ts); offline
// checks and audit bundles read the same declarations from memory. Both must give the walk
// exactly the same report, or an auditor's re-run would differ from the signed one.
import { describe, expect, it } from 'vitest';
import { declarationStatements, dbEvidence, insertWalkRow } from '../../src/db/declarations.js';
import { openStore } from '../../src/db/open.js';
import { encodeWalkRecord } from '../../src/db/walk-record.js';
import { JsonWriter } from '../../src/domain/json-writer.js';
import { memoryEvidence } from '../../src/domain/memory-evidence.js';
import { normalizeName } from '../../src/domain/part-key.js';
import { walk, type WalkInput } from '../../src/domain/walk.js';
import { randomProgramme, type Programme } from '../helpers/random-programme.js';

/** A store holding the programme's declarations, written as intake writes them, in arrival order. */
function storeOf(p: Programme) {
  const store = openStore(':memory:');
  const db = store.sqlite;
  db.pragma('foreign_keys = OFF'); // no supplier or key rows: the walk reads the registry it is given
  const s = declarationStatements(db);
  db.transaction(() => {
    p.held.forEach((h, i) => {
      const hex = h.sha256.slice(7);
      const pnNorm = normalizeName(h.payload.part.partNumber);
      s.insert.run({
        sha256: hex, supplier: h.supplier, id: h.id, kid: h.kid, submittedBy: 'test', submitterSupplier: null, receivedAt: h.receivedAt,
        issuedAt: h.payload.issuedAt, expiresAt: h.payload.expiresAt ?? null, supersedes: h.payload.supersedes ?? null,
        mfrNorm: normalizeName(h.payload.part.manufacturer), pnNorm, payload: JSON.stringify(h.payload), jws: 'h..s', logIndex: i + 1,
      });
      insertWalkRow(db, {
        sha256: hex, supplier: h.supplier, id: h.id, pnNorm, supersedes: h.payload.supersedes ?? null, receivedAt: h.receivedAt,
        originJson: h.payload.origin === undefined ? null : JSON.stringify(h.payload.origin),
        record: encodeWalkRecord({ sha256: hex, supplier: h.supplier, id: h.id, kid: h.kid }, h.payload),
      });
    });
  })();
  return store;
}

function outcome(input: WalkInput): string {
  const r = walk(input);
  const w = new JsonWriter();
  r.writeTree(w);
  return JSON.stringify({ verdict: r.verdict, summary: r.summary, findings: r.findings, evidence: r.evidence, parts: r.parts() }) + w.text();
}

describe('the database and the in-memory evidence sources', () => {
  it('give the walk byte-identical reports on 300 random programmes', () => {
    let findings = 0;
    for (let seed = 1; seed <= 300; seed++) {
      const p = randomProgramme(seed);
      const store = storeOf(p);
      try {
        const base = { bom: p.bom, policy: p.policy, now: p.now, registry: p.registry };
        const fromDb = outcome({ ...base, evidence: dbEvidence(store.sqlite) });
        const fromMemory = outcome({ ...base, evidence: memoryEvidence(p.held) });
        expect(fromDb, `seed ${seed}`).toBe(fromMemory);
        findings += walk({ ...base, evidence: memoryEvidence(p.held) }).findings.length;
      } finally {
        store.close();
      }
    }
    // the programmes are not trivial
    expect(findings).toBeGreaterThan(1000);
  });
});

// The database keeps what the walk reads in its own layout (db/walk-record.ts); offline
// checks and audit bundles read the same declarations from memory. Both must give the walk
// exactly the same report, or an auditor's re-run would differ from the signed one.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEvidenceReader, type EvidenceReader } from '../../src/db/evidence-reader.js';
import { loadConfig } from '../../src/config.js';
import { openDeps } from '../../src/service/bootstrap.js';
import { seedDemo } from '../../src/service/seed-demo.js';
import { declarationStatements, dbEvidence, insertWalkRow } from '../../src/db/declarations.js';
import { openStore } from '../../src/db/open.js';
import { encodeWalkRecord } from '../../src/db/walk-record.js';
import { JsonWriter } from '../../src/domain/json-writer.js';
import { memoryEvidence } from '../../src/domain/memory-evidence.js';
import { normalizeName } from '../../src/domain/part-key.js';
import { walk, type WalkInput } from '../../src/domain/walk.js';
import { randomProgramme, type Programme } from '../helpers/random-programme.js';
import { tempFiles } from '../helpers/temp-files.js';

/** A store holding the programme's declarations, written as intake writes them, in arrival order. */
function storeOf(p: Programme, path = ':memory:') {
  const store = openStore(path);
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

// The walk's lookups by part number can run on the evidence reader's thread (the server's
// way): the report must be the same, and when the thread cannot answer the walk must still
// get every record, from its own connection.
describe('the evidence reader\'s thread', () => {
  const temp = tempFiles('nonred-reader-');
  const tempFile = temp.file;
  const inputOf = (p: Programme) => ({ bom: p.bom, policy: p.policy, now: p.now, registry: p.registry });
  const expectedOf = (p: Programme) => outcome({ ...inputOf(p), evidence: memoryEvidence(p.held) });
  /** A programme's store in a file, a reader (on that file unless `readerPath`), the errors it reports. */
  const withReader = (seed: number, run: (t: { p: Programme; store: ReturnType<typeof storeOf>; reader: EvidenceReader; errors: string[]; walked: (asOf?: string) => string }) => void,
    opts: { readerPath?: string; file?: string; answerWithinMs?: number } = {}) => {
    const p = randomProgramme(seed);
    const file = tempFile();
    const store = storeOf(p, file);
    const errors: string[] = [];
    // started with nothing asked yet: the first walk waits for the thread to come up
    const reader = startEvidenceReader(opts.readerPath ?? file, (m) => errors.push(m), opts);
    try {
      run({ p, store, reader, errors, walked: (asOf) => outcome({ ...inputOf(p), evidence: dbEvidence(store.sqlite, asOf, reader) }) });
    } finally {
      reader.close();
      store.close();
    }
  };

  it('gives the walk the same reports on 40 random programmes, the thread answering', () => {
    for (let seed = 1; seed <= 40; seed++) {
      withReader(seed, ({ p, reader, errors, walked }) => {
        expect(walked(), `seed ${seed}`).toBe(expectedOf(p));
        expect(errors).toEqual([]);
        expect(reader.answered, `seed ${seed}`).toBeGreaterThan(0);
      });
    }
  });

  it('falls back to the walk\'s own connection when the thread cannot open the database', () => {
    withReader(7, ({ p, reader, errors, walked }) => {
      expect(walked()).toBe(expectedOf(p));
      expect(errors.join('\n')).toMatch(/evidence reader could not start/);
      expect(reader.answered).toBe(0);
      // and later walks do not wait for it again
      expect(reader.ask([['x']], {})).toBeNull();
    }, { readerPath: join(tmpdir(), 'no-such-dir', 'nothing.sqlite') });
  });

  it('falls back when the thread does not answer in time', () => {
    const silent = join(temp.dir(), 'silent.mjs');
    writeFileSync(silent, "import { workerData } from 'node:worker_threads';\nworkerData.port.on('message', () => {});\n");
    withReader(11, ({ p, errors, walked }) => {
      expect(walked()).toBe(expectedOf(p));
      expect(errors).toEqual(['evidence reader did not answer within 200 ms']);
    }, { file: silent, answerWithinMs: 200 });
  });

  it('serves the verifications of a service opened with it', async () => {
    const file = tempFile();
    const deps = await openDeps({ ...loadConfig({ NONRED_DB: file, NONRED_LOG: 'silent', NONRED_DEMO: '0' }), bootstrapToken: 'reader-test-token-0123456789abcdef' }, { evidenceThread: true });
    try {
      const { reportId } = await seedDemo(deps);
      expect(reportId).toMatch(/^rpt_/);
      expect(deps.store.evidenceReader!.answered).toBeGreaterThan(0);
    } finally {
      deps.store.close();
    }
  });

  it('leaves lookups inside a write transaction to the walk\'s own connection, which sees its writes', () => {
    withReader(5, ({ p, store, reader, walked }) => {
      const db = store.sqlite;
      let inside = '';
      expect(() => db.transaction(() => {
        // uncommitted: only this connection sees the rows gone
        db.prepare('DELETE FROM declaration_walk').run();
        inside = walked();
        throw new Error('roll back');
      })()).toThrow('roll back');
      expect(reader.answered).toBe(0);
      expect(inside).toBe(outcome({ ...inputOf(p), evidence: memoryEvidence([]) }));
      expect(walked()).toBe(expectedOf(p));
      expect(reader.answered).toBeGreaterThan(0);
    });
  });

  it('answers lookups as of a past time on the walk\'s own connection (the thread reads the present)', () => {
    withReader(3, ({ p, store, reader, walked }) => {
      const asOf = '2100-01-01T00:00:00Z';
      expect(walked(asOf)).toBe(outcome({ ...inputOf(p), evidence: dbEvidence(store.sqlite, asOf) }));
      expect(reader.answered).toBe(0);
    });
  });
});

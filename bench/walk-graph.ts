// Builds the walk benchmark's database: a BOM whose graph has N nodes over 8 levels, every
// node with a direct declaration listing its children, 1% of them made in CN, 2% of the
// edges shared (a part used by two assemblies), and the same edges in a plain table for the
// recursive-CTE baseline. Declarations are written straight to the store: intake has its
// own benchmark, and the walk trusts what intake accepted.
import { createHash } from 'node:crypto';
import { openStore } from '../src/db/open.js';
import { insertBom } from '../src/db/boms.js';
import { insertWalkRow } from '../src/db/declarations.js';
import { encodeWalkRecord } from '../src/db/walk-record.js';
import type { DeclarationPayload } from '../src/domain/declaration-schema.js';
import { ensurePresets } from '../src/db/policies.js';
import { insertKey, insertSupplier } from '../src/db/registry.js';
import { normalizeName } from '../src/domain/part-key.js';
import type { BomItem } from '../src/domain/bom.js';
import { rng } from './lib.js';

const LEVELS = 8;
const TOP = 10;
const MAKERS = 20;
const AT = '2026-11-01T00:00:00.000Z';

export function levelSizes(n: number): number[] {
  // geometric sizes from TOP, summing to n
  let lo = 1;
  let hi = 20;
  for (let k = 0; k < 60; k++) {
    const r = (lo + hi) / 2;
    let sum = 0;
    for (let l = 0; l < LEVELS; l++) sum += TOP * r ** l;
    if (sum > n) hi = r;
    else lo = r;
  }
  const sizes = Array.from({ length: LEVELS }, (_, l) => Math.max(1, Math.round(TOP * lo ** l)));
  sizes[LEVELS - 1]! += n - sizes.reduce((a, b) => a + b, 0);
  return sizes;
}

export function buildWalkDb(path: string, n: number): { bomId: string; edges: number; red: number; sample: { manufacturer: string; partNumber: string } } {
  const store = openStore(path);
  const db = store.sqlite;
  const rand = rng(n);
  ensurePresets(db, AT);
  db.exec('CREATE TABLE bench_edges (parent INTEGER NOT NULL, child INTEGER NOT NULL); CREATE INDEX bench_edges_parent ON bench_edges(parent);');
  const countries = ['PL', 'DE', 'TW', 'JP', 'US', 'FR', 'SE', 'CZ'];
  db.transaction(() => {
    for (let m = 0; m < MAKERS; m++) {
      insertSupplier(db, { id: `maker-${m}`, name: `Maker ${m} S.A.`, domicile: 'PL', ultimateParent: 'self', manufacturerNames: [`Maker ${m}`], createdAt: AT });
      insertKey(db, { kid: `kid-${m}`, supplier: `maker-${m}`, alg: 'EdDSA', jwk: '{}', status: 'active', reason: null, revokedAt: null, compromisedAt: null, createdAt: AT });
    }
  })();
  const sizes = levelSizes(n);
  const start: number[] = [];
  let acc = 0;
  for (const s of sizes) {
    start.push(acc);
    acc += s;
  }
  const children: number[][] = Array.from({ length: n }, () => []);
  const edgeIns = db.prepare('INSERT INTO bench_edges (parent, child) VALUES (?, ?)');
  let edges = 0;
  db.transaction(() => {
    for (let i = 0; i < sizes[0]!; i++) {
      edgeIns.run(-1, i);
      edges++;
    }
    for (let l = 1; l < LEVELS; l++) {
      for (let c = start[l]!; c < start[l]! + sizes[l]!; c++) {
        const parent = start[l - 1]! + Math.floor(rand() * sizes[l - 1]!);
        children[parent]!.push(c);
        edgeIns.run(parent, c);
        edges++;
        if (rand() < 0.02) {
          const other = start[l - 1]! + Math.floor(rand() * sizes[l - 1]!);
          if (other !== parent) {
            children[other]!.push(c);
            edgeIns.run(other, c);
            edges++;
          }
        }
      }
    }
  })();
  const mfr = (i: number) => `Maker ${i % MAKERS}`;
  const ins = db.prepare(`INSERT INTO declarations (sha256, supplier_id, decl_id, kid, submitted_by, submitter_supplier, received_at, issued_at,
    expires_at, supersedes, mfr_norm, pn_norm, payload, jws, log_index)
    VALUES (@sha, @supplier, @id, @kid, 'bench', NULL, @at, @issuedAt, NULL, NULL, @mfr, @pn, @text, 'bench', 0)`);
  let red = 0;
  db.transaction(() => {
    for (let i = 0; i < n; i++) {
      const isRed = rand() < 0.01;
      if (isRed) red++;
      const c = isRed ? 'CN' : countries[Math.floor(rand() * countries.length)]!;
      const payload = {
        schema: 'nonred/declaration/v1', id: `D-${i}`, supplier: `maker-${i % MAKERS}`, issuedAt: '2026-10-01T00:00:00Z',
        part: { manufacturer: mfr(i), partNumber: `P-${i}`, name: `Part ${i}`, category: i % 17 === 0 ? 'radio' : 'mechanical' },
        origin: {
          manufacturedIn: c, assembledIn: c, manufacturer: { name: `Maker ${i % MAKERS} S.A.`, domicile: 'PL', ultimateParent: 'self' },
          software: { developerDomicile: 'PL', dataHostedIn: [], dataAdministeredFrom: 'PL' },
        },
        components: children[i]!.map((ch) => ({ manufacturer: mfr(ch), partNumber: `P-${ch}`, quantity: 1 + (ch % 4) })),
      };
      const text = JSON.stringify(payload);
      const sha = createHash('sha256').update(text).digest('hex');
      const pn = normalizeName(`P-${i}`);
      ins.run({ sha, supplier: payload.supplier, id: payload.id, kid: `kid-${i % MAKERS}`, at: AT, issuedAt: payload.issuedAt, mfr: normalizeName(mfr(i)), pn, text });
      insertWalkRow(db, {
        sha256: sha, supplier: payload.supplier, id: payload.id, pnNorm: pn, supersedes: null, receivedAt: AT, originJson: JSON.stringify(payload.origin),
        record: encodeWalkRecord({ sha256: sha, supplier: payload.supplier, id: payload.id, kid: `kid-${i % MAKERS}` }, payload as DeclarationPayload),
      });
    }
  })();
  const items: BomItem[] = Array.from({ length: sizes[0]! }, (_, i) => ({ id: String(i), parent: null, manufacturer: mfr(i), partNumber: `P-${i}`, quantity: 1 }));
  const bomId = `bom_bench_${n}`;
  const bom = { name: `Bench BOM ${n}`, partNumber: `BENCH-${n}`, revision: null, manufacturer: null, items };
  db.transaction(() => insertBom(db, { id: bomId, name: bom.name, partNumber: bom.partNumber, revision: null, sha256: 'sha256:bench', format: 'native', mediaType: 'application/json', nodes: items.length, createdAt: AT, createdBy: 'bench' }, Buffer.from(JSON.stringify(bom)), bom))();
  db.pragma('wal_checkpoint(TRUNCATE)');
  store.close();
  // a part on the deepest level, for where-used
  return { bomId, edges, red, sample: { manufacturer: mfr(n - 1), partNumber: `P-${n - 1}` } };
}

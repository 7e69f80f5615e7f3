// The audit log (SPEC §8): hash-chained entries appended in the same transaction as the
// change they record. The head is read inside the (immediate) transaction, from the
// database, so two server processes on one file still build one chain.
import type Database from 'better-sqlite3';
import { jcs, jcsSha256, sha256Hex } from '../crypto/jcs.js';
import { stmt } from './statements.js';

export const GENESIS = '0'.repeat(64);

export interface AuditInput {
  at: string;
  actor: string;
  action: string;
  subject: string;
  payload: unknown;
}

export interface AuditEntry {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  payloadSha256: string;
  prev: string;
  hash: string;
}

export function entryHash(e: Omit<AuditEntry, 'hash'>): string {
  return jcsSha256({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, payloadSha256: e.payloadSha256, prev: e.prev });
}

function prepared(db: Database.Database) {
  return {
    head: stmt(db, 'SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
    insert: stmt(db, 'INSERT INTO audit_log (seq, at, actor, action, subject, payload_sha256, prev, hash, payload) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
  };
}

// The head as last appended inside the running transaction: a batch appends thousands of
// entries, and re-reading the head each time is wasted work. Inside an immediate
// transaction nobody else can append, so the cached head is trusted only for the same
// transaction (identified by a serial that inTransaction sets).
let txSerial = 0;
const currentTx = new WeakMap<Database.Database, number>();
const lastAppended = new WeakMap<Database.Database, { seq: number; hash: string; tx: number }>();

/** Appends one entry. Call only inside a write transaction. */
export function appendAudit(db: Database.Database, input: AuditInput): AuditEntry {
  const s = prepared(db);
  const cached = lastAppended.get(db);
  const tx = currentTx.get(db);
  const head = cached && tx !== undefined && cached.tx === tx ? cached : (s.head.get() as { seq: number; hash: string } | undefined);
  const payloadText = jcs(input.payload ?? null);
  const base = {
    seq: (head?.seq ?? 0) + 1,
    at: input.at,
    actor: input.actor,
    action: input.action,
    subject: input.subject,
    payloadSha256: sha256Hex(payloadText),
    prev: head?.hash ?? GENESIS,
  };
  const entry: AuditEntry = { ...base, hash: entryHash(base) };
  s.insert.run(entry.seq, entry.at, entry.actor, entry.action, entry.subject, entry.payloadSha256, entry.prev, entry.hash, payloadText);
  if (tx !== undefined) lastAppended.set(db, { seq: entry.seq, hash: entry.hash, tx });
  return entry;
}

/** Runs `fn` in an immediate transaction: the change and its audit entries commit together. */
export function inTransaction<T>(db: Database.Database, fn: () => T): T {
  if (currentTx.has(db)) return fn(); // already inside one: join it
  currentTx.set(db, ++txSerial);
  try {
    return db.transaction(fn).immediate();
  } finally {
    currentTx.delete(db);
  }
}

export function auditHead(db: Database.Database): { size: number; head: string } {
  const h = prepared(db).head.get() as { seq: number; hash: string } | undefined;
  return { size: h?.seq ?? 0, head: h?.hash ?? GENESIS };
}

interface Row {
  seq: number; at: string; actor: string; action: string; subject: string;
  payload_sha256: string; prev: string; hash: string; payload: string;
}

export function listAudit(db: Database.Database, after: number, limit: number): (AuditEntry & { payload: unknown })[] {
  const rows = stmt(db, 'SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?').all(after, limit) as Row[];
  return rows.map((r) => ({
    seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject,
    payloadSha256: r.payload_sha256, prev: r.prev, hash: r.hash, payload: JSON.parse(r.payload) as unknown,
  }));
}

export interface ChainCheck {
  valid: boolean;
  size: number;
  head: string;
  firstBadSeq?: number;
  reason?: string;
}

/**
 * Recomputes the chain from the first entry: each seq one more than the last, each prev
 * the hash before it, each hash the JCS hash of its entry, each payload matching its
 * payloadSha256. Catches an edited, deleted or reordered row.
 */
export function verifyChain(db: Database.Database): ChainCheck {
  let prev = GENESIS;
  let expected = 1;
  let size = 0;
  for (const r of stmt(db, 'SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) {
    const bad = (reason: string): ChainCheck => ({ valid: false, size: expected - 1, head: prev, firstBadSeq: expected, reason });
    if (r.seq !== expected) return bad(`entry ${expected} is missing (next is ${r.seq})`);
    if (r.prev !== prev) return bad(`entry ${r.seq} does not link to the entry before it`);
    const recomputed = entryHash({ seq: r.seq, at: r.at, actor: r.actor, action: r.action, subject: r.subject, payloadSha256: r.payload_sha256, prev: r.prev });
    if (recomputed !== r.hash) return bad(`entry ${r.seq} was altered: its hash does not match its content`);
    let payloadOk = false;
    try {
      payloadOk = jcsSha256(JSON.parse(r.payload)) === r.payload_sha256;
    } catch {
      payloadOk = false;
    }
    if (!payloadOk) return bad(`entry ${r.seq}: the stored payload does not match payloadSha256`);
    prev = r.hash;
    size = r.seq;
    expected++;
  }
  return { valid: true, size, head: prev };
}

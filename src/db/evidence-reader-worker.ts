// The evidence reader's thread (see evidence-reader.ts): a read-only connection of its own
// that runs the walk's lookups by part number, so that the main thread reads the answers
// while the next ones are being searched for.
import Database from 'better-sqlite3';
import { workerData, type MessagePort } from 'node:worker_threads';
import { BY_PN_FROM, matchesSql, ORIGINS_SQL, originIdsOf, originRows } from './walk-queries.js';

interface Setup { path: string; port: MessagePort; signal: Int32Array }
interface Ask { session: number; ask: number; chunks: string[][] }

const { path, port, signal } = workerData as Setup;

function post(message: unknown, transfer: ArrayBuffer[] = []): void {
  port.postMessage(message, transfer);
  Atomics.add(signal, 0, 1);
  Atomics.notify(signal, 0);
}

let byPn: Database.Statement;
let originsOf: Database.Statement;
try {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  db.pragma('busy_timeout = 5000');
  byPn = db.prepare(matchesSql(BY_PN_FROM, false)).pluck();
  originsOf = db.prepare(ORIGINS_SQL).raw();
} catch (e) {
  // said at once, so that the walk asks its own connection instead of waiting
  post({ fatal: e instanceof Error ? e.message : String(e) });
  throw e;
}

// the origins already sent in this session (a walk): the main thread keeps them
let session = -1;
let sent = new Set<number>();
port.on('message', (m: Ask) => {
  if (m.session !== session) {
    session = m.session;
    sent = new Set();
  }
  for (let index = 0; index < m.chunks.length; index++) {
    try {
      const blob = byPn.get({ values: JSON.stringify(m.chunks[index]) }) as Buffer | null;
      let origins: [number, string][] = [];
      if (blob !== null) {
        const ids = new Set<number>();
        originIdsOf(blob, ids);
        const missing = [...ids].filter((id) => !sent.has(id)).sort((a, b) => a - b);
        if (missing.length > 0) {
          origins = originRows(originsOf, missing);
          for (const id of missing) sent.add(id);
        }
      }
      // the blob's memory moves to the main thread when it is the blob's alone
      const own = blob !== null && blob.byteOffset === 0 && blob.byteLength === blob.buffer.byteLength;
      post({ ask: m.ask, index, blob, origins }, own ? [blob.buffer as ArrayBuffer] : []);
    } catch (e) {
      post({ ask: m.ask, index, error: e instanceof Error ? e.message : String(e) });
    }
  }
});

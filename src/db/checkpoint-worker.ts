// The checkpointer's thread (see checkpointer.ts): its own connection to the database
// file, copying committed WAL frames into the file whenever the main thread asks.
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';

const db = new Database((workerData as { path: string }).path);
db.pragma('busy_timeout = 5000');
parentPort!.on('message', () => {
  let error: string | null = null;
  try {
    // PASSIVE: never waits for readers or writers; what it cannot copy now, it copies next time
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  parentPort!.postMessage(error);
});

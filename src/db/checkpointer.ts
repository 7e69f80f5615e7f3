// WAL checkpoints on a thread of their own. By default SQLite checkpoints inside the commit
// that pushes the WAL past 1,000 pages, on the committing thread: storing a 100,000-node
// report (about 70 MB) then also copies those 70 MB into the database file before the
// service can answer, with every other request waiting. Here commits only append to the
// WAL, and a worker thread with its own connection copies it into the file shortly after.
import type Database from 'better-sqlite3';
import { Worker } from 'node:worker_threads';
import { projectPath } from '../paths.js';

/** The compiled worker: the server runs from dist/ (tests build it before they run). */
export const CHECKPOINT_WORKER_FILE = projectPath('dist', 'db', 'checkpoint-worker.js');
/** how often the main connection looks for new commits */
const LOOK_EVERY_MS = 200;
const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

/** the longest a hold keeps checkpoints back (a hold not released is released then) */
const HOLD_AT_MOST_MS = 30_000;

export interface Checkpointer {
  /** checkpoints run so far (for tests and the bench) */
  readonly runs: number;
  /**
   * Keeps new checkpoints from starting until the returned function is called (or
   * HOLD_AT_MOST_MS has passed): for the time a large answer is being sent. Copying a
   * 300,000-node report's 200 MB of WAL into the database file while its answer went out
   * made sending it two to three times slower (about 1 s against 0.4 s).
   */
  hold(): () => void;
  close(): void;
}

export function startCheckpointer(db: Database.Database, path: string, onError: (message: string) => void, file = CHECKPOINT_WORKER_FILE): Checkpointer {
  const changes = db.prepare('SELECT total_changes()').pluck();
  const worker = new Worker(file, { workerData: { path } });
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  let runs = 0;
  let busy = false;
  let again = false;
  let stopped = false;
  let seen = changes.get() as number;
  // Should the thread fail, SQLite's own checkpoints take over again, so the WAL never
  // grows without bound.
  const fallBack = (message: string) => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    onError(message);
  };
  let holds = 0;
  const poke = () => {
    if (busy || holds > 0) {
      again = true;
      return;
    }
    busy = true;
    worker.postMessage(null);
  };
  worker.on('message', (error: string | null) => {
    busy = false;
    runs++;
    if (error !== null) onError(`checkpoint: ${error}`);
    if (again && holds === 0) {
      again = false;
      poke();
    }
  });
  worker.on('error', (e) => fallBack(`checkpoint thread failed: ${e.message}`));
  worker.on('exit', (code) => fallBack(`checkpoint thread exited (${code})`));
  const timer = setInterval(() => {
    if (!db.open) return;
    const now = changes.get() as number;
    if (now === seen) return;
    seen = now;
    poke();
  }, LOOK_EVERY_MS);
  timer.unref();
  return {
    get runs() {
      return runs;
    },
    hold: () => {
      holds++;
      let held = true;
      const release = () => {
        if (!held) return;
        held = false;
        clearTimeout(limit);
        holds--;
        if (holds === 0 && again && !busy && !stopped) {
          again = false;
          poke();
        }
      };
      const limit = setTimeout(release, HOLD_AT_MOST_MS);
      limit.unref();
      return release;
    },
    close: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      void worker.terminate();
      // closing the last connection checkpoints what is left
      if (db.open) db.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
    },
  };
}

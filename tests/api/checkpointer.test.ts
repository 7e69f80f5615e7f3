// WAL checkpoints on their own thread: commits no longer copy the WAL into the database
// file, the checkpoint thread does shortly after; and should that thread fail, SQLite's
// own checkpoints come back.
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../src/db/open.js';
import { tempFiles } from '../helpers/temp-files.js';

const tempFile = tempFiles('nonred-ckpt-').file;
const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 25));
  return cond();
};

describe('background checkpoints', () => {
  it('leave commits to the WAL and copy it into the database file from their own thread', async () => {
    const file = tempFile();
    const store = openStore(file, { backgroundCheckpoints: true });
    try {
      const db = store.sqlite;
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      const before = statSync(file).size;
      db.exec('CREATE TABLE t (b BLOB)');
      db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(8 * 1024 * 1024, 1));
      // the commit wrote the WAL only
      expect(statSync(file).size).toBe(before);
      expect(await until(() => statSync(file).size > 8 * 1024 * 1024)).toBe(true);
      expect(await until(() => store.checkpointer!.runs > 0)).toBe(true);
    } finally {
      store.close();
    }
  });

  it('start no checkpoint while held, and catch up when the last hold is released', async () => {
    const file = tempFile();
    const store = openStore(file, { backgroundCheckpoints: true });
    try {
      const db = store.sqlite;
      db.exec('CREATE TABLE t (b BLOB)');
      db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(1));
      expect(await until(() => store.checkpointer!.runs > 0)).toBe(true);
      const runs = store.checkpointer!.runs;
      const before = statSync(file).size;
      const first = store.checkpointer!.hold();
      const second = store.checkpointer!.hold();
      db.prepare('INSERT INTO t VALUES (?)').run(Buffer.alloc(4 * 1024 * 1024, 1));
      // several of the thread's looks later: nothing copied
      await new Promise((r) => setTimeout(r, 700));
      expect(statSync(file).size).toBe(before);
      expect(store.checkpointer!.runs).toBe(runs);
      first();
      first(); // (a release counts once)
      await new Promise((r) => setTimeout(r, 500));
      expect(statSync(file).size).toBe(before);
      second();
      expect(await until(() => statSync(file).size > 4 * 1024 * 1024)).toBe(true);
      expect(store.checkpointer!.runs).toBeGreaterThan(runs);
    } finally {
      store.close();
    }
  });

  it('hand checkpoints back to SQLite when the thread cannot run', async () => {
    const errors: string[] = [];
    const file = tempFile();
    const { startCheckpointer } = await import('../../src/db/checkpointer.js');
    const store = openStore(file);
    try {
      startCheckpointer(store.sqlite, file, (m) => errors.push(m), join(tmpdir(), 'no-such-checkpoint-worker.js'));
      expect(await until(() => errors.length > 0)).toBe(true);
      expect(errors[0]).toMatch(/checkpoint thread/);
      expect(store.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    } finally {
      store.close();
    }
  });
});

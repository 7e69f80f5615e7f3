// Database files in temporary folders, removed after each test of the file that asks.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A maker of fresh temporary folders (`dir`) and database paths in them (`file`). */
export function tempFiles(prefix: string): { dir(): string; file(): string } {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
  return { dir, file: () => join(dir(), 'db.sqlite') };
}

// Where nonred's own files are (migrations/, fixtures/): the nearest folder above the
// running module that holds nonred's package.json — the same from src/ under vitest, from
// dist/ in production, and from a benchmark build.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        if ((JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'nonred') return dir;
      } catch {
        // not ours
      }
    }
    dir = dirname(dir);
  }
  throw new Error('cannot find the nonred package root');
}

export const PROJECT_ROOT = findRoot();
export const projectPath = (...segments: string[]): string => join(PROJECT_ROOT, ...segments);

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sortHashes } from '../../src/domain/sort-hashes.js';

const sha = (i: number) => `sha256:${createHash('sha256').update(String(i)).digest('hex')}`;

describe('sortHashes', () => {
  it('orders sha256 references exactly as the engine\'s string sort does', () => {
    for (const n of [0, 1, 10, 4095, 4096, 20_000]) {
      const list = Array.from({ length: n }, (_, i) => sha(i));
      // many sharing their first digits, to fill buckets
      for (let i = 0; i < n / 10; i++) list.push(`sha256:abc${createHash('sha256').update(`x${i}`).digest('hex').slice(3)}`);
      const expected = [...list].sort();
      sortHashes(list);
      expect(list).toEqual(expected);
    }
  });

  it('falls back to the engine\'s sort for anything that is not a sha256 reference', () => {
    const list = [...Array.from({ length: 5000 }, (_, i) => sha(i)), 'sha256:XYZ', 'other', 'sha256:'];
    const expected = [...list].sort();
    sortHashes(list);
    expect(list).toEqual(expected);
  });
});

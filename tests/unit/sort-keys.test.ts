import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/lib.js';
import { compareCodeUnits, sortIndicesByKey } from '../../src/domain/sort-keys.js';

/** What the walk did before: the engine's sort with a string comparison. */
const expected = (keys: readonly string[], from: number) =>
  Array.from({ length: Math.max(0, keys.length - from) }, (_, i) => from + i).sort((a, b) => (keys[a]! < keys[b]! ? -1 : 1));

const distinct = (xs: string[]) => [...new Set(xs)];

describe('sortIndicesByKey', () => {
  it('orders indices by key exactly as JavaScript compares strings', () => {
    const rand = rng(42);
    for (const n of [0, 1, 2, 15, 16, 17, 500, 20_000]) {
      const keys = distinct(Array.from({ length: n }, () => `maker ${Math.floor(rand() * 20)}|p-${Math.floor(rand() * 1e6)}`));
      keys.unshift(''); // index 0 is the root, left out
      expect(sortIndicesByKey(keys, 1)).toEqual(expected(keys, 1));
    }
  });

  it('puts a prefix first and compares by UTF-16 code units (astral characters, escapes, empty key)', () => {
    const keys = ['', 'a', 'ab', 'a|', 'a\\|b', 'A', 'é', '\u{1F600}', '\uFFFF', 'ａ', 'a b', 'a\u0000', 'z'.repeat(300), 'z'.repeat(299)];
    const many = [...keys, ...Array.from({ length: 100 }, (_, i) => `a${String.fromCharCode(0xd800 + i)}${i}`)];
    expect(sortIndicesByKey(many, 0)).toEqual(expected(many, 0));
    expect(sortIndicesByKey(many, 5)).toEqual(expected(many, 5));
  });

  it('stays correct on inputs that partition badly: sorted, reversed, one long shared prefix', () => {
    const sorted = Array.from({ length: 5000 }, (_, i) => `k${String(i).padStart(6, '0')}`);
    expect(sortIndicesByKey(sorted, 0)).toEqual(expected(sorted, 0));
    const reversed = [...sorted].reverse();
    expect(sortIndicesByKey(reversed, 0)).toEqual(expected(reversed, 0));
    const prefix = 'x'.repeat(400);
    const long = Array.from({ length: 3000 }, (_, i) => `${prefix}${(i * 7919) % 3001}`);
    expect(sortIndicesByKey(long, 0)).toEqual(expected(long, 0));
    // every code unit different at the first position: the pivot's range is always one key
    const spread = Array.from({ length: 3000 }, (_, i) => String.fromCharCode(0x100 + ((i * 1237) % 3000)));
    expect(sortIndicesByKey(spread, 0)).toEqual(expected(spread, 0));
  });

  it('finishes in bounded work when the pivots are always poor (the comparison-sort fallback)', () => {
    // keys whose first code units rise and fall so that median-of-three keeps splitting off
    // a few: the result must still be the engine's order
    const n = 4000;
    const keys = Array.from({ length: n }, (_, i) => String.fromCharCode(0x4000 + (i % 2 === 0 ? i : n - i)) + String(i));
    expect(sortIndicesByKey(keys, 0)).toEqual(expected(keys, 0));
    // the fallback itself, reached at once or after a level
    const rand = rng(7);
    const mixed = distinct(Array.from({ length: 3000 }, () => `m ${Math.floor(rand() * 9)}|${Math.floor(rand() * 1e5)}`));
    expect(sortIndicesByKey(mixed, 0, 0)).toEqual(expected(mixed, 0));
    expect(sortIndicesByKey(mixed, 3, 1)).toEqual(expected(mixed, 3));
  });
});

describe('compareCodeUnits', () => {
  it('orders by UTF-16 code units, a prefix first, and equal strings as equal', () => {
    // U+1F600 is the surrogates D83D DE00: below U+FFFF by code unit, above it by code point
    expect(['\uFFFF', 'ab', '\u{1F600}', 'a', 'B'].sort(compareCodeUnits)).toEqual(['B', 'a', 'ab', '\u{1F600}', '\uFFFF']);
    expect(compareCodeUnits('p-1', 'p-1')).toBe(0);
    expect(compareCodeUnits('a', 'ab')).toBeLessThan(0);
    expect(compareCodeUnits('ab', 'a')).toBeGreaterThan(0);
  });
});

import { describe, expect, it } from 'vitest';
import { decodeStrictBase64url } from '../../src/crypto/base64url.js';
import { findDuplicateKey, parseStrictJson } from '../../src/crypto/strict-json.js';
import { jcs } from '../../src/crypto/jcs.js';
import { entryHash, GENESIS } from '../../src/db/audit.js';
import { normalizeName, parsePartKey, partKey, buildCanon, partKeyOf } from '../../src/domain/part-key.js';

describe('strict JSON', () => {
  it('finds duplicate member names at any depth, after unescaping', () => {
    expect(findDuplicateKey('{"a":1,"b":{"c":1,"c":2}}')).toBe('c');
    expect(findDuplicateKey('{"a":1,"\\u0061":2}')).toBe('a');
    expect(findDuplicateKey('[{"a":1},{"a":2}]')).toBeNull();
    expect(findDuplicateKey('{"a":"\\"a\\":","b":["a","a"]}')).toBeNull();
    expect(findDuplicateKey('{"x":{"a":1},"y":{"a":1}}')).toBeNull();
  });
  it('is not fooled by escapes, colons inside strings or __proto__', () => {
    expect(parseStrictJson(String.raw`{"a":"x\":y","b":"\\","c":1}`).ok).toBe(true);
    expect(parseStrictJson(String.raw`{"a\\":1,"a\\":2}`)).toMatchObject({ ok: false, reason: 'duplicate', detail: String.raw`duplicate member "a\"` });
    expect(parseStrictJson(String.raw`{"k":"\": 1","k":2}`)).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(parseStrictJson(String.raw`{"k":"\\\": 1","j":2}`).ok).toBe(true);
    expect(parseStrictJson('{"__proto__":{"x":1},"__proto__":{"x":2}}')).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(parseStrictJson('{"__proto__":{"x":1},"y":[{"x":1,"z":"a:b"}]}').ok).toBe(true);
    expect(parseStrictJson('[{"a" : 1, "b": {"a": 2}}, "a", {"a": 3 , "a" :4}]')).toMatchObject({ ok: false, reason: 'duplicate', detail: 'duplicate member "a"' });
  });

  it('is not fooled by colons inside strings, escaped or not, that offset a dropped member', () => {
    // the dropped duplicate's colon balanced by a colon that only the parsed value shows
    expect(parseStrictJson(String.raw`{"x":"\u003a","a":1,"a":2}`)).toMatchObject({ ok: false, reason: 'duplicate', detail: 'duplicate member "a"' });
    expect(parseStrictJson(String.raw`{"\u003A":1,"a":1,"a":2}`)).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(parseStrictJson(String.raw`{"x":["\u003a"],"a":{"b":1,"b":2}}`)).toMatchObject({ ok: false, reason: 'duplicate', detail: 'duplicate member "b"' });
    expect(parseStrictJson(String.raw`{"x":"\u003a","a":1}`).ok).toBe(true);
    expect(parseStrictJson('{"t":"2026-10-01T00:00:00Z","a:b":{"c:":":"},"a":[":",":"]}').ok).toBe(true);
    expect(parseStrictJson('{"a:b":1,"a:b":2}')).toMatchObject({ ok: false, reason: 'duplicate', detail: 'duplicate member "a:b"' });
  });

  it('agrees with the exact scanner on random documents with and without duplicates', () => {
    let seed = 7;
    const rand = (n: number) => (seed = (seed * 16807) % 2147483647) % n;
    const names = ['a', 'b', 'a:b', ':', '\\u0061', 'c\\"', '__proto__'];
    const scalars = ['1', '"x"', '":"', '"\\u003a"', 'null', '"a\\\\"', '"::"'];
    const doc = (depth: number): string => {
      if (depth === 0 || rand(3) === 0) return scalars[rand(scalars.length)]!;
      if (rand(4) === 0) return `[${Array.from({ length: rand(4) }, () => doc(depth - 1)).join(',')}]`;
      return `{${Array.from({ length: rand(4) }, () => `"${names[rand(names.length)]}":${doc(depth - 1)}`).join(',')}}`;
    };
    let duplicates = 0;
    for (let i = 0; i < 3000; i++) {
      const text = doc(4);
      const dup = findDuplicateKey(text);
      const got = parseStrictJson(text);
      expect(got.ok, text).toBe(dup === null);
      if (dup !== null) duplicates++;
    }
    expect(duplicates).toBeGreaterThan(300);
  });

  it('reports syntax errors apart from duplicates', () => {
    expect(parseStrictJson('{"a":')).toMatchObject({ ok: false, reason: 'syntax' });
    expect(parseStrictJson('{"a":1,"a":1}')).toMatchObject({ ok: false, reason: 'duplicate' });
    expect(parseStrictJson('{"a":[1,{"b":2}]}')).toEqual({ ok: true, value: { a: [1, { b: 2 }] } });
  });
});

describe('strict base64url', () => {
  it('accepts the canonical encoding only', () => {
    expect(decodeStrictBase64url('aGk')?.toString()).toBe('hi');
    expect(decodeStrictBase64url('aGk=')).toBeNull();
    expect(decodeStrictBase64url('aGl')).toBeNull(); // spare bits set
    expect(decodeStrictBase64url('a+/')).toBeNull();
    expect(decodeStrictBase64url('aG k')).toBeNull();
    expect(decodeStrictBase64url('a')).toBeNull();
  });

  // The rules written out one by one (RFC 7515 §2 and the canonical form), as the reference
  // the implementation (which re-encodes) must agree with on every short string over the
  // alphabet and the characters a forged segment might slip in.
  const SEXTETS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  function strictByRules(seg: string): boolean {
    if (!/^[A-Za-z0-9_-]*$/.test(seg)) return false;
    const rest = seg.length % 4;
    if (rest === 1) return false;
    if (rest === 0) return true;
    const last = SEXTETS.indexOf(seg[seg.length - 1]!);
    return (last & (rest === 2 ? 0x0f : 0x03)) === 0;
  }

  it('agrees with the rules on every last character of every length class', () => {
    for (const prefix of ['', 'aGVs', 'aGVsbG8g']) {
      for (const a of SEXTETS) {
        for (const tail of [`${a}`, `A${a}`, `AA${a}`, `AAA${a}`]) {
          const seg = prefix + tail;
          expect(decodeStrictBase64url(seg) !== null, seg).toBe(strictByRules(seg));
        }
      }
    }
  });

  it('refuses every string with a character outside the alphabet, wherever it stands', () => {
    const chars = ['A', 'Q', 'g', '-', '_', '+', '/', '=', ' ', '\n', '.', '\u00e9', '\u0000', '\ud83d'];
    let refused = 0;
    for (const a of chars) for (const b of chars) for (const c of chars) {
      for (const seg of [a + b + c, `aGVs${a}${b}${c}`, `${a}${b}${c}aGVs`, `${a}${b}`]) {
        const got = decodeStrictBase64url(seg);
        expect(got !== null, JSON.stringify(seg)).toBe(strictByRules(seg));
        if (got === null) refused++;
        else expect(Buffer.from(got).toString('base64url')).toBe(seg);
      }
    }
    expect(refused).toBeGreaterThan(1000);
    expect(decodeStrictBase64url('')?.length).toBe(0);
  });
});

describe('part keys', () => {
  it('normalises with NFKC, trimming, collapsed whitespace and lower case', () => {
    expect(normalizeName('  ＳＴＭ32\u00a0 H7 ')).toBe('stm32 h7');
  });
  it('gives ASCII text (which skips NFKC) the same form as the full rule', () => {
    const full = (v: string) => v.normalize('NFKC').trim().replace(/\s+/gu, ' ').toLowerCase();
    for (const v of ['STM32H743VIT6', ' Gens  Ace\t', 'a\r\n\u000bb\u000cc', '\u0000x\u007f', '', '   ', 'ÅNGSTRÖM', 'ﬁ-1', 'x\u200bY',
      // the plain-words fast path and its edges
      'Maker 12', 'Maker  12', 'Maker 12 ', ' Maker', 'A B C', 'a\u00a0b', 'X~!', 'Tab\tIn', 'İSTANBUL', 'K\u212a']) {
      expect(normalizeName(v)).toBe(full(v));
    }
  });
  it('escapes the separator so keys read back unambiguously', () => {
    const k = partKey('a|b', 'c%d');
    expect(k).toBe('a%7Cb|c%25d');
    expect(parsePartKey(k)).toEqual({ manufacturer: 'a|b', partNumber: 'c%d' });
    expect(partKey('plain', 'pn-1')).toBe('plain|pn-1');
    expect(parsePartKey('plain|pn-1')).toEqual({ manufacturer: 'plain', partNumber: 'pn-1' });
  });
  it('maps aliases onto the canonical manufacturer', () => {
    const canon = buildCanon([{ name: 'STMicroelectronics', aliases: ['STMicro'] }]);
    expect(partKeyOf(canon, ' stmicro ', 'STM32H743VIT6')).toBe('stmicroelectronics|stm32h743vit6');
  });
});

describe('audit entry hash', () => {
  it('is the SHA-256 of the JCS form of the entry without its hash', () => {
    const e = { seq: 1, at: '2026-11-20T12:00:00.000Z', actor: 'admin:x', action: 'a', subject: 's', payloadSha256: 'f'.repeat(64), prev: GENESIS };
    expect(jcs(e)).toBe('{"action":"a","actor":"admin:x","at":"2026-11-20T12:00:00.000Z","payloadSha256":"ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff","prev":"0000000000000000000000000000000000000000000000000000000000000000","seq":1,"subject":"s"}');
    expect(entryHash(e)).toMatch(/^[0-9a-f]{64}$/);
  });
});

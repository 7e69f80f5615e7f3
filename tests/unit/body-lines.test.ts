import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { rng } from '../../bench/lib.js';
import { bodyLines } from '../../src/http/context.js';

/** What the batch endpoint did before: the whole body as text, split at newlines. */
const linesOfText = (text: string) => text.split('\n').map((t, i) => ({ line: i + 1, text: t })).filter((l) => l.text.trim() !== '');

async function* inPieces(bytes: Uint8Array, cuts: number[]) {
  let at = 0;
  for (const c of [...cuts, bytes.length]) {
    // each piece in memory of its own, as a stream hands them over
    yield new Uint8Array(bytes.subarray(at, c));
    at = c;
  }
}

describe('bodyLines', () => {
  it('gives the lines of the decoded body, however the body is cut into pieces', async () => {
    const rand = rng(3);
    const parts = ['eyJhbGciOiJFZERTQSJ9.e30.c2ln', '', '  ', '\r', 'é', '\ufeff', '\u00a0', '\u{1F600}x', 'a.b.c'];
    const bodies: Uint8Array[] = [
      new Uint8Array(0), Buffer.from('\n'), Buffer.from('\ufeffabc\n\ufeffdef'), Buffer.from([0x61, 0xe2, 0x82, 0x0a, 0x62, 0xff]),
      Buffer.from([0xef, 0xbb, 0xbf, 0x0a, 0xef, 0xbb, 0xbf]),
    ];
    for (let k = 0; k < 40; k++) {
      const lines = Array.from({ length: 1 + Math.floor(rand() * 30) }, () => parts[Math.floor(rand() * parts.length)]! + parts[Math.floor(rand() * parts.length)]!);
      bodies.push(Buffer.from(lines.join('\n'), 'utf8'));
    }
    bodies.push(randomBytes(5000), randomBytes(10_000), Buffer.from(Array.from({ length: 128 }, (_, i) => i)));
    bodies.push(Buffer.from('eyJhbGciOiJFZERTQSJ9.e30.c2ln\n\n  x.y.z \r\n'), Buffer.from('é\u00a0\u{1F600}\n', 'utf8'), Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3]), Buffer.from([0xef, 0xbb, 0xbf]));
    for (const bytes of bodies) {
      const want = linesOfText(await new Response(bytes).text());
      expect(await bodyLines(inPieces(bytes, []))).toEqual(want);
      // cut anywhere, also inside a UTF-8 sequence or next to a newline
      const cuts = Array.from({ length: Math.floor(rand() * 8) }, () => Math.floor(rand() * (bytes.length + 1))).sort((a, b) => a - b);
      expect(await bodyLines(inPieces(bytes, cuts))).toEqual(want);
      expect(await bodyLines(inPieces(bytes, Array.from({ length: bytes.length }, (_, i) => i)))).toEqual(want);
    }
    expect(await bodyLines(null)).toEqual([]);
  });
});

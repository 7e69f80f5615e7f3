import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bodyText } from '../../src/http/context.js';

const asRequest = (bytes: Uint8Array) => ({ arrayBuffer: () => Promise.resolve(new Uint8Array(bytes).buffer) });

describe('bodyText', () => {
  it('gives exactly the text the Fetch API would (UTF-8, BOM dropped, bad bytes replaced)', async () => {
    const samples: Uint8Array[] = [
      new Uint8Array(0),
      Buffer.from('eyJhbGciOiJFZERTQSJ9.e30.c2ln\n\n  x.y.z \r\n'),
      Buffer.from('\ufeffa.b.c\n'),
      Buffer.from('é\u00a0\u{1F600}\n', 'utf8'),
      Buffer.from([0x61, 0xff, 0xfe, 0x62, 0xc3]),
      Buffer.from([0xef, 0xbb, 0xbf]),
      randomBytes(10_000),
      Buffer.from(Array.from({ length: 128 }, (_, i) => i)),
    ];
    for (const bytes of samples) {
      expect(await bodyText(asRequest(bytes))).toBe(await new Response(bytes).text());
    }
  });
});

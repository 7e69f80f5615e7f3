import { describe, expect, it } from 'vitest';
import { JsonWriter } from '../../src/domain/json-writer.js';
import { bom, decl, fullOrigin, item, run } from '../helpers/walk-factories.js';

const AWKWARD = ['plain', 'quote " and \\ backslash', 'é ü ß 漢字 🛩', 'line\nbreak\ttab', '\u2028\u2029', 'lone \ud800 surrogate', '\u0000\u001f', ''];

describe('JsonWriter', () => {
  it('writes what JSON.stringify writes, as UTF-8, growing past its first buffer', () => {
    const w = new JsonWriter(new Uint8Array(4));
    const value = { a: AWKWARD, n: [0, -0, 1.5, 1e21, 1e-7], t: true, z: null };
    w.raw('[').value(value).raw(',').value(AWKWARD[2]).raw(']');
    const expected = `[${JSON.stringify(value)},${JSON.stringify(AWKWARD[2])}]`;
    expect(w.text()).toBe(expected);
    expect(Buffer.from(w.bytes()).equals(Buffer.from(expected, 'utf8'))).toBe(true);
    expect(w.buffer.length).toBeGreaterThanOrEqual(w.length);
  });

  it('cuts back what was written, and refuses to cut beyond it', () => {
    const w = new JsonWriter();
    w.raw('{"a":1,"log":');
    const mark = w.length;
    w.raw('{"size":1}}');
    w.truncate(mark).raw('{"size":2}}');
    expect(JSON.parse(w.text())).toEqual({ a: 1, log: { size: 2 } });
    expect(() => w.truncate(w.length + 1)).toThrow(RangeError);
    w.rawBytes(new TextEncoder().encode(' '));
    expect(w.text().endsWith('} ')).toBe(true);
  });

  it('tells its watcher what is written, about every so many bytes and when its buffer is replaced, and keeps that from being cut', () => {
    const told: [number, Uint8Array][] = [];
    const first = new Uint8Array(64);
    const w = new JsonWriter(first).watch(10, (length, buffer) => told.push([length, buffer]));
    w.raw('"abcdefgh"'); // 10 bytes: told
    w.raw('12345'); // 15: not yet
    w.rawBytes(new TextEncoder().encode('67890')); // 20: told
    expect(told.map(([n]) => n)).toEqual([10, 20]);
    expect(told.every(([, b]) => b === first)).toBe(true);
    expect(() => w.truncate(19)).toThrow(RangeError);
    w.truncate(20);
    w.value('x'.repeat(100)); // outgrows 64 bytes: told of the new buffer, then of the length
    expect(told[2]![1]).not.toBe(first);
    expect(told[2]![0]).toBe(20);
    expect(told.at(-1)![0]).toBe(w.length);
    w.watch(0, null);
    w.truncate(0);
    w.raw('a'.repeat(50));
    expect(told.at(-1)![0]).toBe(122);
  });
});

describe('the walk\'s written tree', () => {
  it('is byte for byte JSON.stringify of the tree it describes, whatever the names hold', () => {
    const items = AWKWARD.filter((s) => s.trim() !== '').map((s, i) => item(String(i), null, `Maker ${s}`, `PN ${s}`, { name: s, quantity: i + 0.5 }));
    const held = AWKWARD.filter((s) => s.trim() !== '').map((s) => decl({ manufacturer: `Maker ${s}`, partNumber: `PN ${s}`, origin: fullOrigin('PL', { manufacturer: { name: `Maker ${s}`, domicile: 'PL', ultimateParent: 'self' } }) }));
    const r = run(bom(items, { name: 'Quad "X" é', partNumber: 'Q\u2028' }), held);
    const w = new JsonWriter(new Uint8Array(16));
    r.writeTree(w);
    expect(w.text()).toBe(JSON.stringify(r.tree));
    expect(new Set(r.tree.nodes.map((n) => n.name))).toEqual(new Set(held.map((h) => h.payload.part.name)));
    expect(r.tree.nodes).toHaveLength(items.length);
    expect(r.tree.root.partNumber).toBe('Q\u2028');
  });

  it('lists the nodes in key order whatever order they were found in, again on a second writing', () => {
    // found in the BOM's order, which here is the reverse of key order
    const items = Array.from({ length: 60 }, (_, i) => item(String(i), null, `Maker ${i % 3}`, `PN-${String(99 - i).padStart(3, '0')}`));
    const r = run(bom(items), []);
    const keys = r.tree.nodes.map((n) => n.key);
    expect(keys).toHaveLength(60);
    expect(keys).toEqual([...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)));
    expect(keys[0]).not.toBe(r.tree.nodes.find((n) => n.partNumber === 'PN-099')!.key);
    const again = new JsonWriter();
    r.writeTree(again);
    expect(again.text()).toBe(JSON.stringify(r.tree));
  });
});

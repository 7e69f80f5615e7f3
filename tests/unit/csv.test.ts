import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importCsv } from '../../src/formats/csv.js';
import { Problem } from '../../src/problem.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'boms');
const csv = (text: string) => importCsv(Buffer.from(text));

function problemOf(fn: () => unknown): Problem {
  try {
    fn();
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

describe('CSV import', () => {
  it('reads an indented BOM with the usual header spellings, listing ignored columns', () => {
    const r = importCsv(readFileSync(join(FIX, 'quadcopter.csv')));
    expect(r.ignoredColumns).toEqual(['Ref Des', 'Notes']);
    expect(r.bom.items).toHaveLength(16);
    const imu = r.bom.items.find((i) => i.partNumber === 'AM-IMU6')!;
    const fc = r.bom.items.find((i) => i.partNumber === 'VA-FC7')!;
    expect(imu).toMatchObject({ parent: fc.id, quantity: 3, category: 'sensor', manufacturer: 'Alpen Microsystems' });
    expect(fc.category).toBe('flight-controller');
    expect(r.bom.items.find((i) => i.partNumber === 'M3X8-TI')!.origin).toEqual({ manufacturedIn: 'DE' });
  });

  it('reads an id/parent BOM with a byte-order mark, ; delimiters, decimal commas and quoted newlines', () => {
    const r = importCsv(readFileSync(join(FIX, 'quadcopter-parent.csv')));
    expect(r.ignoredColumns).toEqual([]);
    const fc = r.bom.items.find((i) => i.id === 'FC')!;
    expect(fc.name).toBe('FC-7 flight controller\n(Pixhawk-class)');
    expect(r.bom.items.find((i) => i.id === 'IMU')).toMatchObject({ parent: 'FC', quantity: 3 });
    expect(r.bom.items.find((i) => i.id === 'SCREW')!.origin).toEqual({ manufacturedIn: 'DE' });
  });

  it.each([
    ['Manufacturer,Part Number,Quantity,Name,Type,Level', 'Acme,P1,2,Widget,motor,1'],
    ['MFG,P/N,QTY,Description,Category,Level', 'Acme,P1,2,Widget,motor,1'],
    ['mfr,Manufacturer Part Number,qty,desc,category,level', 'Acme,P1,2,Widget,motor,1'],
  ])('matches header spellings case-insensitively: %s', (header, row) => {
    const r = csv(`${header}\n${row}\n`);
    expect(r.bom.items[0]).toMatchObject({ manufacturer: 'Acme', partNumber: 'P1', quantity: 2, name: 'Widget', category: 'motor', parent: null });
  });

  it('prefers the manufacturer part number over an internal part number', () => {
    const r = csv('Level,Part Number,MPN,Manufacturer\n1,INT-001,MPN-1,Acme\n');
    expect(r.bom.items[0]!.partNumber).toBe('MPN-1');
    expect(r.ignoredColumns).toEqual(['Part Number']);
  });

  it('understands dotted levels: outline numbers and SAP-style dots', () => {
    const outline = csv('Level,Mfr,MPN\n1,A,P1\n1.1,A,P2\n1.1.1,A,P3\n1.2,A,P4\n2,A,P5\n');
    const byPn = Object.fromEntries(outline.bom.items.map((i) => [i.partNumber, i.parent]));
    expect(byPn).toEqual({ P1: null, P2: '1', P3: '1.1', P4: '1', P5: null });
    const sap = csv('Level,Mfr,MPN\n.1,A,P1\n..2,A,P2\n...3,A,P3\n.1,A,P4\n');
    const ids = sap.bom.items.map((i) => i.id);
    expect(sap.bom.items.map((i) => i.parent)).toEqual([null, ids[0], ids[1], null]);
  });

  it('names the row and column of every error (the header is row 1)', () => {
    const p = problemOf(() => csv('Level,Mfr,MPN,Qty,Category,Manufactured In\n1,A,P1,1,motor,PL\n2,A,P2,abc,motor,PL\n4,A,P3,1,motor,PL\n1,,P4,1,motor,PL\n1,A,P5,1,toaster,Korea\n'));
    expect(p.status).toBe(422);
    expect(p.code).toBe('bom.invalid');
    expect(p.errors!.map((e) => e.path)).toEqual([
      'row 3, column Qty', 'row 4, column Level', 'row 5, column Mfr', 'row 6, column Category', 'row 6, column Manufactured In',
    ]);
    expect(p.errors![4]!.message).toMatch(/ambiguous/);
  });

  it('counts rows as a spreadsheet does when a quoted field spans lines', () => {
    const p = problemOf(() => csv('Level,Mfr,MPN,Description,Qty\n1,A,P1,"two\nlines",1\n1,A,P2,x,zero\n'));
    expect(p.errors![0]!.path).toBe('row 3, column Qty');
  });

  it('requires the columns it cannot do without', () => {
    const p = problemOf(() => csv('Name,Qty\nx,1\n'));
    expect(p.errors!.map((e) => e.path)).toEqual(['row 1', 'row 1', 'row 1']);
    expect(p.message).toMatch(/manufacturer column/);
  });

  it('refuses unknown parents and parent cycles in id/parent BOMs, naming the row', () => {
    expect(problemOf(() => csv('id,parent,Mfr,MPN\na,,A,P1\nb,zz,A,P2\n')).errors![0]!.path).toBe('row 3, column parent');
    expect(problemOf(() => csv('id,parent,Mfr,MPN\na,b,A,P1\nb,a,A,P2\n')).errors![0]!.message).toMatch(/cycle/);
    expect(problemOf(() => csv('id,parent,Mfr,MPN\na,,A,P1\na,,A,P2\n')).errors![0]!.path).toBe('row 3, column id');
  });

  it('answers 400 for text that is not CSV it can read', () => {
    expect(problemOf(() => csv('Level,Mfr,MPN\n1,"A,P1\n')).status).toBe(400);
    expect(problemOf(() => importCsv(Buffer.from([0xff, 0xfe, 0x00]))).status).toBe(400);
  });

  it('imports a 5,000-row CSV', () => {
    const rows = ['Level,Manufacturer,MPN,Qty,Category'];
    for (let i = 0; i < 5000; i++) rows.push(`${i % 50 === 0 ? 1 : 2},Maker ${i % 97},PN-${i},${(i % 7) + 1},${i % 2 ? 'mechanical' : 'sensor'}`);
    const r = csv(rows.join('\n'));
    expect(r.bom.items).toHaveLength(5000);
    expect(r.bom.items.filter((i) => i.parent === null)).toHaveLength(100);
  });
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importBom } from '../../src/formats/import-bom.js';
import { Problem } from '../../src/problem.js';

// a real third-party HBOM (CC0), kept in the repository so the suite needs nothing beside it
const REAL = join(import.meta.dirname, '..', '..', 'fixtures', 'realdata', 'cyclonedx-hbom-pcie-sata-adapter.json');
const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'boms');

async function problemOf(p: Promise<unknown>): Promise<Problem> {
  try {
    await p;
  } catch (e) {
    if (e instanceof Problem) return e;
    throw e;
  }
  throw new Error('expected a problem');
}

const doc = (over: Record<string, unknown> = {}, version = '1.6') => ({
  bomFormat: 'CycloneDX', specVersion: version, version: 1,
  metadata: { component: { type: 'device', 'bom-ref': 'root', name: 'R-1', description: 'Root product' } },
  components: [
    { type: 'device', 'bom-ref': 'a', name: 'A-1', supplier: { name: 'Supplier A' } },
    { type: 'device', 'bom-ref': 'b', name: 'B-1', author: 'Author B' },
  ],
  ...over,
});
const load = (d: unknown, type = 'application/vnd.cyclonedx+json') => importBom(type, Buffer.from(JSON.stringify(d)));

describe('CycloneDX import', () => {
  it('imports the real PCIe-SATA adapter HBOM (1.4, supplier names, cdx:device:quantity, no dependencies)', async () => {
    const r = await importBom('application/json', readFileSync(REAL));
    expect(r.format).toBe('cyclonedx');
    expect(r.bom).toMatchObject({ name: 'pcie-sata-adaptor-board', partNumber: 'pcie-sata-adaptor-board', revision: 'rev-1', manufacturer: null });
    expect(r.nodes).toBe(r.bom.items.length);
    expect(r.bom.items.every((i) => i.parent === null)).toBe(true);
    const molex = r.bom.items.find((i) => i.partNumber === '47155-4001')!;
    expect(molex).toMatchObject({ manufacturer: 'Molex', quantity: 8, name: 'I/O Connectors HIGH SPEED CONN 1.27 VERT DIP SOLDERTAIL' });
  });

  it.each(['1.4', '1.5', '1.6'])('accepts specVersion %s', async (v) => {
    const r = await load(doc({}, v));
    expect(r.bom.items.map((i) => [i.partNumber, i.manufacturer])).toEqual([['A-1', 'Supplier A'], ['B-1', 'Author B']]);
  });

  it('prefers manufacturer (1.6) over supplier over author, and nonred:partNumber over name', async () => {
    const r = await load(doc({ components: [{ type: 'device', 'bom-ref': 'a', name: 'Widget', description: 'A widget', manufacturer: { name: 'Maker' }, supplier: { name: 'Distributor' },
      properties: [{ name: 'nonred:partNumber', value: 'W-9' }, { name: 'nonred:category', value: 'camera' }, { name: 'nonred:manufacturedIn', value: 'Taiwan, Province of China' }, { name: 'nonred:assembledIn', value: 'Hong Kong SAR' }] }] }));
    expect(r.bom.items[0]).toMatchObject({ manufacturer: 'Maker', partNumber: 'W-9', name: 'A widget', category: 'camera', origin: { manufacturedIn: 'TW', assembledIn: 'HK' } });
  });

  it('unites nested components and dependencies; a part reached from two parents appears under both', async () => {
    const r = await importBom('application/json', readFileSync(join(FIX, 'quadcopter.cdx.json')));
    expect(r.nodes).toBe(16);
    expect(r.bom.items.find((i) => i.partNumber === 'AM-IMU6')).toMatchObject({ parent: 'fc', quantity: 3, manufacturer: 'Alpen Microsystems' });
    expect(r.bom.items.find((i) => i.partNumber === 'M3X8-TI')).toMatchObject({ parent: 'frame', origin: { manufacturedIn: 'DE' } });
    const shared = await load(doc({
      components: [
        { type: 'device', 'bom-ref': 'a', name: 'A-1', author: 'X' },
        { type: 'device', 'bom-ref': 'b', name: 'B-1', author: 'X', components: [{ type: 'device', 'bom-ref': 's', name: 'S-1', author: 'X' }] },
      ],
      dependencies: [{ ref: 'a', dependsOn: ['s'] }],
    }));
    expect(shared.nodes).toBe(3);
    expect(shared.bom.items.filter((i) => i.partNumber === 'S-1').map((i) => i.parent).sort()).toEqual(['a', 'b']);
  });

  it('names the JSON path of a schema violation', async () => {
    const p = await problemOf(load(doc({ components: [{ type: 'gizmo', 'bom-ref': 'a', name: 'A' }] })));
    expect(p.status).toBe(422);
    expect(p.errors![0]!.path).toBe('/components/0/type');
  });

  it('refuses a dependsOn to an unknown ref, naming its path', async () => {
    const p = await problemOf(load(doc({ dependencies: [{ ref: 'a', dependsOn: ['nope'] }] })));
    expect(p.errors![0]).toMatchObject({ path: '/dependencies/0/dependsOn/0', message: expect.stringMatching(/"nope"/) });
  });

  it('refuses dependency cycles, missing manufacturers, bad categories and ambiguous countries, naming paths', async () => {
    expect((await problemOf(load(doc({ dependencies: [{ ref: 'a', dependsOn: ['b'] }, { ref: 'b', dependsOn: ['a'] }] })))).errors![0]!.message).toMatch(/cycle/);
    expect((await problemOf(load(doc({ components: [{ type: 'device', 'bom-ref': 'a', name: 'A' }] })))).errors![0]!.path).toBe('/components/0');
    const bad = await problemOf(load(doc({ components: [{ type: 'device', 'bom-ref': 'a', name: 'A', author: 'X', properties: [{ name: 'nonred:category', value: 'toaster' }, { name: 'nonred:manufacturedIn', value: 'Korea' }] }] })));
    expect(bad.errors!.map((e) => e.path)).toEqual(['/components/0/properties/0/value', '/components/0/properties/1/value']);
    expect((await problemOf(load(doc({ metadata: {} })))).errors![0]!.path).toBe('/metadata/component');
    expect((await problemOf(load(doc({}, '1.3')))).errors![0]!.path).toBe('/specVersion');
  });

  it('treats application/json without bomFormat as the native format', async () => {
    const p = await problemOf(load({ bomFormat: 'SPDX' }, 'application/json'));
    expect(p.errors![0]!.path).toMatch(/^\/(schema|bomFormat|name|items)/);
    expect((await problemOf(load({ schema: 'x' }, 'application/vnd.cyclonedx+json'))).errors![0]!.path).toBe('/bomFormat');
  });
});

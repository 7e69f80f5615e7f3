import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { cycloneDxSchemaErrors } from '../../src/formats/cyclonedx.js';
import { seedDemo } from '../../src/service/seed-demo.js';
import { makeCtx, type TestCtx } from '../helpers/app.js';

const FIX = join(import.meta.dirname, '..', '..', 'fixtures', 'boms');
let ctx: TestCtx;
let proc: string;

beforeAll(async () => {
  ctx = await makeCtx();
  proc = (await seedDemo(ctx.deps)).procurementToken;
});

async function uploadAndVerify(file: string, type: string, query = '') {
  const up = await ctx.json<Record<string, any>>('POST', `/v1/boms${query}`, { token: proc, body: readFileSync(join(FIX, file)), type, expect: 201 });
  const report = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
  return { up, report };
}

const graph = (report: Record<string, any>) => ({
  verdict: report.verdict,
  root: report.tree.root.children,
  nodes: report.tree.nodes.map(({ name: _n, ...rest }: Record<string, unknown>) => rest),
  findings: report.findings.map((f: any) => [f.code, f.key, f.field, f.value]),
});

describe('every format of the same BOM', () => {
  it('imports to the same graph and the same verdict', async () => {
    const native = await uploadAndVerify('quadcopter.json', 'application/json');
    const csv = await uploadAndVerify('quadcopter.csv', 'text/csv', '?name=Kestrel%20Q4&partNumber=KQ4-100');
    const parent = await uploadAndVerify('quadcopter-parent.csv', 'text/csv; charset=utf-8', '?name=Kestrel%20Q4');
    const cdx = await uploadAndVerify('quadcopter.cdx.json', 'application/vnd.cyclonedx+json');
    const cdxAsJson = await uploadAndVerify('quadcopter.cdx.json', 'application/json');
    expect(native.report.verdict).toBe('fail');
    for (const other of [csv, parent, cdx, cdxAsJson]) expect(graph(other.report)).toEqual(graph(native.report));
    expect([native.up.format, csv.up.format, parent.up.format, cdx.up.format, cdxAsJson.up.format]).toEqual(['native', 'csv', 'csv', 'cyclonedx', 'cyclonedx']);
    expect(csv.up).toMatchObject({ nodes: 16, ignoredColumns: ['Ref Des', 'Notes'], name: 'Kestrel Q4' });
    expect(cdx.up).toMatchObject({ nodes: 16, name: 'Kestrel Q4 inspection quadcopter', partNumber: 'KQ4-100', revision: 'B' });
    const red = native.report.findings.find((f: any) => f.code === 'DISALLOWED_ORIGIN');
    expect(red.path.map((s: any) => s.partNumber)).toEqual(['KQ4-100', 'VA-FC7', 'TG-M10', 'RL-G10']);
  });

  it('lists manufacturers nonred has never seen, with near matches, applying nothing', async () => {
    const body = [
      'Level,Manufacturer,MPN,Category',
      '1,Vistula-Avionics,VA-FC7,flight-controller',
      '1,Karpaty Drive,KD-2810,motor',
      '1,Karpaty Drive,KD-ESC45,esc',
      '1,Totally New Maker,X-1,other',
      '1,vistula avionics,VA-GCS,ground-control',
    ].join('\n');
    const up = await ctx.json<Record<string, any>>('POST', '/v1/boms?name=Suggestions', { token: proc, body, type: 'text/csv', expect: 201 });
    expect(up.unknownManufacturers).toEqual([
      { name: 'Karpaty Drive', parts: 2, suggestions: ['Karpaty Drives'] },
      { name: 'Totally New Maker', parts: 1, suggestions: [] },
      { name: 'Vistula-Avionics', parts: 1, suggestions: ['Vistula Avionics'] },
    ]);
    expect(up.warnings[0]).toMatch(/^4 parts name manufacturers with no supplier or declaration: /);
    const report = await ctx.json<Record<string, any>>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    expect(report.tree.nodes.find((n: any) => n.key === 'vistula-avionics|va-fc7').assurance).toBe('none');
  });

  it('answers every importer error with a 4xx naming the row or JSON path, storing nothing', async () => {
    const count = () => (ctx.deps.store.sqlite.prepare('SELECT COUNT(*) n FROM boms').get() as { n: number }).n;
    const before = count();
    const cases: [string, string, number, RegExp][] = [
      ['text/csv', 'Level,Mfr,MPN,Qty\n1,A,P1,many\n', 422, /^row 2, column Qty$/],
      ['text/csv', 'Level,Mfr,MPN,Manufactured In\n1,A,P1,Asia\n', 422, /^row 2, column Manufactured In$/],
      ['text/csv', 'Level,Mfr,MPN\n1,"A,P1\n', 400, /.*/],
      ['application/vnd.cyclonedx+json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.6', metadata: { component: { type: 'device', name: 'R' } }, components: [{ type: 'device', name: 'X', author: 'A', 'bom-ref': 'x' }], dependencies: [{ ref: 'x', dependsOn: ['y'] }] }), 422, /^\/dependencies\/0\/dependsOn\/0$/],
      ['application/vnd.cyclonedx+json', '{"bomFormat": "CycloneDX",', 400, /.*/],
    ];
    for (const [type, body, status, path] of cases) {
      const res = await ctx.req('POST', '/v1/boms', { token: proc, body, type });
      expect(res.status).toBe(status);
      const p = (await res.json()) as { code: string; errors?: { path: string }[] };
      expect(p.code).toBe(status === 400 ? 'bom.malformed' : 'bom.invalid');
      if (status === 422) expect(p.errors![0]!.path).toMatch(path);
    }
    expect(count()).toBe(before);
  });
});

describe('report exports', () => {
  it('exports a verified report as CycloneDX 1.6 that validates against the official schema', async () => {
    const { report } = await uploadAndVerify('quadcopter.json', 'application/json');
    const res = await ctx.req('GET', `/v1/reports/${report.id}?format=cyclonedx`, { token: proc });
    expect(res.headers.get('content-type')).toMatch(/^application\/vnd\.cyclonedx\+json/);
    const text = await res.text();
    expect(await cycloneDxSchemaErrors(text, '1.6', true)).toBeNull();
    const bom = JSON.parse(text);
    const chip = bom.components.find((c: any) => c['bom-ref'] === 'red lotus microelectronics|rl-g10');
    const props = Object.fromEntries(chip.properties.filter((p: any) => p.name !== 'nonred:finding').map((p: any) => [p.name, p.value]));
    expect(props).toMatchObject({ 'nonred:assurance': 'attested-by-parent', 'nonred:manufacturedIn': 'CN' });
    expect(chip.properties.filter((p: any) => p.name === 'nonred:finding').map((p: any) => p.value)).toEqual(['DISALLOWED_ORIGIN']);
    const fc = bom.components.find((c: any) => c['bom-ref'] === 'vistula avionics|va-fc7');
    expect(fc.properties.find((p: any) => p.name === 'nonred:evidence').value).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(bom.dependencies.find((d: any) => d.ref === 'nonred:root').dependsOn).toContain('vistula avionics|va-fc7');
    const again = await ctx.req('GET', `/v1/reports/${report.id}`, { token: proc, headers: { accept: 'application/vnd.cyclonedx+json' } });
    expect(await again.text()).toBe(text);
  });

  it('exports the findings as CSV with formula cells neutralised', async () => {
    const body = { schema: 'nonred/bom/v1', name: '=HYPERLINK("http://x")', partNumber: '+1', items: [{ id: '1', manufacturer: '@evil', partNumber: '-2+3', name: '=cmd|calc', category: 'camera' }] };
    const up = await ctx.json<{ id: string }>('POST', '/v1/boms', { token: proc, body, expect: 201 });
    const report = await ctx.json<{ id: string; findings: unknown[] }>('POST', `/v1/boms/${up.id}/verify`, { token: proc, expect: 201 });
    const res = await ctx.req('GET', `/v1/reports/${report.id}?format=csv`, { token: proc });
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    const rows = parse(await res.text()) as string[][];
    expect(rows[0]!.slice(0, 4)).toEqual(['code', 'severity', 'manufacturer', 'partNumber']);
    expect(rows).toHaveLength(report.findings.length + 1);
    for (const row of rows.slice(1)) {
      for (const cell of row) expect(cell).not.toMatch(/^[=+\-@]/);
      expect(row[2]).toBe("'@evil");
      expect(row[3]).toBe("'-2+3");
      expect(row[4]).toBe("'=cmd|calc");
    }
  });
});

import { describe, expect, it } from 'vitest';
import { checkBomTree } from '../../src/domain/bom.js';
import { walk } from '../../src/domain/walk.js';
import { memoryEvidence } from '../../src/domain/memory-evidence.js';
import type { DeclarationPayload, Origin } from '../../src/domain/declaration-schema.js';
import {
  baseRegistry, bom, codes, decl, fullOrigin, item, key, NOW, policy, run, supplier,
} from '../helpers/walk-factories.js';

const FC = 'acme avionics|fc-7';

describe('walk: verdicts', () => {
  it('passes a part with direct signed evidence and every field known and allowed', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7', { category: 'flight-controller' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL') })]);
    expect(r.findings).toEqual([]);
    expect(r.verdict).toBe('pass');
    expect(r.tree.nodes[0]).toMatchObject({ key: FC, assurance: 'signed-direct', quantity: 1, pathCount: 1 });
    expect(r.summary.byAssurance['signed-direct']).toBe(1);
  });

  it('fails a part red only through its ultimate parent\'s domicile', () => {
    const origin = fullOrigin('TW', { manufacturer: { name: 'Tern Radio', domicile: 'TW', ultimateParent: { name: 'Dragon Holdings', domicile: 'CN' } } });
    const r = run(bom([item('1', null, 'Tern Radio', 'TR-900', { category: 'radio' })]),
      [decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-900', category: 'radio', origin })],
      { registry: { ...baseRegistry(), suppliers: baseRegistry().suppliers.map((s) => (s.id === 'tern' ? { ...s, ultimateParent: null } : s)) } });
    expect(r.verdict).toBe('fail');
    const f = r.findings.find((x) => x.code === 'DISALLOWED_ORIGIN')!;
    expect(f).toMatchObject({ field: 'manufacturer.ultimateParent.domicile', value: 'CN', severity: 'fail', source: 'declaration' });
    expect(f.evidence).toMatchObject({ supplier: 'tern', assurance: 'signed-direct' });
    expect(f.path.map((s) => s.partNumber)).toEqual(['QX-1', 'TR-900']);
  });

  it('fails a red part three tiers down reached only through declared components', () => {
    const chip = decl({ supplier: 'chipco', manufacturer: 'Chip Co', partNumber: 'CC-1', category: 'compute', origin: fullOrigin('CN') });
    const radio = decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-900', category: 'radio', origin: fullOrigin('TW'),
      components: [{ manufacturer: 'Chip Co', partNumber: 'CC-1', quantity: 2, declaration: chip.sha256 }] });
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'),
      components: [{ manufacturer: 'Tern Radio', partNumber: 'TR-900', quantity: 1, declaration: radio.sha256 }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7', { quantity: 3 })]), [fc, radio, chip]);
    expect(r.verdict).toBe('fail');
    const red = r.findings.filter((x) => x.code === 'DISALLOWED_ORIGIN');
    expect(red.length).toBeGreaterThan(0);
    for (const f of red) {
      expect(f.key).toBe('chip co|cc-1');
      expect(f.path.map((s) => s.partNumber)).toEqual(['QX-1', 'FC-7', 'TR-900', 'CC-1']);
      expect(f.evidence?.sha256).toBe(chip.sha256);
    }
    expect(r.tree.nodes.find((n) => n.key === 'chip co|cc-1')).toMatchObject({ quantity: 6, depth: 3 });
    expect(r.evidence).toEqual([fc.sha256, radio.sha256, chip.sha256].sort());
  });

  it('fails on an unsigned "CN" in the BOM even where signed evidence says otherwise', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7', { origin: { manufacturedIn: 'CN' } })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL') })]);
    expect(r.verdict).toBe('fail');
    expect(r.findings.find((f) => f.code === 'DISALLOWED_ORIGIN')).toMatchObject({ field: 'manufacturedIn', value: 'CN', source: 'bom' });
    const conflict = r.findings.find((f) => f.code === 'CONFLICTING_DECLARATIONS')!;
    expect(conflict.conflicts!.map((c) => c.source).sort()).toEqual(['bom', 'declaration']);
    // the signed value stays the node's origin: an unsigned claim never overrides it
    expect(r.tree.nodes[0]!.origin.manufacturedIn).toBe('PL');
  });

  it('never lets an unsigned "PL" in the BOM make a part pass', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7', { origin: fullOrigin('PL') })]), []);
    expect(r.verdict).toBe('incomplete');
    expect(codes(r)).toContain('MISSING_EVIDENCE');
    expect(r.tree.nodes[0]!.assurance).toBe('unsigned');
  });

  it('is incomplete when no declaration covers a critical part', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7', { category: 'flight-controller' })]), []);
    expect(r.verdict).toBe('incomplete');
    expect(codes(r)).toEqual(['MISSING_EVIDENCE', 'UNKNOWN_ORIGIN']);
    expect(r.tree.nodes[0]!.assurance).toBe('none');
  });

  it('gives INSUFFICIENT_ASSURANCE to a critical part with only third-party evidence', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]),
      [decl({ supplier: 'distrib', manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL') })]);
    expect(codes(r)).toEqual(['INSUFFICIENT_ASSURANCE']);
    expect(r.tree.nodes[0]!.assurance).toBe('signed-third-party');
  });

  it('accepts third-party evidence for a non-critical part', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'M-1', { category: 'motor' })]),
      [decl({ supplier: 'distrib', manufacturer: 'Acme Avionics', partNumber: 'M-1', category: 'motor', origin: fullOrigin('PL') })]);
    expect(r.verdict).toBe('pass');
  });

  it('names every unknown policy field in one UNKNOWN_ORIGIN', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FW-1', { category: 'firmware' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FW-1', category: 'firmware', origin: { manufacturedIn: 'PL', assembledIn: 'PL', manufacturer: { domicile: 'PL', ultimateParent: 'self' }, software: { developerDomicile: 'PL', dataHostedIn: [] } } })]);
    const u = r.findings.filter((f) => f.code === 'UNKNOWN_ORIGIN');
    expect(u).toHaveLength(1);
    expect(u[0]!.value).toEqual(['software.dataAdministeredFrom']);
  });

  it('treats dataHostedIn: [] as known and an absent list as unknown', () => {
    const o = fullOrigin('PL');
    const r1 = run(bom([item('1', null, 'Acme Avionics', 'FW-1', { category: 'firmware' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FW-1', category: 'firmware', origin: { ...o, software: { developerDomicile: 'PL', dataAdministeredFrom: 'PL', dataHostedIn: [] } } })]);
    expect(r1.verdict).toBe('pass');
    const r2 = run(bom([item('1', null, 'Acme Avionics', 'FW-1', { category: 'firmware' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FW-1', category: 'firmware', origin: { ...o, software: { developerDomicile: 'PL', dataAdministeredFrom: 'PL' } } })]);
    expect(r2.findings.find((f) => f.code === 'UNKNOWN_ORIGIN')!.value).toEqual(['software.dataHostedIn']);
  });

  it('requires software fields only on software categories, but checks any value given', () => {
    const o = { manufacturedIn: 'PL', assembledIn: 'PL', manufacturer: { domicile: 'PL', ultimateParent: 'self' as const } };
    const ok = run(bom([item('1', null, 'Acme Avionics', 'M-1', { category: 'motor' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'M-1', category: 'motor', origin: o })]);
    expect(ok.verdict).toBe('pass');
    const red = run(bom([item('1', null, 'Acme Avionics', 'M-1', { category: 'motor' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'M-1', category: 'motor', origin: { ...o, software: { dataHostedIn: ['DE', 'HK'] } } })]);
    expect(red.findings[0]).toMatchObject({ code: 'DISALLOWED_ORIGIN', field: 'software.dataHostedIn', value: 'HK' });
  });
});

describe('walk: evidence rules', () => {
  it('reports two disagreeing declarations as CONFLICTING_DECLARATIONS with every side', () => {
    const a = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2026-10-01T00:00:00Z' });
    const b = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL', { manufacturedIn: 'DE' }), issuedAt: '2026-10-02T00:00:00Z' });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [a, b]);
    const c = r.findings.find((f) => f.code === 'CONFLICTING_DECLARATIONS')!;
    expect(c.field).toBe('manufacturedIn');
    expect(c.conflicts).toEqual(expect.arrayContaining([
      expect.objectContaining({ source: 'declaration', sha256: a.sha256, value: 'PL' }),
      expect.objectContaining({ source: 'declaration', sha256: b.sha256, value: 'DE' }),
    ]));
    // the most recently issued direct declaration is the evidence
    expect(r.tree.nodes[0]!.evidence).toBe(b.sha256);
  });

  it('prefers a direct declaration over a newer third-party one', () => {
    const direct = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2026-01-01T00:00:00Z' });
    const third = decl({ supplier: 'distrib', manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2026-10-01T00:00:00Z' });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [third, direct]);
    expect(r.tree.nodes[0]!.evidence).toBe(direct.sha256);
    expect(r.verdict).toBe('pass');
  });

  it('uses registry facts for the manufacturer\'s domicile and flags a declaration contradicting them', () => {
    const reg = baseRegistry();
    reg.suppliers = reg.suppliers.map((s) => (s.id === 'tern' ? { ...s, domicile: 'CN', ultimateParent: 'self' } : s));
    const o = fullOrigin('TW');
    const r = run(bom([item('1', null, 'Tern Radio', 'TR-1', { category: 'radio' })]),
      [decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', origin: o })], { registry: reg });
    expect(r.verdict).toBe('fail');
    expect(r.findings.filter((f) => f.code === 'DISALLOWED_ORIGIN').map((f) => [f.field, f.source]))
      .toEqual([['manufacturer.domicile', 'registry'], ['manufacturer.ultimateParent.domicile', 'registry']]);
    expect(codes(r)).toContain('CONFLICTING_DECLARATIONS');
  });

  it('fills unknown manufacturer domicile fields from the registry', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: { manufacturedIn: 'PL', assembledIn: 'PL', software: { developerDomicile: 'PL', dataHostedIn: [], dataAdministeredFrom: 'PL' } } })]);
    expect(r.verdict).toBe('pass');
    expect(r.tree.nodes[0]!.origin).toMatchObject({ manufacturer: { domicile: 'PL', ultimateParent: { domicile: 'PL' } } });
  });

  it('reports EXPIRED_DECLARATION when the only declaration expired, by date or by age', () => {
    const byDate = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), expiresAt: '2026-11-10T00:00:00Z' })]);
    expect(codes(byDate)).toEqual(['MISSING_EVIDENCE', 'UNKNOWN_ORIGIN', 'EXPIRED_DECLARATION']);
    const byAge = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2024-01-01T00:00:00Z' })]);
    expect(codes(byAge)).toContain('EXPIRED_DECLARATION');
  });

  it('does not report an expired declaration that a valid one replaces as evidence', () => {
    const old = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-06-01T00:00:00Z' });
    const cur = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2026-10-01T00:00:00Z' });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [old, cur]);
    expect(r.verdict).toBe('pass');
  });

  it('judges key compromise on receipt time, never on issuedAt', () => {
    const reg = baseRegistry();
    reg.keys = reg.keys.map((k) => (k.supplier === 'acme' ? key('acme', { status: 'revoked', reason: 'compromised', revokedAt: '2026-11-15T00:00:00Z', compromisedAt: '2026-11-05T00:00:00Z' }) : k));
    // backdated issuedAt, received after compromise: excluded
    const forged = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), issuedAt: '2026-01-01T00:00:00Z', receivedAt: '2026-11-06T00:00:00Z' });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [forged], { registry: reg });
    expect(codes(r)).toContain('REVOKED_KEY');
    expect(codes(r)).toContain('MISSING_EVIDENCE');
    // received before compromise: still counts
    const honest = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), receivedAt: '2026-11-04T23:59:59Z' });
    expect(run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [honest], { registry: reg }).verdict).toBe('pass');
  });

  it('keeps declarations received before a superseded-key revocation', () => {
    const reg = baseRegistry();
    reg.keys = reg.keys.map((k) => (k.supplier === 'acme' ? key('acme', { status: 'revoked', reason: 'superseded', revokedAt: '2026-11-15T00:00:00Z' }) : k));
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL') })], { registry: reg });
    expect(r.verdict).toBe('pass');
  });

  it('stops counting a superseded declaration, also after its successor expires', () => {
    const old = decl({ id: 'A-1', manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL') });
    const next = decl({ id: 'A-2', supersedes: 'A-1', manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('DE'), issuedAt: '2026-01-01T00:00:00Z', expiresAt: '2026-11-10T00:00:00Z' });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [old, next]);
    expect(r.tree.nodes[0]!.evidence).toBeNull();
    expect(codes(r)).toContain('EXPIRED_DECLARATION');
    expect(r.evidence).toEqual([]);
  });

  it('follows a reference to a superseded declaration to its newest valid member', () => {
    const old = decl({ supplier: 'tern', id: 'T-1', manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', origin: fullOrigin('TW') });
    const next = decl({ supplier: 'tern', id: 'T-2', supersedes: 'T-1', manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', origin: fullOrigin('TW') });
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [{ manufacturer: 'Tern Radio', partNumber: 'TR-1', declaration: old.sha256 }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [fc, old, next]);
    expect(r.verdict).toBe('pass');
    expect(r.tree.nodes.find((n) => n.key === 'tern radio|tr-1')!.evidence).toBe(next.sha256);
  });

  it('reports BROKEN_REFERENCE and PART_MISMATCH on the referencing edge', () => {
    const other = decl({ supplier: 'chipco', manufacturer: 'Chip Co', partNumber: 'CC-9', category: 'compute', origin: fullOrigin('TW') });
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [
      { manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', declaration: `sha256:${'0'.repeat(64)}` },
      { manufacturer: 'Chip Co', partNumber: 'CC-1', category: 'compute', declaration: other.sha256 },
    ] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [fc, other]);
    expect(r.findings.find((f) => f.code === 'BROKEN_REFERENCE')).toMatchObject({ key: 'tern radio|tr-1', value: `sha256:${'0'.repeat(64)}` });
    expect(r.findings.find((f) => f.code === 'PART_MISMATCH')).toMatchObject({ key: 'chip co|cc-1', value: other.sha256 });
    expect(r.verdict).toBe('incomplete');
  });

  it('counts a component\'s inline origin as attested by the parent\'s signer', () => {
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [
      { manufacturer: 'Screw Works', partNumber: 'M3x8', category: 'mechanical', quantity: 4, origin: { manufacturedIn: 'DE', assembledIn: 'DE', manufacturer: { domicile: 'DE', ultimateParent: 'self' } } },
    ] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [fc]);
    expect(r.verdict).toBe('pass');
    const screw = r.tree.nodes.find((n) => n.key === 'screw works|m3x8')!;
    expect(screw).toMatchObject({ assurance: 'attested-by-parent', quantity: 4, evidence: null });
  });

  it('flags two parents that attest different origins for one component', () => {
    const comp = (c: string) => ({ manufacturer: 'Screw Works', partNumber: 'M3x8', category: 'mechanical' as const, origin: { manufacturedIn: c, assembledIn: c, manufacturer: { domicile: c, ultimateParent: 'self' as const } } });
    const a = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [comp('DE')] });
    const b = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-8', origin: fullOrigin('PL'), components: [comp('FR')] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7'), item('2', null, 'Acme Avionics', 'FC-8')]), [a, b]);
    const c = r.findings.filter((f) => f.code === 'CONFLICTING_DECLARATIONS' && f.key === 'screw works|m3x8');
    expect(c.map((f) => f.field)).toEqual(['assembledIn', 'manufacturedIn', 'manufacturer.domicile', 'manufacturer.ultimateParent.domicile']);
    expect(c[0]!.conflicts!.map((s) => [s.source, s.assurance])).toEqual([['declaration', 'attested-by-parent'], ['declaration', 'attested-by-parent']]);
  });

  it('matches disallowed entities on manufacturer and ultimate parent names, through aliases', () => {
    const reg = baseRegistry();
    reg.aliases = [{ name: 'SZ DJI Technology Co., Ltd.', aliases: ['DJI'] }];
    const p = policy('non-red', { disallowedEntities: [{ name: 'SZ DJI Technology Co., Ltd.', aliases: [] }] });
    const byMaker = run(bom([item('1', null, 'dji', 'Zenmuse H20', { category: 'camera' })]), [], { registry: reg, policy: p });
    expect(byMaker.verdict).toBe('fail');
    expect(byMaker.findings[0]).toMatchObject({ code: 'DISALLOWED_ENTITY', field: 'manufacturer' });
    const byParent = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL', { manufacturer: { name: 'Acme', domicile: 'PL', ultimateParent: { name: '  DJI ', domicile: 'PL' } } }) })],
      { registry: reg, policy: p });
    expect(byParent.findings.find((f) => f.code === 'DISALLOWED_ENTITY')).toMatchObject({ field: 'manufacturer.ultimateParent.name', value: '  DJI ' });
  });

  it('judges the root only on its header origin', () => {
    const r = run(bom([], { origin: { assembledIn: 'HK' } }), []);
    expect(r.findings).toHaveLength(1);
    expect(r.findings[0]).toMatchObject({ code: 'DISALLOWED_ORIGIN', key: null, source: 'header', value: 'HK' });
    expect(r.findings[0]!.path).toEqual([{ manufacturer: null, partNumber: 'QX-1', name: 'Quad X' }]);
    expect(run(bom([]), []).verdict).toBe('pass');
  });

  it('does not flag Taiwan under a China policy', () => {
    const r = run(bom([item('1', null, 'Tern Radio', 'TR-1', { category: 'radio' })]),
      [decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', origin: fullOrigin('TW') })]);
    expect(r.verdict).toBe('pass');
  });
});

describe('walk: findings found in review', () => {
  it('still fails a part whose dataHostedIn admits an unknown member next to a disallowed one', () => {
    const o = fullOrigin('PL', { software: { developerDomicile: 'PL', dataAdministeredFrom: 'PL', dataHostedIn: ['CN', 'unknown'] } });
    const r = run(bom([item('1', null, 'Acme Avionics', 'CAM-1', { category: 'camera' })]), [decl({ manufacturer: 'Acme Avionics', partNumber: 'CAM-1', category: 'camera', origin: o })]);
    expect(r.verdict).toBe('fail');
    expect(r.findings.find((f) => f.code === 'DISALLOWED_ORIGIN')).toMatchObject({ field: 'software.dataHostedIn', value: 'CN' });
    const fw = run(bom([item('1', null, 'Acme Avionics', 'FW-1', { category: 'firmware' })]),
      [decl({ manufacturer: 'Acme Avionics', partNumber: 'FW-1', category: 'firmware', origin: fullOrigin('PL', { software: { developerDomicile: 'PL', dataAdministeredFrom: 'PL', dataHostedIn: ['DE', 'unknown'] } }) })]);
    expect(fw.findings.find((f) => f.code === 'UNKNOWN_ORIGIN')!.value).toEqual(['software.dataHostedIn']);
  });

  it('uses the declaration a component references as its evidence, even when a newer one exists', () => {
    const chipLine = { manufacturer: 'Chip Co', partNumber: 'CC-1', category: 'compute' as const, origin: fullOrigin('CN') };
    const referenced = decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-900', category: 'radio', origin: fullOrigin('TW'), issuedAt: '2026-10-01T00:00:00Z', components: [chipLine] });
    const newer = decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-900', category: 'radio', origin: fullOrigin('TW'), issuedAt: '2026-11-01T00:00:00Z' });
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [{ manufacturer: 'Tern Radio', partNumber: 'TR-900', declaration: referenced.sha256 }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [fc, referenced, newer]);
    expect(r.tree.nodes.find((n) => n.key === 'tern radio|tr-900')!.evidence).toBe(referenced.sha256);
    expect(r.verdict).toBe('fail');
    expect(r.findings.find((f) => f.code === 'DISALLOWED_ORIGIN')!.path.map((s) => s.partNumber)).toEqual(['QX-1', 'FC-7', 'TR-900', 'CC-1']);
    // without the reference the newer declaration is the evidence
    const fc2 = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [{ manufacturer: 'Tern Radio', partNumber: 'TR-900' }] });
    expect(run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [fc2, referenced, newer]).tree.nodes.find((n) => n.key === 'tern radio|tr-900')!.evidence).toBe(newer.sha256);
  });

  it('counts nodes, not findings, in summary.byFinding', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('CN') })]);
    expect(r.findings.filter((f) => f.code === 'DISALLOWED_ORIGIN').length).toBe(7);
    expect(r.summary.byFinding.DISALLOWED_ORIGIN).toBe(1);
    expect(r.summary.findings).toBe(r.findings.length);
  });

  it('names an attestation side of a conflict as a declaration with its assurance', () => {
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [{ manufacturer: 'Screw Works', partNumber: 'S1', category: 'mechanical', origin: { manufacturedIn: 'DE' } }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7'), item('2', '1', 'Screw Works', 'S1', { category: 'mechanical', origin: { manufacturedIn: 'FR' } })]), [fc]);
    const c = r.findings.find((f) => f.code === 'CONFLICTING_DECLARATIONS')!;
    expect(c.conflicts).toEqual([
      { source: 'declaration', assurance: 'attested-by-parent', sha256: fc.sha256, supplier: 'acme', field: 'manufacturedIn', value: 'DE' },
      { source: 'bom', item: '2', field: 'manufacturedIn', value: 'FR' },
    ]);
  });
});

describe('walk: scope and presets', () => {
  const motorCN = () => decl({ manufacturer: 'Acme Avionics', partNumber: 'M-1', category: 'motor', origin: fullOrigin('CN') });
  it('under ndaa-848 (scope critical) does not judge a non-critical part', () => {
    const r = run(bom([item('1', null, 'Acme Avionics', 'M-1', { category: 'motor' })]), [motorCN()], { policy: policy('ndaa-848') });
    expect(r.verdict).toBe('pass');
    expect(r.tree.nodes[0]!.judged).toBe(false);
    expect(run(bom([item('1', null, 'Acme Avionics', 'M-1', { category: 'motor' })]), [motorCN()]).verdict).toBe('fail');
  });

  it('still walks below a non-critical part and judges a critical one there', () => {
    const cam = decl({ supplier: 'chipco', manufacturer: 'Chip Co', partNumber: 'CAM-1', category: 'camera', origin: fullOrigin('CN') });
    const frame = decl({ manufacturer: 'Acme Avionics', partNumber: 'FR-1', category: 'frame', origin: fullOrigin('PL'), components: [{ manufacturer: 'Chip Co', partNumber: 'CAM-1', category: 'camera' }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FR-1', { category: 'frame' })]), [frame, cam], { policy: policy('ndaa-848') });
    expect(r.verdict).toBe('fail');
    expect(r.findings.every((f) => f.key === 'chip co|cam-1')).toBe(true);
  });

  it('treats a part with no known category as critical', () => {
    const r = run(bom([item('1', null, 'Nobody', 'X-1')]), [], { policy: policy('ndaa-848') });
    expect(codes(r)).toContain('MISSING_EVIDENCE');
  });

  it('ndaa-848 ignores assembly place; adversary-extended flags RU', () => {
    const d = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL', { assembledIn: 'CN' }) });
    expect(run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [d], { policy: policy('ndaa-848') }).verdict).toBe('pass');
    const ru = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('RU') });
    expect(run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [ru], { policy: policy('adversary-extended') }).verdict).toBe('fail');
    expect(run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [ru]).verdict).toBe('incomplete');
  });
});

describe('walk: graph shape', () => {
  it('cuts and reports a cycle created by declarations', () => {
    const a = decl({ manufacturer: 'Acme Avionics', partNumber: 'A', origin: fullOrigin('PL'), components: [{ manufacturer: 'Acme Avionics', partNumber: 'B' }] });
    const b = decl({ manufacturer: 'Acme Avionics', partNumber: 'B', origin: fullOrigin('PL'), components: [{ manufacturer: 'Acme Avionics', partNumber: 'A' }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'A')]), [a, b]);
    expect(r.findings.map((f) => [f.code, f.key, f.value])).toEqual([['CYCLE', 'acme avionics|b', 'acme avionics|a']]);
    expect(r.verdict).toBe('incomplete');
    expect(r.tree.nodes.find((n) => n.key === 'acme avionics|b')!.children).toEqual([]);
  });

  it('reports DEPTH_LIMIT where the policy\'s maxDepth cuts the walk', () => {
    const items = [item('1', null, 'Acme Avionics', 'L1'), item('2', '1', 'Acme Avionics', 'L2'), item('3', '2', 'Acme Avionics', 'L3'), item('4', '3', 'Acme Avionics', 'L4')];
    const held = ['L1', 'L2', 'L3', 'L4'].map((pn) => decl({ manufacturer: 'Acme Avionics', partNumber: pn, origin: fullOrigin('PL') }));
    const r = run(bom(items), held, { policy: policy('non-red', { maxDepth: 2 }) });
    expect(r.findings.map((f) => [f.code, f.key])).toEqual([['DEPTH_LIMIT', 'acme avionics|l2']]);
    expect(r.tree.nodes.map((n) => n.key)).toEqual(['acme avionics|l1', 'acme avionics|l2']);
  });

  it('walks a 10,000-deep BOM chain and a 10,000-deep declaration chain without overflowing', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => item(String(i), i === 0 ? null : String(i - 1), 'Acme Avionics', `P${i}`, { category: 'mechanical' }));
    expect(checkBomTree(items)).toEqual([]);
    const r = run(bom(items), [], { policy: policy('non-red', { maxDepth: 256 }) });
    expect(r.tree.nodes).toHaveLength(256);
    expect(codes(r)).toContain('DEPTH_LIMIT');
    const chain = Array.from({ length: 10_000 }, (_, i) => decl({ manufacturer: 'Acme Avionics', partNumber: `C${i}`, category: 'mechanical', origin: fullOrigin('PL'),
      components: [{ manufacturer: 'Acme Avionics', partNumber: `C${i + 1}` }] }));
    const r2 = run(bom([item('1', null, 'Acme Avionics', 'C0', { category: 'mechanical' })]), chain, { policy: policy('non-red', { maxDepth: 256 }) });
    expect(r2.tree.nodes).toHaveLength(256);
  });

  it('keeps a diamond of declarations linear and counts its paths, saturating', () => {
    // 40 layers of two parts, each using both parts of the next layer: 2^40 paths
    const held = [];
    for (let l = 0; l < 40; l++) {
      for (const side of ['a', 'b']) {
        held.push(decl({ manufacturer: 'Acme Avionics', partNumber: `${side}${l}`, category: 'mechanical', origin: fullOrigin('PL'),
          components: l === 39 ? [] : [{ manufacturer: 'Acme Avionics', partNumber: `a${l + 1}` }, { manufacturer: 'Acme Avionics', partNumber: `b${l + 1}` }] }));
      }
    }
    const r = run(bom([item('1', null, 'Acme Avionics', 'a0'), item('2', null, 'Acme Avionics', 'b0')], {}), held, { policy: policy('non-red', { maxDepth: 64 }) });
    expect(r.tree.nodes).toHaveLength(80);
    const last = r.tree.nodes.find((n) => n.key === 'acme avionics|a39')!;
    expect(last.pathCount).toBe(1_000_000);
    expect(last.depth).toBe(40);
  });

  it('merges a BOM child and a declared component with the same key; the BOM quantity wins', () => {
    const fc = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [{ manufacturer: 'Chip Co', partNumber: 'CC-1', quantity: 1 }] });
    const chip = decl({ supplier: 'chipco', manufacturer: 'CHIP  CO', partNumber: 'cc-1', category: 'compute', origin: fullOrigin('TW') });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7', { quantity: 2 }), item('2', '1', 'Chip Co', 'CC-1', { quantity: 5 })]), [fc, chip]);
    expect(r.tree.nodes.map((n) => [n.key, n.quantity])).toEqual([['acme avionics|fc-7', 2], ['chip co|cc-1', 10]]);
    expect(r.verdict).toBe('pass');
  });

  it('chooses the shortest canonical path, ties broken by the keys along it', () => {
    const held = [
      decl({ manufacturer: 'Acme Avionics', partNumber: 'B', category: 'mechanical', origin: fullOrigin('PL'), components: [{ manufacturer: 'X', partNumber: 'RED', category: 'mechanical' }] }),
      decl({ manufacturer: 'Acme Avionics', partNumber: 'A', category: 'mechanical', origin: fullOrigin('PL'), components: [{ manufacturer: 'X', partNumber: 'RED', category: 'mechanical' }] }),
    ];
    const r = run(bom([item('1', null, 'Acme Avionics', 'B'), item('2', null, 'Acme Avionics', 'A')], {}), held);
    const f = r.findings.find((x) => x.key === 'x|red')!;
    expect(f.path.map((s) => s.partNumber)).toEqual(['QX-1', 'A', 'RED']);
    expect(f.pathCount).toBe(2);
  });

  it('is deterministic whatever order the evidence arrives in', () => {
    const held = [
      decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'), components: [{ manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio' }, { manufacturer: 'Chip Co', partNumber: 'CC-1' }] }),
      decl({ supplier: 'tern', manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', origin: fullOrigin('CN') }),
      decl({ supplier: 'distrib', manufacturer: 'Tern Radio', partNumber: 'TR-1', category: 'radio', origin: fullOrigin('TW') }),
      decl({ supplier: 'chipco', manufacturer: 'Chip Co', partNumber: 'CC-1', category: 'compute' }),
    ];
    const b = bom([item('1', null, 'Acme Avionics', 'FC-7'), item('2', null, 'Chip Co', 'CC-1', { origin: { manufacturedIn: 'MO' } })]);
    const one = JSON.stringify(run(b, held));
    const two = JSON.stringify(walk({ bom: b, policy: policy(), now: NOW, registry: baseRegistry(), evidence: memoryEvidence([...held].reverse()) }));
    expect(two).toBe(one);
  });

  it('refuses BOM files that are not trees', () => {
    expect(checkBomTree([item('a', 'b', 'M', '1'), item('b', 'a', 'M', '2')])[0]!.message).toMatch(/cycle/);
    expect(checkBomTree([item('a', 'a', 'M', '1')])[0]!.message).toMatch(/own parent/);
    expect(checkBomTree([item('a', 'zz', 'M', '1')])[0]!.message).toMatch(/unknown parent "zz"/);
    expect(checkBomTree([item('a', null, 'M', '1'), item('a', null, 'M', '2')])[0]!.message).toMatch(/duplicate/);
  });

  it('supplier facts: a supplier registered without ultimate parent leaves that field unknown', () => {
    const reg = baseRegistry();
    reg.suppliers.push(supplier({ id: 'nop', manufacturerNames: ['Nop'], ultimateParent: null }));
    reg.keys.push(key('nop'));
    const r = run(bom([item('1', null, 'Nop', 'N-1', { category: 'motor' })]),
      [decl({ supplier: 'nop', manufacturer: 'Nop', partNumber: 'N-1', category: 'motor', origin: { manufacturedIn: 'PL', assembledIn: 'PL' } })], { registry: reg });
    expect(r.findings.find((f) => f.code === 'UNKNOWN_ORIGIN')!.value).toEqual(['manufacturer.ultimateParent.domicile']);
  });
});

// Nodes with one declaration and nothing else of their own are judged once per combination
// of origin, manufacturer, assurance and categories (see the judge loop): these check that
// a combination found clean does not stand in for a node that differs in any of them.
describe('walk: nodes that share an origin are still judged each on its own', () => {
  // one origin object for every declaration below, as the database source shares them
  const shared: Origin = { manufacturedIn: 'PL', assembledIn: 'PL', manufacturer: { name: 'Acme Avionics', domicile: 'PL', ultimateParent: 'self' } };
  const parentOf = (components: { partNumber: string; category?: DeclarationPayload['part']['category'] }[]) =>
    decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'),
      components: components.map((c) => ({ manufacturer: 'Acme Avionics', partNumber: c.partNumber, quantity: 1, ...(c.category ? { category: c.category } : {}) })) });

  it('asks a software part for the software fields a radio with the same origin does not need', () => {
    const radio = decl({ manufacturer: 'Acme Avionics', partNumber: 'R-1', category: 'radio', origin: shared });
    const os = decl({ manufacturer: 'Acme Avionics', partNumber: 'OS-1', category: 'operating-software', origin: shared });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [parentOf([{ partNumber: 'R-1' }, { partNumber: 'OS-1' }]), radio, os]);
    expect(codes(r, 'acme avionics|r-1')).toEqual([]);
    expect(codes(r, 'acme avionics|os-1')).toEqual(['UNKNOWN_ORIGIN']);
    expect(r.findings.find((f) => f.key === 'acme avionics|os-1')!.field).toBe('software.developerDomicile,software.dataHostedIn,software.dataAdministeredFrom');
  });

  it('holds a third party\'s declaration of a critical part below the direct one with the same origin', () => {
    const direct = decl({ manufacturer: 'Acme Avionics', partNumber: 'R-1', category: 'radio', origin: shared });
    const third = decl({ supplier: 'distrib', manufacturer: 'Acme Avionics', partNumber: 'R-2', category: 'radio', origin: shared });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [parentOf([{ partNumber: 'R-1' }, { partNumber: 'R-2' }]), direct, third]);
    expect(codes(r, 'acme avionics|r-1')).toEqual([]);
    expect(codes(r, 'acme avionics|r-2')).toEqual(['INSUFFICIENT_ASSURANCE']);
  });

  it('counts the category a parent gives a part beside its own declaration\'s', () => {
    const a = decl({ manufacturer: 'Acme Avionics', partNumber: 'P-1', category: 'radio', origin: shared });
    const b = decl({ manufacturer: 'Acme Avionics', partNumber: 'P-2', category: 'radio', origin: shared });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]),
      [parentOf([{ partNumber: 'P-1' }, { partNumber: 'P-2', category: 'firmware' }]), a, b]);
    expect(codes(r, 'acme avionics|p-1')).toEqual([]);
    expect(codes(r, 'acme avionics|p-2')).toEqual(['UNKNOWN_ORIGIN']);
  });

  it('judges a part a parent attests an origin for on that attestation too', () => {
    const a = decl({ manufacturer: 'Acme Avionics', partNumber: 'P-1', category: 'radio', origin: shared });
    const b = decl({ manufacturer: 'Acme Avionics', partNumber: 'P-2', category: 'radio', origin: shared });
    const plain = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-7', origin: fullOrigin('PL'),
      components: [{ manufacturer: 'Acme Avionics', partNumber: 'P-1', quantity: 1 }] });
    const attesting = decl({ manufacturer: 'Acme Avionics', partNumber: 'FC-8', origin: fullOrigin('PL'),
      components: [{ manufacturer: 'Acme Avionics', partNumber: 'P-2', quantity: 1, origin: { manufacturedIn: 'CN' } }] });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7'), item('2', null, 'Acme Avionics', 'FC-8')]), [plain, attesting, a, b]);
    expect(codes(r, 'acme avionics|p-1')).toEqual([]);
    expect(codes(r, 'acme avionics|p-2')).toContain('DISALLOWED_ORIGIN');
  });

  it('still reports a disallowed manufacturer name on the second part of a pair', () => {
    const pol = policy('non-red', { disallowedEntities: [{ name: 'Acme Avionics', aliases: [] }] });
    const a = decl({ manufacturer: 'Acme Avionics', partNumber: 'P-1', category: 'radio', origin: shared });
    const b = decl({ manufacturer: 'Acme Avionics', partNumber: 'P-2', category: 'radio', origin: shared });
    const r = run(bom([item('1', null, 'Acme Avionics', 'FC-7')]), [parentOf([{ partNumber: 'P-1' }, { partNumber: 'P-2' }]), a, b], { policy: pol });
    expect(codes(r, 'acme avionics|p-1')).toContain('DISALLOWED_ENTITY');
    expect(codes(r, 'acme avionics|p-2')).toContain('DISALLOWED_ENTITY');
  });
});

// The real `nonred` binary as a subprocess, against a real server process on a free port,
// and offline.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';

const ROOT = join(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'dist', 'cli', 'nonred.cjs');
const BOOT = 'cli-test-bootstrap-token-0123456789';
const dir = mkdtempSync(join(tmpdir(), 'nonred-cli-'));
const db = join(dir, 'server', 'nonred.db');
let server: ChildProcess;
let url = '';

interface Run { code: number; stdout: string; stderr: string }

function nonred(args: string[], env: Record<string, string> = {}, cwd = dir): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd, env: { PATH: process.env.PATH ?? '', NONRED_SERVER: url, ...env }, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 99) : 0, stdout, stderr });
    });
  });
}

const asAdmin = { NONRED_TOKEN: BOOT };

beforeAll(async () => {
  server = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--db', db], { env: { PATH: process.env.PATH ?? '', NONRED_DEMO: '0', NONRED_BOOTSTRAP_TOKEN: BOOT, NONRED_LOG: 'error' }, stdio: ['ignore', 'pipe', 'pipe'] });
  url = await new Promise<string>((resolve, reject) => {
    let outText = '';
    const t = setTimeout(() => reject(new Error(`no start: ${outText}`)), 20_000);
    server.stdout!.on('data', (d: Buffer) => {
      outText += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(outText);
      if (m) {
        clearTimeout(t);
        resolve(m[1]!);
      }
    });
    server.stderr!.on('data', (d: Buffer) => (outText += d.toString()));
  });
});

afterAll(() => {
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

function payload(supplier: string, id: string, part: Record<string, string>, origin: Record<string, unknown>, components?: unknown[]) {
  return { schema: 'nonred/declaration/v1', id, supplier, issuedAt: '2026-01-10T09:00:00Z', part, origin, ...(components ? { components } : {}) };
}
const full = (c: string) => ({ manufacturedIn: c, assembledIn: c, manufacturer: { domicile: c, ultimateParent: 'self' }, software: { developerDomicile: c, dataHostedIn: [c], dataAdministeredFrom: c } });

describe('nonred CLI', () => {
  it('is an executable file once built (npx nonred runs it by its path)', () => {
    expect((statSync(BIN).mode & 0o111).toString(8)).toBe('111');
  });

  it('shows --help for every command and exits 3 on usage errors', { timeout: 60_000 }, async () => {
    const commands = [[], ['keygen'], ['declare'], ['sign'], ['inspect'], ['submit'], ['bom'], ['bom', 'upload'], ['bom', 'verify'], ['check'], ['report'], ['report', 'get'], ['report', 'verify'], ['audit', 'verify'], ['token', 'create'], ['supplier', 'add'], ['key', 'add'], ['key', 'revoke'], ['backup'], ['service-key', 'rotate'], ['serve']];
    for (const c of commands) {
      const r = await nonred([...c, '--help']);
      expect([c.join(' '), r.code]).toEqual([c.join(' '), 0]);
      expect(r.stdout).toMatch(/^Usage: nonred/);
    }
    const bad = await nonred(['bom', 'verify']);
    expect(bad.code).toBe(3);
    expect(bad.stderr).toMatch(/missing required argument/);
  });

  it('round-trips keygen → sign → submit → upload → verify → report verify, and rejects a tampered report', { timeout: 120_000 }, async () => {
    const work = join(dir, 'roundtrip');
    mkdirSync(work);
    // admin: a supplier per role in the chain, with keys made by the suppliers themselves
    for (const [id, name, dom] of [['vistula', 'Vistula Avionics', 'Poland'], ['formosa', 'Formosa RF', 'Taiwan, Province of China']] as const) {
      const kg = await nonred(['keygen', '--out', join(work, id), ...(id === 'formosa' ? ['--alg', 'ES256'] : [])]);
      expect(kg.code).toBe(0);
      expect(kg.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect((statSync(join(work, `${id}.private.jwk`)).mode & 0o777).toString(8)).toBe('600');
      const add = await nonred(['supplier', 'add', '--id', id, '--name', `${name} Ltd`, '--domicile', dom, '--ultimate-parent-self', '--manufacturer-name', name], asAdmin);
      expect([add.code, add.stdout.trim()]).toEqual([0, id]);
      const key = await nonred(['key', 'add', '--supplier', id, '--jwk', join(work, `${id}.public.jwk`)], asAdmin);
      expect(key.stdout.trim()).toBe(kg.stdout.trim());
    }
    const supplierToken = (await nonred(['token', 'create', '--role', 'supplier', '--supplier', 'vistula'], asAdmin)).stdout.trim();
    const procurement = (await nonred(['token', 'create', '--role', 'procurement', '--db', db])).stdout.trim();
    expect(procurement).toMatch(/^nrd_/);

    writeFileSync(join(work, 'radio.json'), JSON.stringify(payload('formosa', 'R-1', { manufacturer: 'Formosa RF', partNumber: 'TR-900', name: 'Radio', category: 'radio' }, { ...full('TW'), manufacturedIn: 'China' })));
    writeFileSync(join(work, 'fc.json'), JSON.stringify(payload('vistula', 'FC-1', { manufacturer: 'Vistula Avionics', partNumber: 'FC-7', name: 'FC', category: 'flight-controller' }, full('PL'))));
    const signRadio = await nonred(['sign', join(work, 'radio.json'), '--key', join(work, 'formosa.private.jwk'), '--out', join(work, 'radio.jws')]);
    expect(signRadio.code).toBe(0);
    expect(signRadio.stderr).toMatch(/"China" → CN/);
    const signFc = await nonred(['sign', join(work, 'fc.json'), '--key', join(work, 'vistula.private.jwk')]);
    writeFileSync(join(work, 'fc.jws'), signFc.stdout);
    const inspect = await nonred(['inspect', join(work, 'fc.jws'), '--jwk', join(work, 'vistula.public.jwk')]);
    expect(inspect.code).toBe(0);
    expect(inspect.stderr).toMatch(/^valid/);
    const wrongKey = await nonred(['inspect', join(work, 'fc.jws'), '--jwk', join(work, 'formosa.public.jwk')]);
    expect(wrongKey.code).toBe(1);

    const submit = await nonred(['submit', join(work, 'fc.jws'), join(work, 'radio.jws')], { NONRED_TOKEN: supplierToken });
    expect(submit.code).toBe(0);
    expect(submit.stdout).toMatch(/accepted 2, already held 0, rejected 0/);
    writeFileSync(join(work, 'junk.jws'), 'not.a.jws\n');
    const again = await nonred(['submit', join(work, 'fc.jws'), join(work, 'junk.jws')], { NONRED_TOKEN: supplierToken });
    expect(again.code).toBe(1);
    expect(again.stdout).toMatch(/accepted 0, already held 1, rejected 1/);
    expect(again.stderr).toMatch(/junk\.jws: declaration\./);

    writeFileSync(join(work, 'quad.csv'), 'Level,Manufacturer,MPN,Category,Qty\n1,Vistula Avionics,FC-7,flight-controller,1\n1,Formosa RF,TR-900,radio,1\n');
    const up = await nonred(['bom', 'upload', join(work, 'quad.csv'), '--name', 'Quad'], { NONRED_TOKEN: procurement });
    expect(up.code).toBe(0);
    const bomId = up.stdout.trim();
    expect(bomId).toMatch(/^bom_/);
    const verify = await nonred(['bom', 'verify', bomId], { NONRED_TOKEN: procurement });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toMatch(/✗ DISALLOWED_ORIGIN manufacturedIn=CN\s+Quad › TR-900/);
    expect(verify.stdout).toMatch(/Verdict: FAIL/);
    const asJson = await nonred(['bom', 'verify', bomId, '--format', 'json', '--policy', 'ndaa-848'], { NONRED_TOKEN: procurement });
    const report = JSON.parse(asJson.stdout) as { id: string; verdict: string };
    expect(asJson.code).toBe(1);

    const signed = await nonred(['report', 'get', report.id, '--signed', '--out', join(work, 'report.jws')], { NONRED_TOKEN: procurement });
    expect(signed.code).toBe(0);
    const ok = await nonred(['report', 'verify', join(work, 'report.jws'), '--jwks', `${url}/.well-known/jwks.json`]);
    expect([ok.code, ok.stdout]).toEqual([0, expect.stringMatching(/valid: report/)]);
    const [h, p, s] = readFileSync(join(work, 'report.jws'), 'utf8').trim().split('.') as [string, string, string];
    const body = JSON.parse(Buffer.from(p, 'base64url').toString());
    body.verdict = 'pass';
    writeFileSync(join(work, 'tampered.jws'), `${h}.${Buffer.from(JSON.stringify(body)).toString('base64url')}.${s}`);
    const bad = await nonred(['report', 'verify', join(work, 'tampered.jws'), '--jwks', `${url}/.well-known/jwks.json`]);
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/INVALID/);

    // the audit bundle: every signature and the re-run walk
    await nonred(['report', 'get', report.id, '--bundle', '--out', join(work, 'bundle.json')], { NONRED_TOKEN: procurement });
    const b = await nonred(['report', 'verify', '--bundle', join(work, 'bundle.json'), '--jwks', `${url}/.well-known/jwks.json`]);
    expect(b.code).toBe(0);
    expect(b.stdout).toMatch(/✓ re-run/);
    const bundle = JSON.parse(readFileSync(join(work, 'bundle.json'), 'utf8'));
    bundle.declarations = bundle.declarations.slice(1);
    writeFileSync(join(work, 'bundle-cut.json'), JSON.stringify(bundle));
    expect((await nonred(['report', 'verify', '--bundle', join(work, 'bundle-cut.json')])).code).toBe(1);

    // offline: the same walk over the folder, with the registry export or the bare keys
    const offline = join(work, 'offline');
    mkdirSync(join(offline, 'decls'), { recursive: true });
    mkdirSync(join(offline, 'keys'));
    copyFileSync(join(work, 'fc.jws'), join(offline, 'decls', 'fc.jws'));
    copyFileSync(join(work, 'radio.jws'), join(offline, 'decls', 'radio.jws'));
    copyFileSync(join(work, 'vistula.public.jwk'), join(offline, 'keys', 'vistula.jwk'));
    copyFileSync(join(work, 'formosa.public.jwk'), join(offline, 'keys', 'formosa.jwk'));
    const reg = await fetch(`${url}/v1/registry`, { headers: { authorization: `Bearer ${procurement}` } });
    writeFileSync(join(offline, 'registry.json'), await reg.text());
    copyFileSync(join(work, 'quad.csv'), join(offline, 'quad.csv'));
    const before = readdirSync(offline, { recursive: true }).sort();
    const withRegistry = await nonred(['check', 'quad.csv', '--declarations', 'decls', '--registry', 'registry.json'], { NONRED_SERVER: 'http://127.0.0.1:9' }, offline);
    expect(withRegistry.code).toBe(1);
    expect(withRegistry.stdout).toMatch(/DISALLOWED_ORIGIN manufacturedIn=CN/);
    const passOffline = await nonred(['check', 'quad.csv', '--declarations', 'decls', '--keys', 'keys', '--policy', 'ndaa-848'], {}, offline);
    expect(passOffline.stderr).toMatch(/every declaration is third-party/);
    expect(passOffline.code).toBe(1);
    // a policy file that accepts third-party evidence for critical parts lets the PL part pass
    writeFileSync(join(work, 'pl.csv'), 'Level,Manufacturer,MPN\n1,Vistula Avionics,FC-7\n');
    writeFileSync(join(work, 'lenient.json'), JSON.stringify({ name: 'Lenient', disallowedCountries: ['CN'], fields: ['manufacturedIn'], scope: 'all', minimumAssurance: { critical: 'signed-third-party', other: 'attested-by-parent' }, maxDeclarationAgeDays: 730, maxDepth: 32 }));
    const thirdParty = await nonred(['check', join(work, 'pl.csv'), '--declarations', join(offline, 'decls'), '--keys', join(offline, 'keys'), '--policy', join(work, 'lenient.json')]);
    expect([thirdParty.code, thirdParty.stdout]).toEqual([0, expect.stringMatching(/Verdict: PASS/)]);
    const critical = await nonred(['check', join(work, 'quad.csv'), '--declarations', join(offline, 'decls'), '--keys', join(offline, 'keys'), '--format', 'json']);
    expect(JSON.parse(critical.stdout).findings.map((f: { code: string }) => f.code)).toContain('INSUFFICIENT_ASSURANCE');
    expect(readdirSync(offline, { recursive: true }).sort()).toEqual(before);
  });

  it('verifies the audit chain offline, also in a backup, and catches an edited row', async () => {
    const ok = await nonred(['audit', 'verify', '--db', db]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/"valid":true/);
    const backup = join(dir, 'backup.db');
    const b = await nonred(['backup', '--db', db, '--out', backup]);
    expect(b.code).toBe(0);
    expect(existsSync(`${backup}.service-key.jwk`)).toBe(true);
    expect((await nonred(['audit', 'verify', '--db', backup])).code).toBe(0);
    const rotated = await nonred(['service-key', 'rotate', '--db', backup, '--key-file', `${backup}.service-key.jwk`]);
    expect(rotated.code).toBe(0);
    expect(rotated.stdout.trim()).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(JSON.parse(readFileSync(`${backup}.service-key.jwk`, 'utf8')).keys.map((k: { status: string }) => k.status)).toEqual(['retired', 'current']);
    const edited = new Database(backup);
    edited.prepare("UPDATE audit_log SET actor = 'someone-else' WHERE seq = 2").run();
    edited.close();
    const broken = await nonred(['audit', 'verify', '--db', backup]);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toMatch(/broken at entry 2/);
  });

  it('answers errors with one line and a non-zero exit, never a stack trace', async () => {
    const missing = await nonred(['bom', 'verify', 'bom_nope'], asAdmin);
    expect(missing.code).toBe(3);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/403 auth\.forbidden|404 not_found/);
    const badToken = await nonred(['report', 'get', 'x'], { NONRED_TOKEN: 'nrd_wrong' });
    expect(badToken.stderr.trim()).toMatch(/^nonred: 401 auth\.invalid/);
    const noServer = await nonred(['bom', 'upload', join(ROOT, 'fixtures', 'boms', 'quadcopter.json')], { NONRED_SERVER: 'http://127.0.0.1:9', NONRED_TOKEN: 'x' });
    expect(noServer.code).toBe(3);
    expect(noServer.stderr).toMatch(/cannot reach/);
    for (const r of [missing, badToken, noServer]) expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

// The server process itself: `node dist/cli/nonred.cjs serve` (what `npm start` runs) on a
// free port with a fresh database directory.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { compactVerify, createLocalJWKSet } from 'jose';
import { afterAll, describe, expect, it } from 'vitest';

const LAUNCHER = join(import.meta.dirname, '..', '..', 'dist', 'cli', 'nonred.cjs');
const dir = mkdtempSync(join(tmpdir(), 'nonred-e2e-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const c of children) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

function start(env: Record<string, string>): Promise<{ child: ChildProcess; out: string; port: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [LAUNCHER, 'serve'], { env: { PATH: process.env.PATH ?? '', NONRED_PORT: '0', NONRED_LOG: 'error', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 20_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ child, out, port: Number(m[1]) });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

describe('the server process', () => {
  it('seeds the demo on first start, prints the tokens, and serves a failing report with its full path', async () => {
    const db = join(dir, 'demo', 'nonred.db');
    const { child, out, port } = await start({ NONRED_DB: db });
    const token = /procurement token:\s+(\S+)/.exec(out)![1]!;
    expect(out).toMatch(/admin token:\s+nrd_/);
    const reportId = /demo report:\s+(\S+)/.exec(out)![1]!;
    const res = await fetch(`http://127.0.0.1:${port}/v1/reports/${reportId}`, { headers: { authorization: `Bearer ${token}` } });
    const report = (await res.json()) as { verdict: string; findings: { code: string; path: { partNumber: string }[] }[] };
    expect(report.verdict).toBe('fail');
    const red = report.findings.filter((f) => f.code === 'DISALLOWED_ORIGIN');
    expect(red.length).toBeGreaterThan(0);
    expect(red[0]!.path.map((s) => s.partNumber)).toEqual(['KQ4-100', 'VA-FC7', 'TG-M10', 'RL-G10']);
    const jwks1 = await (await fetch(`http://127.0.0.1:${port}/.well-known/jwks.json`)).text();
    expect((statSync(join(dir, 'demo', 'service-key.jwk')).mode & 0o777).toString(8)).toBe('600');
    // sized before any module loaded: one thread per core, at least two (src/cli/nonred.cts)
    expect(out).toContain(`libuv thread pool ${Math.max(2, availableParallelism())})`);
    await stop(child);

    // a restart keeps the service key and does not seed again
    const second = await start({ NONRED_DB: db, UV_THREADPOOL_SIZE: '3' });
    expect(second.out).not.toMatch(/demo programme seeded/);
    expect(second.out).toContain('libuv thread pool 3)'); // a size set in the environment is kept
    expect(await (await fetch(`http://127.0.0.1:${second.port}/.well-known/jwks.json`)).text()).toBe(jwks1);
    const again = await fetch(`http://127.0.0.1:${second.port}/v1/reports/${reportId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    await stop(second.child);
  });

  it('starts empty with NONRED_DEMO=0 and accepts the bootstrap token', async () => {
    const boot = 'bootstrap-secret-for-e2e-0123456789';
    const { child, port, out } = await start({ NONRED_DB: join(dir, 'empty', 'nonred.db'), NONRED_DEMO: '0', NONRED_BOOTSTRAP_TOKEN: boot });
    expect(out).not.toMatch(/seeded/);
    const res = await fetch(`http://127.0.0.1:${port}/v1/suppliers`, { headers: { authorization: `Bearer ${boot}` } });
    expect(await res.json()).toEqual({ items: [] });
    await stop(child);
  });

  // Linux: the threads of a process are listed in /proc. Two servers started alike differ in
  // threads only by their pools, so this fails if the entry point sets the size too late
  // (an ES module entry would leave libuv's default of 4 in the first).
  it.runIf(existsSync('/proc/self/task'))('runs libuv\'s thread pool at the size the entry point sets', async () => {
    const threads = async (extra: Record<string, string>, name: string) => {
      const { child } = await start({ NONRED_DB: join(dir, `pool-${name}`, 'nonred.db'), NONRED_DEMO: '0', ...extra });
      const n = readdirSync(`/proc/${child.pid}/task`).length;
      await stop(child);
      return n;
    };
    const byDefault = await threads({}, 'default');
    const ofSix = await threads({ UV_THREADPOOL_SIZE: '6' }, 'six');
    expect(ofSix - byDefault).toBe(6 - Math.max(2, availableParallelism()));
  });

  it('answers large verifications over HTTP intact while several are in flight, signed and stored', async () => {
    const boot = 'bootstrap-secret-for-e2e-large-0123456789';
    const { child, port } = await start({ NONRED_DB: join(dir, 'large', 'nonred.db'), NONRED_DEMO: '0', NONRED_BOOTSTRAP_TOKEN: boot });
    const url = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, token: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      return { status: res.status, bytes: Buffer.from(await res.arrayBuffer()) };
    };
    const proc = (JSON.parse((await call('POST', '/v1/tokens', boot, { role: 'procurement' })).bytes.toString()) as { token: string }).token;
    const bomOf = (tag: string, n: number) => ({
      schema: 'nonred/bom/v1', name: `Large ${tag}`, partNumber: `L-${tag}`, revision: 'A',
      items: Array.from({ length: n }, (_, i) => ({ id: String(i), parent: null, manufacturer: `Maker ${i % 9}`, partNumber: `${tag}-${i}`, name: `Part ${i} ${tag}`, quantity: 1 })),
    });
    const ids: string[] = [];
    for (const [tag, n] of [['alpha', 4000], ['beta', 3000], ['gamma', 3500]] as const) {
      ids.push((JSON.parse((await call('POST', '/v1/boms', proc, bomOf(tag, n))).bytes.toString()) as { id: string }).id);
    }
    // the three at once: each answer is written from a buffer that is reused only after it went out
    const answers = await Promise.all(ids.map((id) => call('POST', `/v1/boms/${id}/verify`, proc)));
    const jwks = createLocalJWKSet(JSON.parse(await (await fetch(`${url}/.well-known/jwks.json`)).text()) as never);
    for (const [i, a] of answers.entries()) {
      expect(a.status).toBe(201);
      expect(a.bytes.length).toBeGreaterThan(1024 * 1024);
      const report = JSON.parse(a.bytes.toString()) as { id: string; bom: { id: string }; tree: { nodes: unknown[] } };
      expect(report.bom.id).toBe(ids[i]);
      const stored = await call('GET', `/v1/reports/${report.id}`, proc);
      expect(stored.bytes.equals(a.bytes)).toBe(true);
      const jws = (await fetch(`${url}/v1/reports/${report.id}`, { headers: { authorization: `Bearer ${proc}`, accept: 'application/jose' } }));
      const v = await compactVerify(await jws.text(), jwks);
      expect(JSON.parse(new TextDecoder().decode(v.payload)).id).toBe(report.id);
    }
    await stop(child);
  });

  it('refuses to start on an invalid setting, naming the variable', async () => {
    await expect(start({ NONRED_DB: join(dir, 'bad', 'nonred.db'), NONRED_PORT: 'eighty' })).rejects.toThrow(/NONRED_PORT/);
    await expect(start({ NONRED_DB: join(dir, 'bad', 'nonred.db'), NONRED_DEMO: 'yes' })).rejects.toThrow(/NONRED_DEMO/);
  });
});

// Shared pieces of the benchmarks: a seeded generator, timing, peak memory, the machine
// line, and starting the real server process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, freemem, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { readdirSync, readFileSync } from 'node:fs';

// compiled to bench/out/bench/: the project root is three levels up
export const ROOT = join(import.meta.dirname, '..', '..', '..');
// what `npm start` runs
export const CLI = join(ROOT, 'dist', 'cli', 'nonred.cjs');

/** mulberry32: small, fast, seeded — the same data every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function machineLine(): string {
  const c = cpus();
  return `${c.length} × ${c[0]?.model ?? 'unknown CPU'}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM (${(freemem() / 2 ** 30).toFixed(1)} free at start), Linux ${release()}, Node ${process.version}`;
}

export function peakRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/**
 * What memory costs this machine, measured in a child process: ms per MB to write one byte
 * per 4 KiB page of a buffer never touched before (each page is a fault the kernel serves
 * with a fresh, zeroed page), and to do the same again on the same buffer. On virtual
 * machines the first can be hundreds of times the second; every MB a server process takes
 * fresh from the kernel (a growing heap, a new large buffer) pays it.
 */
export function memoryCost(): { freshMsPerMb: number; reusedMsPerMb: number } {
  const script = `const MB = 256; const r = []; for (let k = 0; k < 3; k++) {
    const b = Buffer.allocUnsafeSlow(MB * 1048576); let t = performance.now();
    for (let i = 0; i < b.length; i += 4096) b[i] = 1; const fresh = performance.now() - t; t = performance.now();
    for (let i = 0; i < b.length; i += 4096) b[i] = 2; r.push([fresh / MB, (performance.now() - t) / MB]); }
    r.sort((a, b) => a[0] - b[0]); console.log(JSON.stringify(r[1]));`;
  const [fresh, reused] = JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8' })) as [number, number];
  return { freshMsPerMb: fresh, reusedMsPerMb: reused };
}

/** The fields of /proc/<pid>/stat after the command name (Linux): [0] is the state. */
function procStat(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Minor page faults (a page the kernel had to supply) a process has taken so far. */
export function processMinorFaults(pid: number): number {
  return Number(procStat(pid)[7]);
}

/** CPU time (user + system) a process has used so far, in ms, from /proc/<pid>/stat (Linux; USER_HZ = 100). */
export function processCpuMs(pid: number): number {
  const f = procStat(pid);
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** CPU time (user + system) of each thread of a process so far, in ms, oldest thread (the main one) first. */
export function threadCpuMs(pid: number): { tid: number; ms: number }[] {
  return readdirSync(`/proc/${pid}/task`).map(Number).sort((a, b) => a - b).map((tid) => {
    const raw = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    const f = raw.slice(raw.lastIndexOf(') ') + 2).split(' ');
    return { tid, ms: (Number(f[11]) + Number(f[12])) * 10 };
  });
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ ms: number; value: T }> {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
}

export interface Server {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
  /** what the server printed, and how it ended if it has: for the error when a request fails */
  describe(): string;
}

export const BOOT = 'bench-bootstrap-token-0123456789abcdef';

export function startServer(db: string, env: Record<string, string> = {}): Promise<Server> {
  return new Promise((resolve, reject) => {
    // BENCH_PROFILE=DIR writes a CPU profile of the server (node --cpu-prof) for each run
    const prof = process.env.BENCH_PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE}`] : [];
    // BENCH_NODE_FLAGS="--trace-gc …" passes more flags to the server's node
    const extra = process.env.BENCH_NODE_FLAGS ? process.env.BENCH_NODE_FLAGS.split(' ') : [];
    const child = spawn(process.execPath, [...prof, ...extra, CLI, 'serve', '--port', '0', '--db', db], {
      env: { PATH: process.env.PATH ?? '', NONRED_DEMO: '0', NONRED_BOOTSTRAP_TOKEN: BOOT, NONRED_LOG: 'error', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let ended: string | null = null;
    child.on('exit', (code, signal) => (ended = `exited with ${signal ?? code}`));
    const t = setTimeout(() => reject(new Error(`server did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve({
          url: m[1]!,
          child,
          stop: () => new Promise((done) => {
            child.on('exit', () => done());
            child.kill('SIGTERM');
          }),
          describe: () => `server ${ended ?? 'still running'}; its output: ${out.slice(-2000) || '(none)'}`,
        });
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`server exited ${code}: ${out}`)));
  });
}

export async function api(url: string, method: string, path: string, body?: unknown, token = BOOT, type = 'application/json'): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { 'content-type': type } : {}) },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

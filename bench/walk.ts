// Walk benchmark: each graph is built in a child process; then the real server process is
// started on it and asked to verify the BOM over HTTP (POST /v1/boms/{id}/verify: walk,
// report built, signed, stored, and the whole 201 body received). The baseline, a
// recursive CTE over the same edges, runs in this process on the same file.
import Database from 'better-sqlite3';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, processMinorFaults, startServer, timed } from './lib.js';

export interface WalkResult {
  size: number;
  nodes: number;
  reachable: number;
  verdict: string;
  findings: number;
  /** the verification requests, in order: the first one in a fresh process, then the rest */
  runsMs: number[];
  /** the median of runsMs */
  walkMs: number;
  /** writing the report's where-used rows, which the service does after answering (median) */
  indexMs: number;
  /** the same, run by run */
  indexRunsMs: number[];
  cteMs: number;
  /** the server process's peak resident memory over all runs */
  peakRssMb: number;
  /** minor page faults the server took per verification (median over the runs) */
  faults: number;
  reportBytes: number;
  /** the server's own timing of each step (its Server-Timing header), median over the runs, ms */
  steps: Record<Step, number>;
  /** the rest of each request (median): sending and receiving the report, HTTP, the queue */
  restMs: number;
}

export const STEPS = ['walk', 'body', 'parts', 'store'] as const;
export type Step = (typeof STEPS)[number];

function stepsOf(header: string | null): Record<Step, number> {
  const out = {} as Record<Step, number>;
  for (const step of STEPS) {
    const m = new RegExp(`(?:^|, )${step};dur=([\\d.]+)`).exec(header ?? '');
    if (!m) throw new Error(`verify answered without a Server-Timing ${step} (${header})`);
    out[step] = Number(m[1]);
  }
  return out;
}

const HERE = import.meta.dirname;

function serverPeakRssMb(pid: number): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function cteBaseline(file: string): { ms: number; reachable: number } {
  const db = new Database(file, { readonly: true });
  try {
    const cte = db.prepare(`WITH RECURSIVE reach(n) AS (SELECT child FROM bench_edges WHERE parent = -1
      UNION SELECT e.child FROM bench_edges e JOIN reach r ON e.parent = r.n) SELECT count(*) AS c FROM reach`).pluck();
    cte.get(); // warm the page cache as the walk will find it
    const times: number[] = [];
    let reachable = 0;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      reachable = cte.get() as number;
      times.push(performance.now() - t0);
    }
    return { ms: median(times), reachable };
  } finally {
    db.close();
  }
}

/** Where answers are received: one buffer, kept between runs and grown when too small. */
let received = Buffer.alloc(0);
/** What the socket reads into, reused for every read. */
const readBuffer = Buffer.alloc(1 << 20);

/**
 * One verification on a connection of its own. (Reusing a kept-alive connection raced the
 * server's keep-alive timeout: parsing a 300,000-node report here blocks this process for
 * seconds, after which a POST could go out on a socket the server had already closed.)
 * HTTP/1.1 by hand over a socket that reads into one reused buffer (net's `onread`), and
 * the answer copied into another kept between runs: node:http's client takes a fresh 64 KiB
 * buffer per read, and at 100,000 nodes the 72 MB answer then cost this process 150–300 ms
 * of fresh memory while the clock ran (240–590 ms from the headers to the last byte), which
 * timed this client, not the service. The answer must say its Content-Length (the server's
 * does for a report).
 */
function verifyOnce(url: string, token: string): Promise<{ status: number; body: Buffer; timing: string | null }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    let head = '';
    let status = 0;
    let timing: string | null = null;
    let length = -1;
    let got = 0;
    let settled = false;
    const done = (e: Error | null) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (e) reject(e);
      else resolve({ status, body: received.subarray(0, length), timing });
    };
    const take = (bytes: Buffer) => {
      if (got + bytes.length > length) return done(new Error(`answer longer than its Content-Length ${length}`));
      bytes.copy(received, got);
      got += bytes.length;
      if (got === length) done(null);
    };
    const socket = connect({
      host: u.hostname, port: Number(u.port),
      onread: {
        buffer: readBuffer,
        // (true: keep reading)
        callback: (n: number, buf: Uint8Array) => {
          const bytes = Buffer.from(buf.buffer, buf.byteOffset, n);
          if (length >= 0) {
            take(bytes);
            return true;
          }
          head += bytes.toString('latin1');
          const end = head.indexOf('\r\n\r\n');
          if (end < 0) return true;
          const lines = head.slice(0, end).split('\r\n');
          status = Number(/^HTTP\/1\.1 (\d{3})/.exec(lines[0]!)?.[1] ?? 0);
          for (const l of lines.slice(1)) {
            const [k, v] = [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()];
            if (k === 'content-length') length = Number(v);
            if (k === 'server-timing') timing = v;
          }
          if (length < 0) {
            done(new Error(`answer without a Content-Length: ${lines.join(' | ')}`));
            return true;
          }
          if (received.length < length) received = Buffer.alloc(length);
          const rest = Buffer.from(head.slice(end + 4), 'latin1');
          head = '';
          if (rest.length > 0 || length === 0) take(rest);
          return true;
        },
      },
    });
    socket.on('error', (e) => done(e));
    socket.on('end', () => { if (length < 0 || got < length) done(new Error(`connection closed after ${got} of ${length} bytes`)); });
    socket.write(`POST ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\nauthorization: Bearer ${token}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
  });
}

export const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

export async function benchWalk(size: number, runs = 3): Promise<WalkResult> {
  const dir = mkdtempSync(join(tmpdir(), 'nonred-bench-walk-'));
  try {
    const file = join(dir, 'walk.db');
    const setup = JSON.parse(execFileSync(process.execPath, [join(HERE, 'walk-setup.js'), file, String(size)], { encoding: 'utf8', maxBuffer: 1 << 24 })) as { bomId: string; sample: { manufacturer: string; partNumber: string } };
    const base = cteBaseline(file);
    const server = await startServer(file);
    try {
      const proc = (await api(server.url, 'POST', '/v1/tokens', { role: 'procurement' })).token as string;
      const runsMs: number[] = [];
      const indexMs: number[] = [];
      const faults: number[] = [];
      const steps: Record<Step, number>[] = [];
      let last: { verdict: string; summary: { nodes: number; findings: number } } | undefined;
      let bytes = 0;
      for (let i = 0; i < runs; i++) {
        // until the last byte of the answer (received into memory this process reuses: see
        // verifyOnce)
        const faults0 = processMinorFaults(server.child.pid!);
        const run = await timed(async () => {
          try {
            return await verifyOnce(`${server.url}/v1/boms/${setup.bomId}/verify?policy=non-red`, proc);
          } catch (e) {
            // (say why: a reset connection alone does not tell a crash from a timeout)
            await new Promise((r) => setTimeout(r, 500));
            throw new Error(`verify ${i + 1} of ${size} nodes failed: ${e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? '')}` : String(e)}; ${server.describe()}`);
          }
        });
        faults.push(processMinorFaults(server.child.pid!) - faults0);
        const body = run.value.body;
        if (run.value.status !== 201) throw new Error(`verify → ${run.value.status}: ${body.subarray(0, 300).toString()}`);
        runsMs.push(run.ms);
        steps.push(stepsOf(run.value.timing));
        bytes = body.length;
        // where-used writes any rows still queued before it answers: this is the work the
        // service does after answering, timed on its own (and out of the next run's way).
        // Asked at once, before this process reads the report, so that little of it is
        // done in the background first and the figure is the whole of it.
        const q = `/v1/parts/where-used?manufacturer=${encodeURIComponent(setup.sample.manufacturer)}&partNumber=${encodeURIComponent(setup.sample.partNumber)}`;
        indexMs.push((await timed(() => api(server.url, 'GET', q, undefined, proc))).ms);
        last = JSON.parse(body.toString('utf8')) as typeof last;
      }
      const r: WalkResult = {
        size, nodes: last!.summary.nodes, reachable: base.reachable, verdict: last!.verdict, findings: last!.summary.findings,
        runsMs, walkMs: median(runsMs), indexMs: median(indexMs), indexRunsMs: indexMs, cteMs: base.ms, peakRssMb: serverPeakRssMb(server.child.pid!), faults: median(faults), reportBytes: bytes,
        steps: Object.fromEntries(STEPS.map((k) => [k, median(steps.map((x) => x[k]))])) as Record<Step, number>,
        restMs: median(runsMs.map((ms, i) => ms - STEPS.reduce((a, k) => a + steps[i]![k], 0))),
      };
      console.log(`walk ${size}: ${r.walkMs.toFixed(0)} ms median of ${runs} (${runsMs.map((m) => m.toFixed(0)).join(', ')}; CTE ${r.cteMs.toFixed(1)} ms, ×${(r.walkMs / r.cteMs).toFixed(1)}), server peak RSS ${r.peakRssMb.toFixed(0)} MB, ${r.faults} page faults per run (${faults.join(', ')}), ${r.nodes} nodes, verdict ${r.verdict}; server steps ${STEPS.map((k) => `${k} ${r.steps[k].toFixed(0)}`).join(', ')}, rest ${r.restMs.toFixed(0)} ms`);
      return r;
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

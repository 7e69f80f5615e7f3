// Intake: 20,000 signed declarations (half Ed25519, half ES256, 20 components each) through
// the batch endpoint of the real server over HTTP, against jose's compactVerify of the same
// tokens awaited one at a time in one loop.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CompactSign, compactVerify } from 'jose';
import { api, fmt, processCpuMs, processMinorFaults, rng, startServer, threadCpuMs, timed } from './lib.js';

export interface IntakeResult {
  declarations: number;
  baselinePerSec: number;
  intakePerSec: number;
  ratio: number;
  /** CPU time per declaration: the baseline process's per check, the server's per intake */
  baselineCpuUs: number;
  serverCpuUs: number;
  /** minor page faults the server took per declaration (fresh 4 KiB pages) */
  serverFaults: number;
  batches: number;
  runs: number;
}

const SUPPLIERS_PER_ALG = 50;
const COMPONENTS = 20;
const BATCH = 1000;

export async function benchIntake(total = 20_000, rounds = 3): Promise<IntakeResult> {
  const rand = rng(20_000);
  const signers: { id: string; alg: 'EdDSA' | 'ES256'; priv: KeyObject; pub: KeyObject }[] = [];
  for (const alg of ['EdDSA', 'ES256'] as const) {
    for (let i = 0; i < SUPPLIERS_PER_ALG; i++) {
      const pair = alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      signers.push({ id: `sup-${alg.toLowerCase()}-${i}`, alg, priv: pair.privateKey, pub: pair.publicKey });
    }
  }
  const countries = ['PL', 'DE', 'TW', 'JP', 'US', 'FR', 'CZ', 'SE'];
  const signerOf = (n: number) => signers[n % 2 === 0 ? (n / 2) % SUPPLIERS_PER_ALG : SUPPLIERS_PER_ALG + ((n - 1) / 2) % SUPPLIERS_PER_ALG]!;
  const tokens: { jws: string; key: KeyObject }[] = [];
  for (let n = 0; n < total; n++) {
    const s = signerOf(n);
    const c = countries[Math.floor(rand() * countries.length)]!;
    const payload = {
      schema: 'nonred/declaration/v1', id: `D-${n}`, supplier: s.id, issuedAt: '2026-10-01T00:00:00Z',
      part: { manufacturer: `${s.id} Manufacturing`, partNumber: `PN-${n}`, name: `Assembly ${n}`, category: 'other' },
      origin: { manufacturedIn: c, assembledIn: c, manufacturer: { name: `${s.id} GmbH`, domicile: c, ultimateParent: 'self' } },
      components: Array.from({ length: COMPONENTS }, (_, i) => ({
        manufacturer: `Maker ${Math.floor(rand() * 500)}`, partNumber: `C-${n}-${i}`, quantity: 1 + Math.floor(rand() * 8), category: 'mechanical',
        origin: { manufacturedIn: countries[Math.floor(rand() * countries.length)] },
      })),
    };
    const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ alg: s.alg, kid: '', typ: 'nonred-declaration+jws' })
      .sign(s.priv);
    tokens.push({ jws, key: s.pub });
  }

  // Baseline: the signature check alone, one at a time on one core.
  const baseline = async () => {
    const cpu0 = process.cpuUsage();
    const t = await timed(async () => {
      for (const t of tokens) await compactVerify(t.jws, t.key);
    });
    const cpu = process.cpuUsage(cpu0);
    baseCpu.push((cpu.user + cpu.system) / total);
    return (total / t.ms) * 1000;
  };

  // One intake run against a fresh server and database.
  const intakeRun = async (): Promise<number> => {
    const dir = mkdtempSync(join(tmpdir(), 'nonred-bench-intake-'));
    const server = await startServer(join(dir, 'nonred.db'));
    try {
      const kids = new Map<string, string>();
      for (const s of signers) {
        await api(server.url, 'POST', '/v1/suppliers', { id: s.id, name: `${s.id} GmbH`, domicile: 'DE', ultimateParent: 'self', manufacturerNames: [`${s.id} Manufacturing`] });
        const k = await api(server.url, 'POST', `/v1/suppliers/${s.id}/keys`, { jwk: s.pub.export({ format: 'jwk' }) });
        kids.set(s.id, k.kid as string);
      }
      // the kid is the key's registered thumbprint: sign the final tokens now that kids are known
      if (withKid.length === 0) {
        for (let n = 0; n < tokens.length; n++) {
          const s = signerOf(n);
          const payload = Buffer.from(tokens[n]!.jws.split('.')[1]!, 'base64url');
          withKid.push(await new CompactSign(payload).setProtectedHeader({ alg: s.alg, kid: kids.get(s.id)!, typ: 'nonred-declaration+jws' }).sign(s.priv));
        }
      }
      const proc = (await api(server.url, 'POST', '/v1/tokens', { role: 'procurement' })).token as string;
      let accepted = 0;
      const cpu0 = processCpuMs(server.child.pid!);
      const faults0 = processMinorFaults(server.child.pid!);
      // as `nonred submit` sends them: batches of 1,000, two in flight
      const run = await timed(async () => {
        let next = 0;
        const worker = async () => {
          while (next < withKid.length) {
            const i = next;
            next += BATCH;
            const res = await api(server.url, 'POST', '/v1/declarations/batch', withKid.slice(i, i + BATCH).join('\n'), proc, 'application/x-ndjson');
            accepted += res.accepted as number;
          }
        };
        await Promise.all([worker(), worker()]);
      });
      if (accepted !== total) throw new Error(`intake accepted ${accepted} of ${total}`);
      // BENCH_THREADS=1: where the server's CPU went since it started, thread by thread (main first)
      if (process.env.BENCH_THREADS === '1') console.log(`server CPU by thread, ms: ${threadCpuMs(server.child.pid!).map((t) => t.ms).join(' ')}`);
      serverCpu.push(((processCpuMs(server.child.pid!) - cpu0) * 1000) / total);
      serverFaults.push((processMinorFaults(server.child.pid!) - faults0) / total);
      return (total / run.ms) * 1000;
    } finally {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  // This machine's speed drifts by tens of percent within minutes: baseline and intake are
  // interleaved three times each and the medians compared.
  const withKid: string[] = [];
  const baseCpu: number[] = [];
  const serverCpu: number[] = [];
  const serverFaults: number[] = [];
  const bases: number[] = [];
  const rates: number[] = [];
  for (let k = 0; k < rounds; k++) {
    bases.push(await baseline());
    rates.push(await intakeRun());
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const baselinePerSec = median(bases);
  const intakePerSec = median(rates);
  console.log(`intake: ${fmt(intakePerSec)} declarations/s over HTTP (runs ${rates.map((r) => fmt(r)).join(', ')}); baseline compactVerify ${fmt(baselinePerSec)}/s (runs ${bases.map((b) => fmt(b)).join(', ')}); ratio ${fmt(intakePerSec / baselinePerSec, 2)}; CPU per declaration: server ${fmt(median(serverCpu))} µs, baseline ${fmt(median(baseCpu))} µs; server page faults per declaration ${fmt(median(serverFaults), 1)}`);
  return { declarations: total, baselinePerSec, intakePerSec, ratio: intakePerSec / baselinePerSec, baselineCpuUs: median(baseCpu), serverCpuUs: median(serverCpu), serverFaults: median(serverFaults), batches: Math.ceil(total / BATCH), runs: rates.length };
}

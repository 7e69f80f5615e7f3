// npm run bench: every scenario of issue 5 against a baseline measured in the same run,
// printed as a table and written to bench/RESULTS.md with a line that describes the machine.
// BENCH_QUICK=1 runs smaller sizes (a smoke test of the harness, not a measurement).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { benchIntake } from './intake.js';
import { fmt, machineLine, memoryCost, ROOT } from './lib.js';
import { benchReads } from './reads.js';
import { benchStartup } from './startup.js';
import { benchWalk, type WalkResult } from './walk.js';

const quick = process.env.BENCH_QUICK === '1';
interface Row { scenario: string; figure: string; baseline: string; ratio: string; target: string; met: boolean }
const rows: Row[] = [];
const yes = (b: boolean) => (b ? 'yes' : '**no**');

const started = new Date();
const memory = memoryCost();
const machine = `${machineLine()}; memory from the kernel ${fmt(memory.freshMsPerMb, 2)} ms per MB on first touch, ${fmt(memory.reusedMsPerMb, 3)} ms per MB touched again`;
console.log(`nonred benchmarks — ${machine}`);
/** what a number of page faults costs here, at the measured first-touch price (4 KiB each) */
const faultMs = (faults: number) => (faults * 4096) / 2 ** 20 * memory.freshMsPerMb;

const intake = await benchIntake(quick ? 2_000 : 20_000, quick ? 1 : 3);
rows.push({
  scenario: `intake: ${fmt(intake.declarations)} declarations (½ Ed25519, ½ ES256, 20 components) via the batch endpoint over HTTP, median of ${intake.runs} runs`,
  figure: `${fmt(intake.intakePerSec)} /s (server CPU ${fmt(intake.serverCpuUs)} µs per declaration, of which page faults ≈ ${fmt(faultMs(intake.serverFaults) * 1000)} µs)`, baseline: `jose compactVerify, one at a time: ${fmt(intake.baselinePerSec)} /s (${fmt(intake.baselineCpuUs)} µs CPU each)`,
  ratio: `${fmt(intake.ratio, 2)}×`, target: '≥ 0.6× (stretch > 1.0×)', met: intake.ratio >= 0.6,
});

const sizes = quick ? [1_000, 10_000] : [1_000, 10_000, 100_000, 300_000];
const walks: WalkResult[] = [];
for (const n of sizes) walks.push(await benchWalk(n));
for (const w of walks) {
  const target = w.size === 100_000 ? '≤ 1.5 s, ≤ 15× CTE, ≤ 600 MB' : w.size === 300_000 ? '< 5 s, < 1.5 GB' : '—';
  const met = w.size === 100_000 ? w.walkMs <= 1500 && w.walkMs / w.cteMs <= 15 && w.peakRssMb <= 600
    : w.size === 300_000 ? w.walkMs < 5000 && w.peakRssMb < 1536 : true;
  rows.push({
    scenario: `walk: ${fmt(w.size)}-node BOM graph (depth 8, all declared, 1% red): POST …/verify to the server, report built, signed, stored and received; median of ${w.runsMs.length}`,
    figure: `${fmt(w.walkMs)} ms (first in a new process: ${fmt(w.runsMs[0]!)} ms), server peak RSS ${fmt(w.peakRssMb)} MB`, baseline: `recursive CTE over the same edges: ${fmt(w.cteMs, 1)} ms`,
    ratio: `${fmt(w.walkMs / w.cteMs, 1)}×`, target, met,
  });
}

const reads = await benchReads(quick ? 3 : 10);
rows.push({
  scenario: 'read: GET a small stored report, 64 connections (autocannon, second process)',
  figure: `${fmt(reads.report.rps)} req/s, p99 ${reads.report.p99} ms`, baseline: `GET /healthz: ${fmt(reads.healthz.rps)} req/s`,
  ratio: `${fmt(reads.report.rps / reads.healthz.rps, 2)}×`, target: '≥ 3,000 req/s, p99 ≤ 50 ms', met: reads.report.rps >= 3000 && reads.report.p99 <= 50,
});
rows.push({
  scenario: `read: where-used over ${fmt(reads.boms)} stored BOMs (part in ${reads.whereUsedBoms}), 64 connections`,
  figure: `${fmt(reads.whereUsed.rps)} req/s, p95 ${fmt(reads.whereUsed.p95, 1)} ms`, baseline: `GET /healthz: ${fmt(reads.healthz.rps)} req/s`,
  ratio: `${fmt(reads.whereUsed.rps / reads.healthz.rps, 2)}×`, target: 'p95 ≤ 20 ms', met: reads.whereUsed.p95 <= 20,
});

const startup = await benchStartup(quick ? 64 * 1024 ** 2 : 1024 ** 3);
rows.push({
  scenario: `start-up: npm start → first 200 on /healthz, ${fmt(startup.dbBytes / 2 ** 30, 2)} GiB database`,
  figure: `${fmt(startup.bigMs)} ms`, baseline: `empty database: ${fmt(startup.emptyMs)} ms`,
  ratio: `${fmt(startup.bigMs / startup.emptyMs, 2)}×`, target: '≤ 1.5 s', met: startup.bigMs <= 1500,
});

const growth = walks.map((w) => `| ${fmt(w.size)} | ${fmt(w.walkMs)} | ${fmt(w.runsMs[0]!)} | ${fmt(w.walkMs / w.size * 1000, 1)} | ${fmt(w.indexMs)} | ${fmt(w.cteMs, 1)} | ${fmt(w.walkMs / w.cteMs, 1)}× | ${fmt(w.peakRssMb)} | ${fmt(w.faults)} (≈ ${fmt(faultMs(w.faults))} ms) | ${fmt(w.reportBytes / 2 ** 20, 1)} |`);
const stepRows = walks.map((w) => `| ${fmt(w.size)} | ${fmt(w.steps.walk)} | ${fmt(w.steps.body)} | ${fmt(w.steps.parts)} | ${fmt(w.steps.store)} | ${fmt(w.restMs)} | ${fmt(w.walkMs)} |`);
const table = ['| scenario | figure | baseline (same run) | ratio | target | met |', '|---|---|---|---|---|---|',
  ...rows.map((r) => `| ${r.scenario} | ${r.figure} | ${r.baseline} | ${r.ratio} | ${r.target} | ${yes(r.met)} |`)].join('\n');
const md = [
  '# nonred benchmark results', '',
  `Latest run: ${started.toISOString()}${quick ? ' (BENCH_QUICK: smaller sizes, not a measurement)' : ''}.`, '',
  `Machine: ${machine}.`, '',
  table, '',
  '## Growth of the walk', '',
  '| nodes | ms (median) | ms (first) | µs per node | where-used rows ms (after) | CTE ms | ratio | server peak RSS MB | server page faults per run | report MB |', '|---|---|---|---|---|---|---|---|---|---|', ...growth, '',
  'Each walk figure is a POST /v1/boms/{id}/verify to the server process, from the request to the last byte of its 201 answer (the whole report): the walk, the report built, signed and stored. Three runs on one server; the first is the first verification of a newly started process, the figure is the median. The report\'s where-used rows are written after the answer, a slice per turn of the event loop (a where-used query first writes any still queued); that column is this work, timed on its own between runs. Page faults are the server process\'s minor faults during one verification (median): each is a 4 KiB page the kernel supplied, priced in brackets at the first-touch cost measured on this machine at the start of the run.', '',
  '## Where a verification\'s time goes', '',
  '| nodes | walk ms | report body ms | where-used rows ms | stored and signed ms | rest ms | total ms |', '|---|---|---|---|---|---|---|', ...stepRows, '',
  'The steps are the server\'s own timing of each verification (its Server-Timing header), median over the runs: the walk (evidence read, paths, verdict); the report body written; the where-used rows computed (inside the write transaction, while the signing thread finishes the signature begun as the body was written; the rows are written after the answer); the rest of the write transaction, in which the body is stored. The rest is the request less those steps (median): mostly sending the report and this process receiving it.', '',
  'Run with `npm run bench` (about ten minutes). Every figure is measured against a baseline taken in the same run on the same machine: see bench/*.ts for what each scenario does.', '',
].join('\n');
writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), md);
console.log(`\n${table}\n\nwritten to bench/RESULTS.md`);

// Self time by source line for one file in a .cpuprofile: node bench/profile-lines.mjs PROFILE FILE-SUBSTRING [N]
import { readFileSync } from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const want = process.argv[3];
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const interval = (prof.endTime - prof.startTime) / prof.samples.length;
const lines = new Map();
for (const n of prof.nodes) {
  if (!n.callFrame.url.includes(want) || !n.positionTicks) continue;
  for (const t of n.positionTicks) lines.set(t.line, (lines.get(t.line) ?? 0) + t.ticks);
}
for (const [line, ticks] of [...lines].sort((a, b) => b[1] - a[1]).slice(0, Number(process.argv[4] ?? 30))) console.log(`${((ticks * interval) / 1000).toFixed(0).padStart(6)} ms  line ${line}`);
void byId;

// Inclusive time of the named functions in a .cpuprofile: node bench/profile-incl.mjs PROFILE name1 name2 ...
// (a function's time counted once even when it recurses)
import { readFileSync } from 'node:fs';
const prof = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const byId = new Map(prof.nodes.map((n) => [n.id, n]));
const self = new Map();
for (let i = 0; i < prof.samples.length; i++) self.set(prof.samples[i], (self.get(prof.samples[i]) ?? 0) + (prof.timeDeltas[i] ?? 0));
const parent = new Map();
for (const n of prof.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
for (const name of process.argv.slice(3)) {
  let us = 0;
  for (const [id, t] of self) {
    for (let p = id; p !== undefined; p = parent.get(p)) {
      if (byId.get(p).callFrame.functionName === name) { us += t; break; }
    }
  }
  console.log(`${(us / 1000).toFixed(0).padStart(7)} ms  ${name}`);
}

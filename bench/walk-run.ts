// One walk measurement in its own process, so that its peak RSS is its own: the recursive
// CTE baseline over the same edges, then the verification as the service runs it — walk,
// report built, signed and stored.
import { loadConfig } from '../src/config.js';
import { openDeps } from '../src/service/bootstrap.js';
import { flushReportParts } from '../src/db/reports.js';
import { issueReport } from '../src/service/reports.js';
import { peakRssMb, timed } from './lib.js';

const [path, bomId] = process.argv.slice(2) as [string, string];
const deps = await openDeps({ ...loadConfig({ NONRED_DB: path, NONRED_LOG: 'silent' }), serviceKeyFile: null });
const db = deps.store.sqlite;
const cte = db.prepare(`WITH RECURSIVE reach(n) AS (SELECT child FROM bench_edges WHERE parent = -1
  UNION SELECT e.child FROM bench_edges e JOIN reach r ON e.parent = r.n) SELECT count(*) AS c FROM reach`);
cte.get(); // warm the page cache as the walk will find it
const base = await timed(() => (cte.get() as { c: number }).c);
const rssBefore = peakRssMb();
const run = await timed(() => issueReport(deps, bomId, 'non-red', { tokenId: 'bench', role: 'procurement', supplier: null }));
const report = run.value;
// the report's where-used rows, which the service writes after answering (in slices)
const index = await timed(() => flushReportParts(db));
console.log(JSON.stringify({
  nodes: report.summary.nodes, reachable: base.value, verdict: report.verdict, findings: report.summary.findings,
  walkMs: run.ms, indexMs: index.ms, cteMs: base.ms, peakRssMb: peakRssMb(), rssBeforeMb: rssBefore, reportBytes: run.value.body.length,
}));
deps.store.close();

// nonred submit: uploads declarations, one or thousands, through the batch endpoint, with a
// progress bar on a terminal and a summary; exit 1 if any was rejected.
import { readFileSync } from 'node:fs';
import { SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { connect, expectOk, type ConnectOptions } from '../client.js';
import { action, CliError, EXIT, err, note, out, print } from '../io.js';

const BATCH_LINES = 500;

interface Entry { label: string; jws: string }

function readEntries(files: string[]): Entry[] {
  const entries: Entry[] = [];
  for (const f of files) {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      throw new CliError(`cannot read ${f}`);
    }
    const lines = text.split('\n').map((l) => l.trim());
    const nonEmpty = lines.filter((l) => l !== '');
    if (nonEmpty.length <= 1) entries.push({ label: f, jws: nonEmpty[0] ?? '' });
    else lines.forEach((l, i) => l !== '' && entries.push({ label: `${f}:${i + 1}`, jws: l }));
  }
  return entries;
}

export function registerSubmit(program: Command, conn: (local?: { db?: string | undefined }) => ConnectOptions): void {
  program.command('submit')
    .description('submit signed declarations (files of one JWS, or NDJSON) through the batch endpoint')
    .argument('<files...>', 'declaration files')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (files: string[], opts: { db?: string }) => {
      const entries = readEntries(files);
      const client = await connect(conn(opts));
      const bar = process.stderr.isTTY ? new SingleBar({ format: 'submitting [{bar}] {value}/{total} declarations', hideCursor: true, stream: process.stderr }) : null;
      bar?.start(entries.length, 0);
      const counts = { accepted: 0, held: 0, rejected: 0 };
      const rejected: string[] = [];
      // Two batches in flight: the service verifies one while the next is on its way.
      const starts: number[] = [];
      for (let i = 0; i < entries.length; i += BATCH_LINES) starts.push(i);
      let done = 0;
      const sendBatch = async (i: number) => {
        const chunk = entries.slice(i, i + BATCH_LINES);
        // blank entries still take a line, so that line numbers map back to files
        const body = chunk.map((e) => e.jws.replace(/\s+/g, '') || '-').join('\n');
        const reply = await client.request('POST', '/v1/declarations/batch', { body, type: 'application/x-ndjson' });
        const res = expectOk<{ results: { line: number; status: 'accepted' | 'held' | 'rejected'; code?: string; detail?: string }[] }>(reply);
        for (const r of res.results) {
          counts[r.status]++;
          if (r.status === 'rejected') rejected.push(`${chunk[r.line - 1]!.label}: ${r.code}: ${r.detail}`);
        }
        done += chunk.length;
        bar?.update(done);
      };
      try {
        let next = 0;
        const worker = async () => {
          while (next < starts.length) await sendBatch(starts[next++]!);
        };
        await Promise.all([worker(), worker()]);
      } finally {
        bar?.stop();
        client.close();
      }
      for (const r of rejected) note(`${err.red('rejected')} ${r}`);
      print(`${out.green(`accepted ${counts.accepted}`)}, already held ${counts.held}, ${counts.rejected > 0 ? out.red(`rejected ${counts.rejected}`) : 'rejected 0'}`);
      return counts.rejected > 0 ? EXIT.fail : EXIT.ok;
    }));
}

// nonred bom upload / bom verify: procurement's pipeline commands. `verify` exits 0 pass,
// 1 fail, 2 incomplete, so a pipeline can gate a purchase on it.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import type { ReportBody } from '../../domain/report.js';
import { connect, expectOk, type ConnectOptions } from '../client.js';
import { action, CliError, print, warn } from '../io.js';
import { renderReport, verdictExit } from '../render.js';

export function registerBom(program: Command, conn: (local?: { db?: string | undefined }) => ConnectOptions): void {
  const bom = program.command('bom').description('upload and verify bills of materials (procurement)');

  bom.command('upload')
    .description('upload a BOM (native JSON, CSV or CycloneDX; the file name picks the format); prints its id')
    .argument('<file>', 'the BOM file')
    .option('--name <name>', 'name of the end product (defaults to the file name for CSV)')
    .option('--part-number <pn>', 'part number of the end product')
    .option('--revision <rev>', 'revision of the end product')
    .option('--type <media-type>', 'content type, when the file name does not tell')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (file: string, opts: { db?: string; name?: string; partNumber?: string; revision?: string; type?: string }) => {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        throw new CliError(`cannot read ${file}`);
      }
      const { mediaTypeForFile } = await import('../../formats/media-type.js');
      const type = opts.type ?? mediaTypeForFile(file, bytes);
      const q = new URLSearchParams();
      const name = opts.name ?? (type === 'text/csv' ? basename(file).replace(/\.[^.]+$/, '') : undefined);
      if (name) q.set('name', name);
      if (opts.partNumber) q.set('partNumber', opts.partNumber);
      if (opts.revision) q.set('revision', opts.revision);
      const client = await connect(conn(opts));
      try {
        const res = expectOk<{ id: string; warnings?: string[]; ignoredColumns?: string[] }>(await client.request('POST', `/v1/boms${q.size > 0 ? `?${q}` : ''}`, { body: bytes, type }));
        for (const w of res.warnings ?? []) warn(w);
        if (res.ignoredColumns && res.ignoredColumns.length > 0) warn(`ignored columns: ${res.ignoredColumns.join(', ')}`);
        print(res.id);
      } finally {
        client.close();
      }
    }));

  bom.command('verify')
    .description('verify an uploaded BOM against a policy; exit 0 pass, 1 fail, 2 incomplete')
    .argument('<id>', 'the BOM id')
    .option('--policy <policy>', 'policy id, or id@version', 'non-red')
    .option('--format <format>', 'text or json', 'text')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (id: string, opts: { db?: string; policy: string; format: string }) => {
      if (opts.format !== 'text' && opts.format !== 'json') throw new CliError('--format is text or json');
      const client = await connect(conn(opts));
      try {
        const reply = await client.request('POST', `/v1/boms/${encodeURIComponent(id)}/verify?policy=${encodeURIComponent(opts.policy)}`);
        const report = expectOk<ReportBody>(reply);
        print(opts.format === 'json' ? JSON.stringify(report, null, 2) : renderReport(report));
        return verdictExit(report.verdict);
      } finally {
        client.close();
      }
    }));
}

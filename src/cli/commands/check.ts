// nonred check: the whole verification offline — a BOM file, a folder of declarations, the
// registry export or a folder of public keys — through the same walk the service runs.
// No server, nothing written to disk. Exit 0 pass, 1 fail, 2 incomplete.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { action, CliError, err, note, print } from '../io.js';
import { renderReport, verdictExit } from '../render.js';

export function registerCheck(program: Command): void {
  program.command('check')
    .description('verify a BOM offline against a folder of declarations; exit 0 pass, 1 fail, 2 incomplete')
    .argument('<bom>', 'the BOM file (native JSON, CSV or CycloneDX)')
    .requiredOption('--declarations <dir>', 'folder of signed declarations (.jws files, or NDJSON)')
    .option('--keys <dir>', 'folder of public JWKs (then every declaration counts as third-party)')
    .option('--registry <file>', 'the registry as exported by GET /v1/registry')
    .option('--policy <policy>', 'a preset id or a policy .json file', 'non-red')
    .option('--name <name>', 'name of the end product (CSV BOMs)')
    .option('--at <time>', 'judge expiry at this RFC 3339 time instead of now')
    .option('--format <format>', 'text or json', 'text')
    .action(action(async (bomFile: string, opts: { declarations: string; keys?: string; registry?: string; policy: string; name?: string; at?: string; format: string }) => {
      if ((opts.keys === undefined) === (opts.registry === undefined)) throw new CliError('give exactly one of --keys DIR and --registry FILE');
      const [{ memoryEvidence }, { walk }, { importBom, mediaTypeForFile }, { Problem }, { loadDeclarations, offlineRegistry }, { readDeclarationFiles, readKeyFolder, readPolicy, readRegistry }] = await Promise.all([
        import('../../domain/memory-evidence.js'), import('../../domain/walk.js'), import('../../formats/import-bom.js'),
        import('../../problem.js'), import('../../service/offline.js'), import('../files.js'),
      ]);
      const now = opts.at ?? new Date().toISOString();
      if (Number.isNaN(Date.parse(now))) throw new CliError(`--at ${opts.at} is not a time`);
      const policy = readPolicy(opts.policy);
      const reg = opts.registry !== undefined ? readRegistry(opts.registry) : null;
      const keys = reg ? reg.keys : await readKeyFolder(opts.keys!);
      const { held, rejected } = await loadDeclarations(readDeclarationFiles(opts.declarations), keys);
      for (const r of rejected) note(`${err.yellow('not used:')} ${r.label}: ${r.reason}`);
      let bytes: Buffer;
      try {
        bytes = readFileSync(bomFile);
      } catch {
        throw new CliError(`cannot read ${bomFile}`);
      }
      let bom;
      try {
        bom = (await importBom(mediaTypeForFile(bomFile, bytes), bytes, opts.name ? { name: opts.name } : {})).bom;
      } catch (e) {
        if (e instanceof Problem) throw new CliError(`${bomFile}: ${e.code}: ${e.errors?.[0]?.message ?? e.message}`);
        throw e;
      }
      const result = walk({ bom, policy, now, registry: offlineRegistry(reg?.doc ?? null, keys, held), evidence: memoryEvidence(held) });
      note(`${held.length} declaration(s) used as evidence${rejected.length > 0 ? `, ${rejected.length} not usable` : ''}${reg ? '' : '; keys from a folder, so every declaration is third-party'}`);
      print(opts.format === 'json' ? JSON.stringify({ policy, generatedAt: now, ...result }, null, 2) : renderReport({ ...result, policy }));
      return verdictExit(result.verdict);
    }));
}

// nonred report get / report verify: an auditor fetches a report (or its signed form) and
// checks it offline — the signature against a JWKS, and with the audit bundle (or the
// declarations, BOM and registry) the walk re-run to the same verdict and body.
import { readFileSync, writeFileSync } from 'node:fs';
import type { JSONWebKeySet } from 'jose';
import type { Command } from 'commander';
import type { Policy } from '../../domain/policy.js';
import type { ReportBody } from '../../domain/report.js';
import type { BundleCheck } from '../../service/audit-bundle.js';
import { connect, expectOk, type ConnectOptions } from '../client.js';
import { action, CliError, EXIT, note, out, print } from '../io.js';
import { renderReport } from '../render.js';

async function loadJwks(source: string): Promise<JSONWebKeySet> {
  let text: string;
  if (/^https?:\/\//.test(source)) {
    try {
      const res = await fetch(source);
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      text = await res.text();
    } catch (e) {
      throw new CliError(`cannot fetch ${source}: ${e instanceof Error ? e.message : String(e)}`);
    }
  } else {
    try {
      text = readFileSync(source, 'utf8');
    } catch {
      throw new CliError(`cannot read ${source}`);
    }
  }
  try {
    const v = JSON.parse(text) as JSONWebKeySet;
    if (!Array.isArray(v.keys)) throw new Error('no keys');
    return v;
  } catch {
    throw new CliError(`${source} is not a JWK set`);
  }
}

function printChecks(r: BundleCheck): number {
  for (const c of r.checks) print(`${c.ok ? out.green('✓') : out.red('✗')} ${c.name}: ${c.detail}`);
  print(r.valid ? out.green(`valid: report ${r.reportId} (verdict ${r.verdict})`) : out.red('INVALID'));
  return r.valid ? EXIT.ok : EXIT.fail;
}

export function registerReport(program: Command, conn: (local?: { db?: string | undefined }) => ConnectOptions): void {
  const report = program.command('report').description('fetch and verify reports (auditor)');

  report.command('get')
    .description('fetch a report: text, JSON, the signed JWS, or the audit bundle')
    .argument('<id>', 'the report id')
    .option('--signed', 'the JWS signed by the service')
    .option('--bundle', 'the audit bundle (report, BOM, declarations with receipts, registry, JWKS)')
    .option('--format <format>', 'text, json, cyclonedx or csv', 'text')
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--db <file>', 'work on this database file in-process instead of a server')
    .action(action(async (id: string, opts: { db?: string; signed?: boolean; bundle?: boolean; format: string; out?: string }) => {
      if (!['text', 'json', 'cyclonedx', 'csv'].includes(opts.format)) throw new CliError('--format is text, json, cyclonedx or csv');
      const client = await connect(conn(opts));
      try {
        let text: string;
        if (opts.bundle) {
          const reply = await client.request('GET', `/v1/reports/${encodeURIComponent(id)}/bundle`);
          expectOk(reply);
          text = reply.text;
        } else if (opts.signed) {
          const reply = await client.request('GET', `/v1/reports/${encodeURIComponent(id)}?format=jws`);
          if (reply.status >= 400) expectOk(reply);
          text = reply.text;
        } else {
          const format = opts.format === 'text' ? 'json' : opts.format;
          const reply = await client.request('GET', `/v1/reports/${encodeURIComponent(id)}?format=${format}`);
          if (reply.status >= 400) expectOk(reply);
          text = opts.format === 'text' ? renderReport(JSON.parse(reply.text) as ReportBody) : opts.format === 'json' ? JSON.stringify(JSON.parse(reply.text), null, 2) : reply.text;
        }
        if (opts.out) {
          writeFileSync(opts.out, text.endsWith('\n') ? text : `${text}\n`);
          note(`wrote ${opts.out}`);
        } else {
          print(text.replace(/\n$/, ''));
        }
      } finally {
        client.close();
      }
    }));

  report.command('verify')
    .description('check a signed report offline: exit 0 valid, 1 invalid')
    .argument('[file]', 'the report JWS, or an audit bundle')
    .option('--bundle <file>', 'an audit bundle: every signature checked and the walk re-run')
    .option('--jwks <file|url>', 'the service public keys to trust (required for a bare JWS)')
    .option('--declarations <dir>', 'with a bare JWS: re-run the walk over these declarations')
    .option('--bom <file>', 'with --declarations: the BOM as uploaded')
    .option('--registry <file>', 'with --declarations: the registry as exported when the report was issued')
    .action(action(async (file: string | undefined, opts: { db?: string; bundle?: string; jwks?: string; declarations?: string; bom?: string; registry?: string }) => {
      const path = opts.bundle ?? file;
      if (!path) throw new CliError('give the report JWS or --bundle FILE');
      let text: string;
      try {
        text = readFileSync(path, 'utf8').trim();
      } catch {
        throw new CliError(`cannot read ${path}`);
      }
      const jwks = opts.jwks ? await loadJwks(opts.jwks) : undefined;
      const [{ compactVerify, createLocalJWKSet }, { BUNDLE_SCHEMA, verifyBundle }] = await Promise.all([import('jose'), import('../../service/audit-bundle.js')]);
      if (text.startsWith('{')) {
        let bundle: unknown;
        try {
          bundle = JSON.parse(text);
        } catch {
          throw new CliError(`${path} is neither a JWS nor JSON`);
        }
        if ((bundle as { schema?: unknown }).schema !== BUNDLE_SCHEMA) throw new CliError(`${path} is not an audit bundle (${BUNDLE_SCHEMA})`);
        return printChecks(await verifyBundle(bundle, jwks ? { jwks } : {}));
      }
      if (!jwks) throw new CliError('a bare JWS needs --jwks FILE|URL: the service keys you trust');
      let body: ReportBody;
      try {
        const v = await compactVerify(text, createLocalJWKSet(jwks));
        if (v.protectedHeader.typ !== 'nonred-report+jws') throw new Error(`typ is ${String(v.protectedHeader.typ)}, not nonred-report+jws`);
        body = JSON.parse(new TextDecoder().decode(v.payload)) as ReportBody;
        print(`${out.green('✓')} signature: report ${body.id} signed by ${v.protectedHeader.kid}`);
      } catch (e) {
        print(`${out.red('✗')} signature: ${e instanceof Error ? e.message : 'does not verify'}`);
        print(out.red('INVALID'));
        return EXIT.fail;
      }
      if (!opts.declarations) {
        print(out.green(`valid: report ${body.id} (verdict ${body.verdict}); pass --bundle to re-run the walk`));
        return EXIT.ok;
      }
      if (!opts.bom || !opts.registry) throw new CliError('re-running needs --bom FILE and --registry FILE beside --declarations');
      const [{ memoryEvidence }, { rerunDiffers }, { walk }, { importBom, mediaTypeForFile }, { loadDeclarations, offlineRegistry }, { readDeclarationFiles, readRegistry }] = await Promise.all([
        import('../../domain/memory-evidence.js'), import('../../domain/report.js'), import('../../domain/walk.js'),
        import('../../formats/import-bom.js'), import('../../service/offline.js'), import('../files.js'),
      ]);
      const reg = readRegistry(opts.registry);
      const { held, rejected } = await loadDeclarations(readDeclarationFiles(opts.declarations), reg.keys);
      for (const r of rejected) note(`not used: ${r.label}: ${r.reason}`);
      const bytes = readFileSync(opts.bom);
      const root = body.tree.root;
      const bom = (await importBom(mediaTypeForFile(opts.bom, bytes), bytes, { name: root.name })).bom;
      bom.partNumber = root.partNumber;
      bom.revision = root.revision;
      const { sha256: _s, ...policy } = body.policy;
      const result = walk({ bom, policy: policy as Policy, now: body.generatedAt, registry: offlineRegistry(reg.doc, reg.keys, held), evidence: memoryEvidence(held) });
      const differs = rerunDiffers(body, result);
      if (differs.length > 0) {
        print(`${out.red('✗')} re-run: differs in ${differs.join(', ')} (verdict ${result.verdict}, signed ${body.verdict})`);
        print(out.red('INVALID'));
        return EXIT.fail;
      }
      print(`${out.green('✓')} re-run: the walk at ${body.generatedAt} gives the signed body`);
      print(out.green(`valid: report ${body.id} (verdict ${body.verdict})`));
      return EXIT.ok;
    }));
}

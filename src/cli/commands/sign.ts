// nonred sign: validates a payload against the v1 schema (country names become ISO codes,
// with a notice) and signs it with the supplier's private key as a compact JWS. An invalid
// payload is never signed.
import { createPrivateKey, type JsonWebKey } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint, CompactSign } from 'jose';
import type { Command } from 'commander';
import { parseStrictJson } from '../../crypto/strict-json.js';
import { action, CliError, note, print } from '../io.js';

export function readJsonFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const r = parseStrictJson(text.replace(/^\uFEFF/, ''));
  if (!r.ok) throw new CliError(`${path}: ${r.reason === 'duplicate' ? r.detail : `not valid JSON (${r.detail})`}`);
  return r.value;
}

export async function loadPrivateKey(path: string): Promise<{ key: ReturnType<typeof createPrivateKey>; kid: string; alg: 'EdDSA' | 'ES256' }> {
  const jwk = readJsonFile(path) as Record<string, unknown>;
  if (typeof jwk.d !== 'string') throw new CliError(`${path} is not a private JWK (no "d")`);
  const alg = jwk.kty === 'OKP' && jwk.crv === 'Ed25519' ? 'EdDSA' : jwk.kty === 'EC' && jwk.crv === 'P-256' ? 'ES256' : null;
  if (alg === null) throw new CliError(`${path}: only Ed25519 (OKP) and P-256 (EC) keys are used`);
  const pub = alg === 'EdDSA' ? { kty: 'OKP', crv: 'Ed25519', x: jwk.x } : { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
  const kid = await calculateJwkThumbprint(pub as never, 'sha256');
  let key;
  try {
    key = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw new CliError(`${path} does not hold a usable private key`);
  }
  return { key, kid, alg };
}

const COUNTRY_PATHS: string[][] = [
  ['manufacturedIn'], ['assembledIn'], ['manufacturer', 'domicile'], ['manufacturer', 'ultimateParent', 'domicile'],
  ['software', 'developerDomicile'], ['software', 'dataAdministeredFrom'],
];

/** Country names people wrote become ISO codes before signing; each change is reported. */
export async function normaliseCountries(payload: unknown): Promise<string[]> {
  const { normalizeCountry } = await import('../../domain/countries.js');
  const notices: string[] = [];
  const fix = (origin: Record<string, unknown> | undefined, where: string) => {
    if (!origin || typeof origin !== 'object') return;
    for (const path of COUNTRY_PATHS) {
      let obj: Record<string, unknown> | undefined = origin;
      for (const k of path.slice(0, -1)) obj = obj && typeof obj[k] === 'object' && obj[k] !== null ? (obj[k] as Record<string, unknown>) : undefined;
      const last = path[path.length - 1]!;
      const v = obj?.[last];
      if (obj && typeof v === 'string') {
        const r = normalizeCountry(v);
        if (r.ok && r.code !== v) {
          notices.push(`${where}/${path.join('/')}: "${v}" → ${r.code}`);
          obj[last] = r.code;
        }
      }
    }
    const sw = origin.software as Record<string, unknown> | undefined;
    if (sw && Array.isArray(sw.dataHostedIn)) {
      sw.dataHostedIn = sw.dataHostedIn.map((v: unknown, i: number) => {
        if (typeof v !== 'string') return v;
        const r = normalizeCountry(v);
        if (r.ok && r.code !== v) {
          notices.push(`${where}/software/dataHostedIn/${i}: "${v}" → ${r.code}`);
          return r.code;
        }
        return v;
      });
    }
  };
  const p = payload as { origin?: Record<string, unknown>; components?: { origin?: Record<string, unknown> }[] };
  if (p && typeof p === 'object') {
    fix(p.origin, '/origin');
    p.components?.forEach((c, i) => fix(c?.origin, `/components/${i}/origin`));
  }
  return notices;
}

export function registerSign(program: Command): void {
  program.command('sign')
    .description('validate a declaration payload against nonred/declaration/v1 and sign it as a compact JWS')
    .argument('<file>', 'the payload (JSON)')
    .requiredOption('--key <file>', 'the private JWK (NAME.private.jwk)')
    .option('--out <file>', 'write the JWS here instead of stdout')
    .action(action(async (file: string, opts: { key: string; out?: string }) => {
      const payload = readJsonFile(file);
      const [{ declarationPayloadSchema }, { zodErrors }, { DECLARATION_TYP }] = await Promise.all([
        import('../../domain/declaration-schema.js'), import('../../problem.js'), import('../../crypto/verify-declaration.js'),
      ]);
      for (const n of await normaliseCountries(payload)) note(`notice: ${n}`);
      const r = declarationPayloadSchema.safeParse(payload);
      if (!r.success) {
        const errors = zodErrors(r.error.issues);
        for (const e of errors.slice(1)) note(`  ${e.path}: ${e.message}`);
        throw new CliError(`${file} is not a valid declaration, not signed: ${errors[0]!.path}: ${errors[0]!.message}${errors.length > 1 ? ` (and ${errors.length - 1} more, above)` : ''}`);
      }
      const signer = await loadPrivateKey(opts.key);
      const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
        .setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: DECLARATION_TYP })
        .sign(signer.key);
      if (opts.out) {
        writeFileSync(opts.out, `${jws}\n`);
        note(`signed ${file} → ${opts.out} (kid ${signer.kid})`);
      } else {
        print(jws);
      }
    }));
}

// nonred inspect: decode a declaration and, given the signer's public key, verify it by the
// rules the service applies — the same code (src/crypto/verify-declaration.ts).
import { createHash, createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { calculateJwkThumbprint } from 'jose';
import type { Command } from 'commander';
import { action, CliError, EXIT, note, out, print } from '../io.js';
import { readJsonFile } from './sign.js';

export function registerInspect(program: Command): void {
  program.command('inspect')
    .description('decode a declaration JWS; with --jwk, verify it by the rules the service applies')
    .argument('<file>', 'the compact JWS')
    .option('--jwk <file>', "the signer's public JWK")
    .action(action(async (file: string, opts: { jwk?: string }) => {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        throw new CliError(`cannot read ${file}`);
      }
      const [{ decodeCompactJws, verifyDecodedDeclaration }, { Problem }] = await Promise.all([
        import('../../crypto/verify-declaration.js'), import('../../problem.js'),
      ]);
      let decoded;
      try {
        decoded = decodeCompactJws(text);
      } catch (e) {
        if (e instanceof Problem) throw new CliError(`${e.code}: ${e.message}`, EXIT.fail);
        throw e;
      }
      print(JSON.stringify({ sha256: `sha256:${decoded.sha256}`, header: decoded.header, payload: decoded.payload }, null, 2));
      if (!opts.jwk) return;
      const jwk = readJsonFile(opts.jwk) as Record<string, unknown>;
      if ('d' in jwk) throw new CliError(`${opts.jwk} is a private key: pass the public one`);
      const alg = jwk.kty === 'OKP' ? 'EdDSA' : 'ES256';
      const pub = jwk.kty === 'OKP' ? { kty: 'OKP', crv: jwk.crv, x: jwk.x } : { kty: 'EC', crv: jwk.crv, y: jwk.y, x: jwk.x };
      const kid = await calculateJwkThumbprint(pub as never, 'sha256');
      const payloadSupplier = typeof decoded.payload.supplier === 'string' ? decoded.payload.supplier : '';
      try {
        const v = await verifyDecodedDeclaration(decoded, {
          now: new Date(),
          // Offline, the key's owner is not known: the payload's supplier stands in for it.
          lookupKey: (k) => (k === kid ? { supplier: payloadSupplier, alg, key: createPublicKey({ key: pub as JsonWebKey, format: 'jwk' }), status: 'active' } : undefined),
        });
        note(out.green(`valid: signed by kid ${v.kid}, ${v.alg}, payload matches nonred/declaration/v1 (sha256:${createHash('sha256').update(v.token).digest('hex')})`));
      } catch (e) {
        if (e instanceof Problem) throw new CliError(`invalid: ${e.code}: ${e.message}`, EXIT.fail);
        throw e;
      }
    }));
}

// nonred keygen: a supplier's signing key pair. The private JWK is written with mode 0600
// and never leaves the supplier's machine; the public JWK is what the admin registers.
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { calculateJwkThumbprint } from 'jose';
import type { Command } from 'commander';
import { action, CliError, note, print } from '../io.js';

export function registerKeygen(program: Command): void {
  program.command('keygen')
    .description('create a signing key pair: NAME.private.jwk (mode 0600) and NAME.public.jwk; prints the kid')
    .requiredOption('--out <name>', 'file name prefix')
    .option('--alg <alg>', 'EdDSA (Ed25519) or ES256 (P-256)', 'EdDSA')
    .option('--force', 'overwrite existing files')
    .action(action(async (opts: { out: string; alg: string; force?: boolean }) => {
      if (opts.alg !== 'EdDSA' && opts.alg !== 'ES256') throw new CliError(`--alg must be EdDSA or ES256, not ${opts.alg}`);
      const privPath = `${opts.out}.private.jwk`;
      const pubPath = `${opts.out}.public.jwk`;
      if (!opts.force && (existsSync(privPath) || existsSync(pubPath))) throw new CliError(`${privPath} or ${pubPath} exists; pass --force to overwrite`);
      const pair = opts.alg === 'EdDSA' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const pub = pair.publicKey.export({ format: 'jwk' });
      const kid = await calculateJwkThumbprint(pub as never, 'sha256');
      const priv = { ...pair.privateKey.export({ format: 'jwk' }), kid, alg: opts.alg };
      writeFileSync(privPath, `${JSON.stringify(priv, null, 2)}\n`, { mode: 0o600 });
      writeFileSync(pubPath, `${JSON.stringify({ ...pub, kid, alg: opts.alg }, null, 2)}\n`);
      note(`wrote ${privPath} (keep it secret) and ${pubPath} (give it to the programme's admin)`);
      print(kid);
    }));
}

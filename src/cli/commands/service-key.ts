// nonred service-key rotate: a new signing key for the service; the old one stays in the
// JWKS marked retired, so receipts, reports and checkpoints signed before still verify.
// The running service picks the new key up at its next start.
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { action, CliError, note, print } from '../io.js';

export function registerServiceKey(program: Command): void {
  const sk = program.command('service-key').description("the service's own signing key (admin, on the server machine)");
  sk.command('rotate')
    .description('make a new current key; the old one stays published as retired; prints the new kid')
    .requiredOption('--db <file>', 'the database file (the key file lives beside it)')
    .option('--key-file <file>', 'the key file, when not beside the database (NONRED_SERVICE_KEY_FILE)')
    .action(action(async (opts: { db: string; keyFile?: string }) => {
      const { existsSync } = await import('node:fs');
      const { rotateServiceKeyFile } = await import('../../crypto/service-key.js');
      const file = opts.keyFile ?? process.env.NONRED_SERVICE_KEY_FILE ?? join(dirname(opts.db), 'service-key.jwk');
      if (!existsSync(file)) throw new CliError(`no service key file at ${file} (a key given in NONRED_SERVICE_KEY is rotated where it is kept)`);
      const kid = await rotateServiceKeyFile(file);
      note(`rotated ${file}: restart the service to sign with the new key; the old one stays in the JWKS as retired`);
      print(kid);
    }));
}

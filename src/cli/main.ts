#!/usr/bin/env node
// The nonred command, for every role: suppliers sign and submit, procurement uploads and
// verifies (exit 0 pass, 1 fail, 2 incomplete), auditors fetch and verify offline, admins
// manage the registry. One module per subcommand, on commander.
import { Command, CommanderError } from 'commander';
import { registerAdmin } from './commands/admin.js';
import { registerAudit } from './commands/audit.js';
import { registerBom } from './commands/bom.js';
import { registerCheck } from './commands/check.js';
import { registerDeclare } from './commands/declare.js';
import { registerInspect } from './commands/inspect.js';
import { registerKeygen } from './commands/keygen.js';
import { registerReport } from './commands/report.js';
import { registerServe } from './commands/serve.js';
import { registerServiceKey } from './commands/service-key.js';
import { registerSign } from './commands/sign.js';
import { registerSubmit } from './commands/submit.js';
import type { ConnectOptions } from './client.js';
import { EXIT, err, note } from './io.js';
import { NONRED_VERSION } from '../version.js';

const program = new Command('nonred')
  .description('nonred: verify "non-Red" (China-free) claims about drone components — signed supplier declarations, BOM verification, signed reports')
  .version(NONRED_VERSION)
  .option('--server <url>', 'the nonred service (default: NONRED_SERVER or http://127.0.0.1:8787)')
  .option('--token <token>', 'API token (default: NONRED_TOKEN)')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride();

const conn = (local?: { db?: string | undefined }): ConnectOptions => {
  const g = program.opts<{ server?: string; token?: string }>();
  return { ...(g.server ? { server: g.server } : {}), ...(g.token ? { token: g.token } : {}), ...(local?.db ? { db: local.db } : {}) };
};

registerKeygen(program);
registerDeclare(program);
registerSign(program);
registerInspect(program);
registerSubmit(program, conn);
registerBom(program, conn);
registerCheck(program);
registerReport(program, conn);
registerAudit(program);
registerAdmin(program, conn);
registerServiceKey(program);
registerServe(program);

// Usage errors exit 3, never 1 or 2, which a pipeline would read as a verdict.
for (const cmd of [program, ...program.commands, ...program.commands.flatMap((c) => c.commands)]) {
  cmd.exitOverride();
  cmd.configureOutput({ outputError: (str, write) => write(err.red(str)) });
}

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) {
    process.exitCode = e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version' ? EXIT.ok : EXIT.error;
  } else {
    note(`${err.red('nonred:')} ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = EXIT.error;
  }
}

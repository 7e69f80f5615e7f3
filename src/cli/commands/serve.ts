// nonred serve: the service itself — what `npm start` runs.
import type { Command } from 'commander';

export function registerServe(program: Command): void {
  program.command('serve')
    .description('run the nonred service (configuration from NONRED_* variables; flags override)')
    .option('--db <file>', 'database file (NONRED_DB)')
    .option('--port <port>', 'port (NONRED_PORT)')
    .option('--host <host>', 'listening address (NONRED_HOST)')
    .action(async (opts: { db?: string; port?: string; host?: string }) => {
      const [{ ConfigError, loadConfig }, { startServer }] = await Promise.all([import('../../config.js'), import('../../server.js')]);
      let config;
      try {
        config = loadConfig({
          ...process.env,
          ...(opts.db ? { NONRED_DB: opts.db } : {}),
          ...(opts.port ? { NONRED_PORT: opts.port } : {}),
          ...(opts.host ? { NONRED_HOST: opts.host } : {}),
        });
      } catch (e) {
        process.stderr.write(`nonred: ${e instanceof ConfigError ? e.message : String(e)}\n`);
        process.exit(3);
      }
      try {
        const server = await startServer(config);
        const stop = () => void server.close().then(() => process.exit(0));
        process.on('SIGINT', stop);
        process.on('SIGTERM', stop);
      } catch (e) {
        process.stderr.write(`nonred: could not start: ${e instanceof Error ? e.message : String(e)}\n`);
        process.exit(3);
      }
    });
}

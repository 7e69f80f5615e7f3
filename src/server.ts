// The only file that opens a port: configuration, dependencies, the demo on first start,
// then the HTTP server. `npm start` runs the compiled form of this file.
import { serve } from '@hono/node-server';
import { ConfigError, loadConfig, type Config } from './config.js';
import { createApp } from './http/app.js';
import { openDeps } from './service/bootstrap.js';
import { isEmpty, seedDemo } from './service/seed-demo.js';
import { verifyPool } from './service/verify-pool.js';
import { availableParallelism } from 'node:os';
import { enableBoundedHeapGrowth } from './heap-growth.js';

export async function startServer(config: Config): Promise<{ close(): Promise<void>; port: number }> {
  enableBoundedHeapGrowth();
  const workers = config.verifyWorkers ?? availableParallelism();
  const deps = await openDeps(config, { checker: verifyPool(workers), backgroundCheckpoints: true, evidenceThread: true, signingThread: true });
  if (config.demo && isEmpty(deps)) {
    const seeded = await seedDemo(deps);
    console.log([
      '',
      'nonred: demo programme seeded (fictional suppliers, a quadcopter BOM with one red part).',
      seeded.adminToken ? `  admin token:        ${seeded.adminToken}` : '  admin token:        the value of NONRED_BOOTSTRAP_TOKEN',
      `  procurement token:  ${seeded.procurementToken}`,
      `  auditor token:      ${seeded.auditorToken}`,
      `  demo report:        ${seeded.reportId} (verdict ${seeded.verdict})`,
      '  Tokens are shown once; only their hashes are stored.',
      '',
    ].join('\n'));
  } else if (isEmpty(deps) && config.bootstrapToken === null) {
    console.log('nonred: empty programme and no NONRED_BOOTSTRAP_TOKEN set: set one to get an admin token.');
  }
  const app = createApp(deps);
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, (info) => {
      console.log(`nonred listening on http://${config.host}:${info.port} (database ${config.dbPath}; ${workers} verify workers, libuv thread pool ${process.env.UV_THREADPOOL_SIZE ?? '4 (its default)'}) — API docs at /docs`);
      resolve({
        port: info.port,
        close: () => new Promise<void>((done) => server.close(() => {
          void deps.checker.close().then(() => {
            deps.keys.close();
            deps.store.close();
            done();
          });
        })),
      });
    });
  });
}

const isMain = process.argv[1] !== undefined && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    console.error(`nonred: ${e instanceof ConfigError ? e.message : String(e)}`);
    process.exit(2);
  }
  startServer(config).then((s) => {
    const stop = () => {
      void s.close().then(() => process.exit(0));
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  }).catch((e: unknown) => {
    console.error(`nonred: could not start: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  });
}
